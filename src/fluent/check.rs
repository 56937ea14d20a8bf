//! The static checks of `dich check`: each locale on its own (syntax, duplicates,
//! references, plural categories) and each target locale against the reference.
//!
//! Every rule is a walk over the owned [`FileModel`](super::parse::FileModel) that
//! pushes diagnostics; nothing stops at the first problem.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use crate::config::Config;
use crate::lang::Lang;

use super::diagnostic::{CheckCode, CheckReport, Diagnostic, severity_for};
use super::parse::{EntryInfo, PatternInfo, Select, is_cldr};
use super::plural::{Plural, PluralCategories};
use super::runtime_check;
use super::source::{self, LocaleDir, SourceFile, display_path, parallel_map};

/// A locale with its files read and parsed.
#[derive(Debug)]
pub(crate) struct Locale {
    pub(crate) lang: Lang,
    pub(crate) dir: std::path::PathBuf,
    pub(crate) files: Vec<SourceFile>,
}

/// Checks every `.ftl` file under `config.locales_dir`: syntax, each target locale
/// against the reference locale `config.source`, and runtime formatting. Locales are
/// checked in parallel. Severities follow `[check.levels]`.
pub fn check(config: &Config) -> CheckReport {
    let mut diagnostics = unknown_codes(config);
    let mut wanted = vec![config.source.clone()];
    wanted.extend(config.targets.iter().cloned());
    let dirs = source::discover(&config.root, &config.locales_dir, &wanted, &mut diagnostics);
    let loaded = parallel_map(&dirs, |dir: &LocaleDir| {
        let (files, problems) = source::load(&config.root, dir);
        (
            Locale {
                lang: dir.lang.clone(),
                dir: dir.dir.clone(),
                files,
            },
            problems,
        )
    });
    let mut locales = Vec::new();
    for (locale, problems) in loaded {
        diagnostics.extend(problems);
        locales.push(locale);
    }
    let reference = locales.iter().find(|l| l.lang == config.source);
    let files = locales.iter().map(|l| l.files.len()).sum();
    let per_locale = parallel_map(&locales, |locale: &Locale| {
        let mut out = check_locale(locale, config.check.plural_categories);
        out.extend(runtime_check::check_locale(locale));
        match reference {
            Some(reference) if reference.lang != locale.lang => {
                out.extend(compare_locale(&config.root, reference, locale));
            }
            _ => {}
        }
        without_repeats(out)
    });
    diagnostics.extend(per_locale.into_iter().flatten());
    let diagnostics = diagnostics
        .into_iter()
        .filter_map(|mut d| {
            d.severity = severity_for(d.code, &config.check.levels)?;
            Some(d)
        })
        .collect();
    CheckReport::new(diagnostics, files)
}

/// A reference that does not resolve is an error at its exact position; that the
/// reference message does not make it says nothing more, so that warning is dropped
/// there (a typo in `{ hom }` is one finding, not two).
fn without_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let unresolved: Vec<(PathBuf, usize, usize)> = diagnostics
        .iter()
        .filter(|d| d.code == CheckCode::UnresolvedReference)
        .map(|d| (d.file.clone(), d.line, d.column))
        .collect();
    diagnostics
        .into_iter()
        .filter(|d| {
            d.code != CheckCode::ObsoleteReference
                || !unresolved.iter().any(|(file, line, column)| {
                    *file == d.file && *line == d.line && *column == d.column
                })
        })
        .collect()
}

/// `[check.levels]` keys that are not check codes.
fn unknown_codes(config: &Config) -> Vec<Diagnostic> {
    config
        .check
        .levels
        .keys()
        .filter(|code| CheckCode::parse(code).is_none())
        .map(|code| {
            let known: Vec<&str> = super::codes().iter().map(|c| c.as_str()).collect();
            Diagnostic::file_level(
                display_path(&config.root, &config.path),
                CheckCode::UnknownCheckCode,
                format!(
                    "[check.levels] names `{code}`, which is not a check code (known: {})",
                    known.join(", ")
                ),
            )
        })
        .collect()
}

/// The plural categories of a locale as the checks use them.
struct Categories {
    /// Every CLDR category: a key outside them is never selected.
    valid: Vec<&'static str>,
    /// What a plural select must have under `[check] plural_categories`.
    required: Vec<&'static str>,
    scope: PluralCategories,
}

