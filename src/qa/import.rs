//! Glossary importers for the formats terminologists use: CSV and TBX.
//!
//! Both produce the same [`Glossary`] as `glossary.toml`. Errors carry the file, line
//! and column.
//!
//! - **CSV**: a header row; a `vi` column (several forms separated by `|`), one column
//!   per target language tag (`en`, `ko`, `zh-Hans`, …), and optional `translate`,
//!   `confirmed` (`true`/`false`, `yes`/`no`, `1`/`0`) and `note` columns.
//! - **TBX** (TBX-Basic/TBX 2 `termEntry`/`langSet`/`tig`, and TBX 3
//!   `conceptEntry`/`langSec`/`termSec`): each entry with a Vietnamese term and at
//!   least one other language becomes a term; terms marked deprecated or superseded in
//!   `administrativeStatus` are left out. The first term of a language is its
//!   required form, later ones accepted variants.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::glossary::{Glossary, GlossaryError, Term};
use crate::lang::Lang;

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "y" => Some(true),
        "false" | "no" | "0" | "n" => Some(false),
        _ => None,
    }
}

/// The column of a CSV header cell.
enum Column {
    Source,
    Target(String),
    Translate,
    Confirmed,
    Note,
}

/// Reads a CSV glossary; `path` is for error messages.
///
/// # Errors
/// [`GlossaryError`] for malformed CSV, a header without `vi` or with an unknown
/// column, a bad boolean, or a row with neither translations nor `translate = false`.
pub fn import_csv(text: &str, path: &Path) -> Result<Glossary, GlossaryError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let offset = e
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        GlossaryError::at(path, text, offset, format!("malformed CSV: {e}"))
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut columns = Vec::with_capacity(headers.len());
    for name in &headers {
        let name = name.trim().trim_start_matches('\u{feff}');
        let column = match name.to_ascii_lowercase().as_str() {
            "vi" => Column::Source,
            "translate" => Column::Translate,
            "confirmed" => Column::Confirmed,
            "note" | "notes" => Column::Note,
            _ => match super::glossary::target_lang(name) {
                Ok(lang) => Column::Target(lang.as_str().to_owned()),
                Err(_) => {
                    let offset = text.find(name).unwrap_or(0);
                    return Err(GlossaryError::at(
                        path,
                        text,
                        offset,
                        format!(
                            "unknown column `{name}`: columns are `vi`, language tags, `translate`, `confirmed`, `note`"
                        ),
                    ));
                }
            },
        };
        columns.push(column);
    }
    if !columns.iter().any(|c| matches!(c, Column::Source)) {
        return Err(GlossaryError::at(
            path,
            text,
            0,
            "the header has no `vi` column",
        ));
    }
    let mut terms = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let offset = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        let error = |message: String| GlossaryError::at(path, text, offset, message);
        let mut term = Term {
            translate: true,
            ..Term::default()
        };
        let mut confirmed = true;
        for (column, cell) in columns.iter().zip(record.iter()) {
            let forms = || -> Vec<String> {
                cell.split('|')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            match column {
                Column::Source => term.source = forms(),
                Column::Target(lang) => {
                    let forms = forms();
                    if !forms.is_empty() {
                        term.targets.insert(lang.clone(), forms);
                    }
                }
                Column::Note if !cell.trim().is_empty() => term.note = Some(cell.trim().to_owned()),
                Column::Note => {}
                Column::Translate | Column::Confirmed if cell.trim().is_empty() => {}
                Column::Translate | Column::Confirmed => {
                    let value = parse_bool(cell)
                        .ok_or_else(|| error(format!("`{cell}` is not true or false")))?;
                    if matches!(column, Column::Translate) {
                        term.translate = value;
                    } else {
                        confirmed = value;
                    }
                }
            }
        }
        if term.source.is_empty() && term.targets.is_empty() {
            continue; // a blank row
        }
        let Some(first) = term.source.first() else {
            return Err(error("the row has no Vietnamese form in `vi`".to_owned()));
        };
        if term.translate && term.targets.is_empty() {
            return Err(error(format!(
                "term `{first}` has no translation and is not `translate = false`"
            )));
        }
        if confirmed {
            term.confirmed = term.targets.keys().cloned().collect();
        }
        terms.push(term);
    }
    Glossary::new(terms).map_err(|message| GlossaryError::at(path, text, 0, message))
}

