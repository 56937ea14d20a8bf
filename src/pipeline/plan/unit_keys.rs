//! The key of each source unit: what a translated file's provenance lists, so its
//! blocks can be matched to their sources again.

use crate::content::Document;
use crate::memory;
use crate::segment;

/// The key of a source unit: its kind and its exact text (markup and link targets
/// included), normalised. 12 hex digits are plenty within one article and keep the
/// provenance short.
fn unit_key(doc: &Document, i: usize) -> String {
    let kind = doc
        .units
        .get(i)
        .map(|u| format!("{:?}", u.kind))
        .unwrap_or_default();
    let text = segment::normalize(doc.raw(i));
    // Hashed in parts: the text of a paragraph of megabytes is not copied once more
    // (issue 10, item 14).
    memory::hash_parts(&[&kind, "\u{1f}", &text])[..12].to_owned()
}

/// The keys of every unit of `doc`, in order.
pub(crate) fn unit_keys(doc: &Document) -> Vec<String> {
    (0..doc.units.len()).map(|i| unit_key(doc, i)).collect()
}