/// The checks of one locale on its own; `scope` says which plural categories a plural
/// select must have.
pub(crate) fn check_locale(locale: &Locale, scope: PluralCategories) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut defined: HashMap<&str, (&SourceFile, usize)> = HashMap::new();
    for file in &locale.files {
        for issue in &file.model.syntax {
            out.push(file.at(
                issue.offset,
                CheckCode::SyntaxError,
                format!("{} (the entry is skipped at runtime)", issue.message),
            ));
        }
        for entry in &file.model.entries {
            if let Some((first, offset)) = defined.get(entry.id.as_str()) {
                out.push(
                    file.at(
                        entry.offset,
                        CheckCode::DuplicateMessage,
                        format!(
                            "`{}` is already defined at {}; remove one of them (the first wins at runtime)",
                            entry.id,
                            first.location(*offset)
                        ),
                    )
                    .with_id(&entry.id),
                );
            } else {
                defined.insert(&entry.id, (file, entry.offset));
            }
        }
    }
    let plural = Plural::new(locale.lang.id());
    let categories = plural.as_ref().map(|p| Categories {
        valid: p.categories(),
        required: p.required(scope),
        scope,
    });
    for file in &locale.files {
        for entry in &file.model.entries {
            check_entry(file, entry, &defined, categories.as_ref(), &mut out);
        }
    }
    out
}

fn check_entry(
    file: &SourceFile,
    entry: &EntryInfo,
    defined: &HashMap<&str, (&SourceFile, usize)>,
    categories: Option<&Categories>,
    out: &mut Vec<Diagnostic>,
) {
    let mut names = BTreeSet::new();
    for attribute in &entry.attributes {
        if !names.insert(attribute.name.as_str()) {
            out.push(
                file.at(
                    attribute.offset,
                    CheckCode::DuplicateAttribute,
                    format!(
                        "attribute `.{}` is defined twice; the last one wins",
                        attribute.name
                    ),
                )
                .with_id(&entry.id),
            );
        }
    }
    let patterns = entry
        .value
        .iter()
        .chain(entry.attributes.iter().map(|a| &a.pattern));
    for pattern in patterns {
        check_references(file, entry, pattern, defined, out);
        for select in &pattern.selects {
            check_select(file, entry, select, categories, out);
        }
    }
}

