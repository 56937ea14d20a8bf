//! The `pseudo` backend: offline, deterministic pseudo-translation.
//!
//! It exercises the whole pipeline and the portal's layouts without a paid service.
//! Every segment is visibly marked with its target language (`[en] …`), grows the way
//! real translations do (about +30% for English), and for Korean and Chinese turns
//! letters and digits into full-width forms so CJK line breaking and widths show.
//! Tags are kept exactly. It is labelled as pseudo-translation wherever it appears.

use std::sync::Arc;

use async_trait::async_trait;
use unicode_normalization::UnicodeNormalization;

use serde::Deserialize;

use super::{BackendError, Batch, Billing, BuildContext, Limits, Translator};
use crate::config::BackendConfig;
use crate::lang::Lang;
use crate::markup::{self, Token};

/// A `pseudo` table takes only the common keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {}

/// Pseudo-translation; see the module docs.
#[derive(Debug)]
pub struct Pseudo {
    name: String,
    limits: Limits,
}

/// Registry entry. Pseudo has no service to protect, so the configured request limits
/// replace its defaults rather than lower them.
///
/// # Errors
/// Never; the signature is the registry's.
pub fn build(
    name: &str,
    config: &BackendConfig,
    _context: &BuildContext,
) -> Result<Arc<dyn Translator>, BackendError> {
    Ok(Arc::new(Pseudo {
        name: name.to_owned(),
        limits: Limits {
            max_segments: config.max_segments_per_request.unwrap_or(100),
            max_chars: config.max_chars_per_request.unwrap_or(20_000),
            keeps_tags: true,
            accepts_context: false,
        },
    }))
}

#[async_trait]
impl Translator for Pseudo {
    fn name(&self) -> &str {
        &self.name
    }

    fn label(&self) -> String {
        "pseudo (pseudo-translation, not for publication)".to_owned()
    }

    fn is_pseudo(&self) -> bool {
        true
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn billing(&self) -> Billing {
        Billing::Free
    }

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        Ok(batch
            .segments
            .iter()
            .map(|s| pseudo_translate(&s.text, &batch.target))
            .collect())
    }
}

/// Pseudo-translates one tagged segment into `target`.
pub fn pseudo_translate(text: &str, target: &Lang) -> String {
    let full_width = matches!(target.language(), "ko" | "zh" | "ja");
    let mut body = String::with_capacity(text.len() * 2);
    for token in markup::tokens(text) {
        match token {
            Token::Text(t) if full_width => body.extend(strip_marks(t).chars().map(to_full_width)),
            Token::Text(t) => body.push_str(&strip_marks(t)),
            Token::Open(id) => body.push_str(&format!("<g{id}>")),
            Token::Close(id) => body.push_str(&format!("</g{id}>")),
            Token::Standalone(id) => body.push_str(&format!("<x{id}/>")),
        }
    }
    if full_width {
        format!("［{target}］{body}")
    } else {
        // Real English runs about 30% longer than the Vietnamese it translates.
        let visible = markup::strip_tags(text).chars().count();
        let padding = "~".repeat(
            (visible * 3)
                .div_ceil(10)
                .saturating_sub(target.as_str().len() + 3),
        );
        format!("[{target}] {body} {padding}").trim_end().to_owned()
    }
}

/// Removes Vietnamese tone and vowel marks, so pseudo text cannot pass for Vietnamese.
fn strip_marks(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// ASCII letters, digits and punctuation → their full-width forms (U+FF01…U+FF5E).
fn to_full_width(c: char) -> char {
    match c {
        '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
        ' ' => '\u{3000}',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    #[test]
    fn english_is_marked_and_about_thirty_percent_longer() {
        let source = "Hội nghị tổng kết công tác thông tin đối ngoại năm nay.";
        let out = pseudo_translate(source, &lang("en"));
        assert!(out.starts_with("[en] Hoi nghi tong ket"), "{out}");
        let growth = out.chars().count() as f64 / source.chars().count() as f64;
        assert!((1.2..1.45).contains(&growth), "growth {growth}: {out}");
    }

    #[test]
    fn korean_and_chinese_use_full_width() {
        let out = pseudo_translate("Bắc Ninh 2019", &lang("zh-Hans"));
        assert_eq!(out, "［zh-Hans］Ｂａｃ\u{3000}Ｎｉｎｈ\u{3000}２０１９");
        assert!(pseudo_translate("Hà Nội", &lang("ko")).starts_with("［ko］"));
    }

    #[test]
    fn tags_are_kept_exactly() {
        let source = "Xem <g1>báo cáo</g1> tại <x2/>.";
        for target in ["en", "ko", "zh-Hans"] {
            let out = pseudo_translate(source, &lang(target));
            assert!(markup::check_same_tags(source, &out).is_ok(), "{out}");
        }
    }

    #[test]
    fn deterministic() {
        let a = pseudo_translate("Giá xăng giảm nhẹ.", &lang("en"));
        assert_eq!(a, pseudo_translate("Giá xăng giảm nhẹ.", &lang("en")));
    }
}