/// The local name of an element (`tbx:langSet` → `langSet`).
fn local(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
}

/// The entry being read.
#[derive(Default)]
struct Entry {
    /// Terms per language tag (canonical), in document order.
    forms: BTreeMap<String, Vec<String>>,
    /// The language of the open `langSet`/`langSec`.
    lang: Option<String>,
    /// The term of the open `tig`/`termSec` and whether it is deprecated.
    pending: Option<(String, bool)>,
}

impl Entry {
    fn commit(&mut self) {
        if let (Some((term, deprecated)), Some(lang)) = (self.pending.take(), &self.lang) {
            let term = term.trim().to_owned();
            if !deprecated && !term.is_empty() {
                self.forms.entry(lang.clone()).or_default().push(term);
            }
        }
    }

    fn into_term(mut self) -> Option<Term> {
        let source = self.forms.remove("vi")?;
        // A termbase's entries are its terminologists' decisions: all confirmed.
        (!self.forms.is_empty()).then(|| Term {
            source,
            confirmed: self.forms.keys().cloned().collect(),
            targets: self.forms,
            translate: true,
            note: None,
        })
    }
}

/// Where text goes while reading.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    None,
    Term,
    Status,
}

/// Reads a TBX glossary; `path` is for error messages.
///
/// # Errors
/// [`GlossaryError`] for XML that is not well-formed, an unknown entity, or an
/// `xml:lang` that is not a language tag.
pub fn import_tbx(text: &str, path: &Path) -> Result<Glossary, GlossaryError> {
    let mut reader = Reader::from_str(text);
    let mut terms = Vec::new();
    let mut entry: Option<Entry> = None;
    let mut sink = Sink::None;
    let mut buffer = String::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let error = |message: String| GlossaryError::at(path, text, at, message);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(0);
            GlossaryError::at(path, text, at, format!("malformed TBX: {e}"))
        })?;
        match event {
            Event::Start(e) => match local(&e).as_str() {
                "termEntry" | "conceptEntry" => entry = Some(Entry::default()),
                "langSet" | "langSec" => {
                    let lang = e
                        .try_get_attribute("xml:lang")
                        .map_err(|e| error(e.to_string()))?
                        .ok_or_else(|| error("a language section without `xml:lang`".into()))?;
                    let tag = lang.unescape_value().map_err(|e| error(e.to_string()))?;
                    let lang = Lang::parse(&tag).map_err(|e| error(e.to_string()))?;
                    if let Some(entry) = entry.as_mut() {
                        entry.lang = Some(lang.as_str().to_owned());
                    }
                }
                "term" => {
                    sink = Sink::Term;
                    buffer.clear();
                }
                "termNote"
                    if e.try_get_attribute("type")
                        .ok()
                        .flatten()
                        .is_some_and(|a| a.value.as_ref() == b"administrativeStatus") =>
                {
                    sink = Sink::Status;
                    buffer.clear();
                }
                _ => {}
            },
            Event::Text(t) if sink != Sink::None => {
                buffer.push_str(&t.xml_content().map_err(|e| error(e.to_string()))?);
            }
            Event::CData(c) if sink != Sink::None => {
                buffer.push_str(&String::from_utf8_lossy(&c));
            }
            Event::GeneralRef(r) if sink != Sink::None => {
                let name = r.decode().map_err(|e| error(e.to_string()))?;
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buffer.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                    buffer.push_str(s);
                } else {
                    return Err(error(format!("unknown entity `&{name};`")));
                }
            }
            Event::End(e) => match String::from_utf8_lossy(e.local_name().as_ref()).as_ref() {
                "term" => {
                    if let Some(entry) = entry.as_mut() {
                        entry.pending = Some((buffer.clone(), false));
                    }
                    sink = Sink::None;
                }
                "termNote" if sink == Sink::Status => {
                    let status = buffer.to_ascii_lowercase();
                    if (status.contains("deprecated") || status.contains("superseded"))
                        && let Some((_, deprecated)) =
                            entry.as_mut().and_then(|e| e.pending.as_mut())
                    {
                        *deprecated = true;
                    }
                    sink = Sink::None;
                }
                "tig" | "ntig" | "termSec" => {
                    if let Some(entry) = entry.as_mut() {
                        entry.commit();
                    }
                }
                "langSet" | "langSec" => {
                    if let Some(entry) = entry.as_mut() {
                        entry.commit();
                        entry.lang = None;
                    }
                }
                "termEntry" | "conceptEntry" => {
                    if let Some(term) = entry.take().and_then(Entry::into_term) {
                        terms.push(term);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Glossary::new(terms).map_err(|message| GlossaryError::at(path, text, 0, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_terms() {
        let csv = "vi,en,zh-Hans,translate,note\n\
                   UBND tỉnh|Ủy ban nhân dân tỉnh,Provincial People's Committee,省人民委员会,,\n\
                   Viettel,,,false,brand\n\
                   ,,,,\n";
        let g = import_csv(csv, Path::new("g.csv")).unwrap();
        assert_eq!(g.terms().len(), 2);
        assert_eq!(g.terms()[0].source[1], "Ủy ban nhân dân tỉnh");
        assert_eq!(g.terms()[0].targets["zh-Hans"][0], "省人民委员会");
        assert!(!g.terms()[1].translate);
        assert_eq!(g.terms()[1].note.as_deref(), Some("brand"));
        assert_eq!(g.find("Họp tại UBND tỉnh").len(), 1);
    }

    #[test]
    fn csv_errors_have_a_line() {
        let err = import_csv("vi,en\nTừ Sơn,Tu Son\nQuế Võ\n", Path::new("g.csv")).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = import_csv("vi,en\nTừ Sơn,\n", Path::new("g.csv")).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("Từ Sơn"));
        let err = import_csv("vi,english\n", Path::new("g.csv")).unwrap_err();
        assert_eq!((err.line, err.column), (1, 4), "{err}");
        let err = import_csv("vi,en,translate\nA,B,maybe\n", Path::new("g.csv")).unwrap_err();
        assert!(err.to_string().starts_with("g.csv:2:1: `maybe`"), "{err}");
    }

    const TBX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="vi" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="vi"><termSec><term>Sở Ngoại vụ</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>Department of Foreign Affairs</term></termSec>
        <termSec><term>Foreign Service</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
        <termSec><term>Dept. of Foreign Affairs</term></termSec>
      </langSec>
      <langSec xml:lang="ko"><termSec><term>외무국</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c2">
      <langSec xml:lang="en"><termSec><term>English only</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>"#;

    #[test]
    fn tbx3_entries_with_vietnamese_become_terms() {
        let g = import_tbx(TBX, Path::new("g.tbx")).unwrap();
        assert_eq!(g.terms().len(), 1);
        let t = &g.terms()[0];
        assert_eq!(t.source, vec!["Sở Ngoại vụ"]);
        assert_eq!(
            t.targets["en"],
            vec!["Department of Foreign Affairs", "Dept. of Foreign Affairs"]
        );
        assert_eq!(t.targets["ko"], vec!["외무국"]);
    }

    #[test]
    fn tbx2_martif_with_entities() {
        let tbx = r#"<martif type="TBX"><text><body>
<termEntry id="1">
 <langSet xml:lang="vi"><tig><term>Sở Thông tin và Truyền thông</term></tig></langSet>
 <langSet xml:lang="en"><tig><term>Department of Information &amp; Communications</term></tig></langSet>
</termEntry></body></text></martif>"#;
        let g = import_tbx(tbx, Path::new("g.tbx")).unwrap();
        assert_eq!(
            g.terms()[0].targets["en"][0],
            "Department of Information & Communications"
        );
    }

    #[test]
    fn tbx_errors_have_a_position() {
        let err = import_tbx("<tbx>\n<text>\n<body></text>", Path::new("g.tbx")).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = import_tbx(
            "<tbx>\n<termEntry><langSet xml:lang=\"not a tag\"></langSet></termEntry></tbx>",
            Path::new("g.tbx"),
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (2, 12), "{err}");
    }
}