fn check_references(
    file: &SourceFile,
    entry: &EntryInfo,
    pattern: &PatternInfo,
    defined: &HashMap<&str, (&SourceFile, usize)>,
    out: &mut Vec<Diagnostic>,
) {
    for reference in &pattern.references {
        let target = defined.get(reference.id.as_str()).and_then(|(f, offset)| {
            f.model
                .entries
                .iter()
                .find(|e| e.offset == *offset && e.id == reference.id)
        });
        let problem = match (target, &reference.attribute) {
            (None, _) => Some(format!("`{}` is not defined in this locale", reference.id)),
            (Some(t), Some(attr)) if !t.attributes.iter().any(|a| &a.name == attr) => {
                Some(format!(
                    "`{}` has no attribute `.{attr}` in this locale",
                    reference.id
                ))
            }
            (Some(t), None) if t.value.is_none() => {
                Some(format!("`{}` has no value to insert", reference.id))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            out.push(
                file.at(reference.offset, CheckCode::UnresolvedReference, problem)
                    .with_id(&entry.id),
            );
        }
    }
}

fn check_select(
    file: &SourceFile,
    entry: &EntryInfo,
    select: &Select,
    categories: Option<&Categories>,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen = BTreeSet::new();
    for key in &select.keys {
        if !seen.insert(key.name.as_str()) {
            out.push(
                file.at(
                    key.offset,
                    CheckCode::DuplicateVariant,
                    format!(
                        "variant `[{}]` appears twice; the second is never used",
                        key.name
                    ),
                )
                .with_id(&entry.id),
            );
        }
    }
    let (true, Some(categories)) = (select.plural, categories) else {
        return;
    };
    for key in select
        .keys
        .iter()
        .filter(|k| !k.numeric && is_cldr(&k.name))
    {
        if !categories.valid.contains(&key.name.as_str()) {
            out.push(
                file.at(
                    key.offset,
                    CheckCode::PluralCategoryInvalid,
                    format!(
                        "`[{}]` is not a plural category of this language (it uses: {}); the variant is never selected",
                        key.name,
                        categories.valid.join(", ")
                    ),
                )
                .with_id(&entry.id),
            );
        }
    }
    let mut missing: Vec<&str> = categories
        .required
        .iter()
        .copied()
        .filter(|c| !seen.contains(c))
        .collect();
    // A default variant whose category no whole number selects (Russian `*[other]`)
    // is what every count without its own variant gets: with one category missing,
    // it is that category's form (`5 загрузок`), as Mozilla's Russian and Ukrainian
    // files write it. Two missing categories cannot share one form.
    let default_is_fraction_only = select.keys.iter().any(|k| {
        k.default
            && !k.numeric
            && is_cldr(&k.name)
            && !categories.required.contains(&k.name.as_str())
    });
    if categories.scope == PluralCategories::Integers
        && default_is_fraction_only
        && missing.len() == 1
    {
        missing.clear();
    }
    // `other` is always the natural default; only the others need their own variant.
    if missing.iter().any(|c| *c != "other") {
        out.push(
            file.at(
                select.offset,
                CheckCode::PluralCategoryMissing,
                format!(
                    "plural select lacks {}; {}: {}",
                    missing
                        .iter()
                        .map(|c| format!("`[{c}]`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    match categories.scope {
                        PluralCategories::Integers => "whole numbers in this language need",
                        PluralCategories::All => "this language needs",
                    },
                    categories.required.join(", ")
                ),
            )
            .with_id(&entry.id),
        );
    }
}

/// A target locale against the reference: files, messages, values, attributes and
/// variables.
fn compare_locale(root: &std::path::Path, reference: &Locale, target: &Locale) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let by_rel: BTreeMap<_, _> = target.files.iter().map(|f| (&f.rel, f)).collect();
    for ref_file in &reference.files {
        match by_rel.get(&ref_file.rel) {
            Some(file) => compare_file(ref_file, file, &mut out),
            // There but unreadable: its `io-error` is the one problem to report.
            None if target.dir.join(&ref_file.rel).is_file() => {}
            None => out.push(Diagnostic::file_level(
                display_path(root, &target.dir.join(&ref_file.rel)),
                CheckCode::MissingFile,
                format!(
                    "{} has no {} translation; run `dich translate` to create it",
                    ref_file.display.display(),
                    target.lang
                ),
            )),
        }
    }
    for file in &target.files {
        // A reference file that is there but unreadable has its own `io-error`.
        let unreadable = reference.dir.join(&file.rel).is_file();
        if !unreadable && !reference.files.iter().any(|r| r.rel == file.rel) {
            out.push(Diagnostic::file_level(
                &file.display,
                CheckCode::ObsoleteFile,
                format!(
                    "the reference locale `{}` has no `{}`; remove the file or add it to the reference",
                    reference.lang,
                    file.rel.display()
                ),
            ));
        }
    }
    out
}

fn compare_file(reference: &SourceFile, target: &SourceFile, out: &mut Vec<Diagnostic>) {
    for ref_entry in &reference.model.entries {
        match target.model.get(&ref_entry.id) {
            Some(entry) => compare_entry(reference, ref_entry, target, entry, out),
            // Present but unparsable: the syntax error is the one problem to report.
            None if target.model.junk_ids.contains(&ref_entry.id) => {}
            None => out.push(
                Diagnostic::file_level(
                    &target.display,
                    CheckCode::MissingMessage,
                    format!(
                        "`{}` ({}) is not translated; run `dich translate` or add it by hand",
                        ref_entry.id,
                        reference.location(ref_entry.offset)
                    ),
                )
                .with_id(&ref_entry.id),
            ),
        }
    }
    let mut reported = BTreeSet::new();
    for entry in &target.model.entries {
        if reference.model.get(&entry.id).is_none() && reported.insert(&entry.id) {
            out.push(
                target
                    .at(
                        entry.offset,
                        CheckCode::ObsoleteMessage,
                        format!(
                            "`{}` is not in the reference {}; remove it",
                            entry.id,
                            reference.display.display()
                        ),
                    )
                    .with_id(&entry.id),
            );
        }
    }
}

fn compare_entry(
    reference: &SourceFile,
    ref_entry: &EntryInfo,
    target: &SourceFile,
    entry: &EntryInfo,
    out: &mut Vec<Diagnostic>,
) {
    let at = |offset: usize, code: CheckCode, message: String| {
        target.at(offset, code, message).with_id(&entry.id)
    };
    let is_term = entry.id.starts_with('-');
    match (&ref_entry.value, &entry.value) {
        (Some(_), None) => out.push(at(
            entry.offset,
            CheckCode::MissingValue,
            format!(
                "`{}` has a value in {}; translate it",
                entry.id,
                reference.location(ref_entry.offset)
            ),
        )),
        (None, Some(_)) => out.push(at(
            entry.offset,
            CheckCode::ObsoleteValue,
            format!(
                "`{}` has only attributes in the reference; remove the value",
                entry.id
            ),
        )),
        (Some(r), Some(t)) if !is_term => compare_patterns(r, t, "value", &at, entry.offset, out),
        _ => {}
    }
    // Term attributes are private to each locale (grammatical gender, case): not compared.
    if is_term {
        return;
    }
    for ref_attr in &ref_entry.attributes {
        match entry.attributes.iter().find(|a| a.name == ref_attr.name) {
            Some(attr) => compare_patterns(
                &ref_attr.pattern,
                &attr.pattern,
                &format!("attribute `.{}`", attr.name),
                &at,
                attr.offset,
                out,
            ),
            None => out.push(at(
                entry.offset,
                CheckCode::MissingAttribute,
                format!(
                    "`{}` lacks the attribute `.{}` of the reference; translate it",
                    entry.id, ref_attr.name
                ),
            )),
        }
    }
    for attr in &entry.attributes {
        if !ref_entry.attributes.iter().any(|a| a.name == attr.name) {
            out.push(at(
                attr.offset,
                CheckCode::ObsoleteAttribute,
                format!(
                    "the reference `{}` has no attribute `.{}`; remove it",
                    entry.id, attr.name
                ),
            ));
        }
    }
}

/// A translated value or attribute against its reference: the variables it uses, then
/// the messages and terms it refers to.
fn compare_patterns(
    reference: &PatternInfo,
    target: &PatternInfo,
    what: &str,
    at: &dyn Fn(usize, CheckCode, String) -> Diagnostic,
    offset: usize,
    out: &mut Vec<Diagnostic>,
) {
    compare_variables(reference, target, what, at, offset, out);
    compare_references(reference, target, what, at, offset, out);
}

/// Message and term references are compared as Mozilla's compare-locales compares them:
/// a brand name written out instead of `{ -brand-name }` no longer follows the brand,
/// and a reference the source does not make is usually a mistake. A message reference
/// counts with its attribute (`{ menu.title }`); a term reference counts only without
/// one, since `{ -brand.gender -> … }` is each locale's grammar. Warnings, as there.
fn compare_references(
    reference: &PatternInfo,
    target: &PatternInfo,
    what: &str,
    at: &dyn Fn(usize, CheckCode, String) -> Diagnostic,
    offset: usize,
    out: &mut Vec<Diagnostic>,
) {
    let names = |pattern: &PatternInfo| -> Vec<(String, usize)> {
        let mut names: Vec<(String, usize)> = Vec::new();
        for r in &pattern.references {
            let name = match (&r.attribute, r.id.starts_with('-')) {
                (Some(_), true) => continue,
                (Some(attribute), false) => format!("{}.{attribute}", r.id),
                (None, _) => r.id.clone(),
            };
            if !names.iter().any(|(n, _)| *n == name) {
                names.push((name, r.offset));
            }
        }
        names
    };
    let (ours, theirs) = (names(target), names(reference));
    for (name, ref_offset) in &ours {
        if !theirs.iter().any(|(n, _)| n == name) {
            out.push(at(
                *ref_offset,
                CheckCode::ObsoleteReference,
                format!("the reference {what} does not use `{{ {name} }}`; the translation does"),
            ));
        }
    }
    for (name, _) in &theirs {
        if !ours.iter().any(|(n, _)| n == name) {
            out.push(at(
                offset,
                CheckCode::MissingReference,
                format!("the reference {what} uses `{{ {name} }}`, the translation does not"),
            ));
        }
    }
}

/// Variables are compared over the whole pattern, selectors included: a variable that
/// only selects a variant (e.g. `$count` in an English `[one] One view`) is still used.
fn compare_variables(
    reference: &PatternInfo,
    target: &PatternInfo,
    what: &str,
    at: &dyn Fn(usize, CheckCode, String) -> Diagnostic,
    offset: usize,
    out: &mut Vec<Diagnostic>,
) {
    for (name, var_offset) in &target.variables {
        if !reference.variables.contains_key(name) {
            out.push(at(
                *var_offset,
                CheckCode::UnknownVariable,
                format!("`${name}` is not a variable of the reference {what}; the portal never passes it"),
            ));
        }
    }
    for name in reference.variables.keys() {
        if !target.variables.contains_key(name) {
            out.push(at(
                offset,
                CheckCode::MissingVariable,
                format!("the reference {what} uses `${name}`, the translation does not"),
            ));
        }
    }
}
