//! The runtime check: every message and attribute of a locale is formatted with
//! `fluent-bundle`, with sample arguments, and every formatting error is reported.
//!
//! This finds what the static checks cannot: cycles, unknown functions, and references
//! that only fail once resolved. One bundle per locale holds all of its files, as the
//! portal loads them. Duplicate ids (`Overriding`) are left to `duplicate-message`.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::resolver::ResolverError;
use fluent_bundle::{FluentArgs, FluentBundle, FluentError, FluentResource, FluentValue};

use super::check::Locale;
use super::diagnostic::{CheckCode, Diagnostic};
use super::functions::add_functions;
use super::parse::{EntryInfo, PatternInfo};
use super::plural::Plural;

/// Numbers every numeric variable takes in turn for a language CLDR has no rules for:
/// enough to reach `[0]`, `[1]` and any category a rule could give them.
const FALLBACK_NUMBERS: [f64; 7] = [0.0, 1.0, 2.0, 3.0, 5.0, 11.0, 1.5];
/// The value of `DATETIME()` arguments.
const SAMPLE_DATE: &str = "2026-11-28T09:30:00+07:00";

/// Formats every message of `locale`; one diagnostic per distinct error.
pub(crate) fn check_locale(locale: &Locale) -> Vec<Diagnostic> {
    let mut bundle = FluentBundle::new(vec![locale.lang.id().clone()]);
    bundle.set_use_isolating(false);
    add_functions(&mut bundle);
    for file in &locale.files {
        let resource = match FluentResource::try_new(file.text.clone()) {
            Ok(resource) => resource,
            // Syntax errors are the `syntax-error` check's; format what parsed.
            Err((resource, _)) => resource,
        };
        let _ = bundle.add_resource(resource);
    }
    let entries: BTreeMap<&str, &EntryInfo> = locale
        .files
        .iter()
        .flat_map(|f| f.model.entries.iter())
        .map(|e| (e.id.as_str(), e))
        .collect();
    // One number per plural category of the language (plus 0), so that every variant
    // a count can select is formatted: `[two]`, `[few]` and `[many]` included.
    let numbers = Plural::new(locale.lang.id())
        .map_or_else(|| FALLBACK_NUMBERS.to_vec(), |p| p.sample_numbers());
    let mut out = Vec::new();
    for file in &locale.files {
        for entry in file.model.entries.iter().filter(|e| !e.id.starts_with('-')) {
            for (offset, error) in format_entry(&bundle, entry, &entries, &numbers) {
                out.push(
                    file.at(offset, CheckCode::RuntimeError, error)
                        .with_id(&entry.id),
                );
            }
        }
    }
    out
}

fn format_entry(
    bundle: &FluentBundle<FluentResource>,
    entry: &EntryInfo,
    entries: &BTreeMap<&str, &EntryInfo>,
    numbers: &[f64],
) -> Vec<(usize, String)> {
    let Some(message) = bundle.get_message(&entry.id) else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    if let (Some(pattern), Some(info)) = (message.value(), &entry.value) {
        parts.push((entry.offset, pattern, info));
    }
    for attribute in &entry.attributes {
        if let Some(found) = message.get_attribute(&attribute.name) {
            parts.push((attribute.offset, found.value(), &attribute.pattern));
        }
    }
    let mut problems: Vec<(usize, String)> = Vec::new();
    for (offset, pattern, info) in parts {
        let (numeric, dates, strings) = sample_variables(info, entries);
        // Without a numeric variable, one pass is enough.
        let numbers = if numeric.is_empty() {
            &numbers[..numbers.len().min(1)]
        } else {
            numbers
        };
        for number in numbers {
            let args = sample_args(&numeric, *number, &dates, &strings);
            let mut errors = Vec::new();
            let _ = bundle.format_pattern(pattern, Some(&args), &mut errors);
            for error in errors.iter().filter(|e| !covered_statically(e)) {
                let text = format!("formatting `{}` fails: {error}", entry.id);
                if !problems.iter().any(|(_, p)| *p == text) {
                    problems.push((offset, text));
                }
            }
        }
    }
    problems
}

/// Unknown messages, terms and attributes, and missing values, are reported by the
/// static `unresolved-reference` check with a precise position; not twice.
fn covered_statically(error: &FluentError) -> bool {
    match error {
        FluentError::ResolverError(ResolverError::NoValue(_)) => true,
        FluentError::ResolverError(reference @ ResolverError::Reference(_)) => {
            let text = reference.to_string();
            ["Unknown message", "Unknown term", "Unknown attribute"]
                .iter()
                .any(|prefix| text.starts_with(prefix))
        }
        _ => false,
    }
}

type Variables = BTreeSet<String>;

/// The variables a pattern needs, through the messages it references (a referenced
/// message is formatted with the caller's arguments).
fn sample_variables(
    info: &PatternInfo,
    entries: &BTreeMap<&str, &EntryInfo>,
) -> (Variables, Variables, Variables) {
    let mut numeric = Variables::new();
    let mut dates = Variables::new();
    let mut all = Variables::new();
    let mut stack = vec![info];
    let mut visited = BTreeSet::new();
    while let Some(pattern) = stack.pop() {
        numeric.extend(pattern.numeric.iter().cloned());
        dates.extend(pattern.dates.iter().cloned());
        all.extend(pattern.variables.keys().cloned());
        for reference in pattern.references.iter().filter(|r| !r.id.starts_with('-')) {
            let key = (reference.id.as_str(), reference.attribute.as_deref());
            if !visited.insert(key) {
                continue;
            }
            let Some(entry) = entries.get(reference.id.as_str()) else {
                continue;
            };
            let referenced = match &reference.attribute {
                None => entry.value.as_ref(),
                Some(name) => entry
                    .attributes
                    .iter()
                    .find(|a| &a.name == name)
                    .map(|a| &a.pattern),
            };
            stack.extend(referenced);
        }
    }
    let strings = all
        .into_iter()
        .filter(|v| !numeric.contains(v) && !dates.contains(v))
        .collect();
    (numeric, dates, strings)
}

fn sample_args<'a>(
    numeric: &'a Variables,
    number: f64,
    dates: &'a Variables,
    strings: &'a Variables,
) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for name in numeric {
        args.set(name.as_str(), FluentValue::from(number));
    }
    for name in dates {
        args.set(name.as_str(), FluentValue::from(SAMPLE_DATE));
    }
    for name in strings {
        args.set(name.as_str(), FluentValue::from(name.as_str()));
    }
    args
}
