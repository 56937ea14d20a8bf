//! Front matter: finding the `+++` (TOML) or `---` (YAML) block at the start of a file,
//! validating it, locating translatable string fields by byte span, and writing and
//! reading the provenance block.
//!
//! Fields are located in the text as written (TOML through `toml_edit` spans, YAML by
//! its `key:` line) so rendering replaces only the value token and every other byte of
//! the front matter is copied unchanged.

use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, Value};

use crate::text_position::{self, LineIndex, Location};

use super::{ContentError, FrontMatterFormat, Provenance, RenderError, Unit, UnitKind};

/// Where the front matter and the body are in a file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Split {
    /// TOML or YAML.
    pub(super) format: FrontMatterFormat,
    /// The text between the delimiter lines (ends with a newline unless empty).
    pub(super) content: Range<usize>,
    /// Where the body starts (after the closing delimiter line).
    pub(super) body_start: usize,
    /// The line ending of the opening delimiter, used for inserted lines.
    pub(super) newline: &'static str,
}

/// Finds the front matter at the start of `text` (after an optional BOM and blank
/// lines).
///
/// # Errors
/// [`ContentError::UnterminatedFrontMatter`] when the closing delimiter is missing.
pub(super) fn split(path: &Path, text: &str) -> Result<Option<Split>, ContentError> {
    let start = opening_line(text);
    let rest = &text[start..];
    let first_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let format = match rest[..first_end].trim_end() {
        "+++" => FrontMatterFormat::Toml,
        "---" => FrontMatterFormat::Yaml,
        _ => return Ok(None),
    };
    let newline = if rest[..first_end].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let content_start = start + first_end;
    let mut pos = content_start;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..line_end].trim_end() == format.delimiter() {
            return Ok(Some(Split {
                format,
                content: content_start..pos,
                body_start: line_end,
                newline,
            }));
        }
        pos = line_end;
    }
    Err(ContentError::UnterminatedFrontMatter {
        path: path.to_owned(),
        line: text[..start].matches('\n').count() + 1,
        format,
    })
}

/// Where the line that may open the front matter starts: after the BOM and any blank
/// lines, which Zola and Hugo skip too (pages of Zola's own documentation start with
/// one; read as body, their front matter was translated as text).
fn opening_line(text: &str) -> usize {
    let mut start = super::bom_len(text);
    while let Some(end) = text[start..].find('\n')
        && text[start..start + end].trim().is_empty()
    {
        start += end + 1;
    }
    start
}

/// Validates the front matter and returns the units of the translatable `fields`
/// present as strings, in document order.
///
/// # Errors
/// [`ContentError::MalformedFrontMatter`] with the position in the file, and
/// [`ContentError::FieldNotString`].
pub(super) fn units(
    path: &Path,
    text: &str,
    split: &Split,
    fields: &[String],
) -> Result<Vec<Unit>, ContentError> {
    let found = match split.format {
        FrontMatterFormat::Toml => toml_fields(path, text, split, fields)?,
        FrontMatterFormat::Yaml => yaml_fields(path, text, split, fields)?,
    };
    let mut units: Vec<Unit> = found
        .into_iter()
        .filter(|(_, _, value)| value.chars().any(char::is_alphabetic))
        .map(|(name, span, value)| Unit {
            kind: UnitKind::FrontMatter(name),
            span,
            tagged: super::blocks::plain_tagged(&value),
        })
        .collect();
    units.sort_by_key(|u| u.span.start);
    Ok(units)
}

/// A field found in the front matter: name, span of its value token in the file, value.
type Field = (String, Range<usize>, String);

fn malformed(
    path: &Path,
    text: &str,
    split: &Split,
    offset: usize,
    format: FrontMatterFormat,
    message: &str,
) -> ContentError {
    let Location { line, column } = text_position::location(text, split.content.start + offset);
    ContentError::MalformedFrontMatter {
        path: path.to_owned(),
        line,
        column,
        format,
        message: message.trim().to_owned(),
    }
}

fn not_string(path: &Path, text: &str, offset: usize, field: &str, found: &str) -> ContentError {
    let Location { line, column } = text_position::location(text, offset);
    ContentError::FieldNotString {
        path: path.to_owned(),
        line,
        column,
        field: field.to_owned(),
        found: found.to_owned(),
    }
}

fn toml_fields(
    path: &Path,
    text: &str,
    split: &Split,
    fields: &[String],
) -> Result<Vec<Field>, ContentError> {
    let base = split.content.start;
    let doc = toml_edit::Document::parse(&text[split.content.clone()]).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        malformed(path, text, split, offset, split.format, e.message())
    })?;
    let mut found = Vec::new();
    for name in fields {
        let Some(item) = doc.as_table().get(name) else {
            continue;
        };
        let offset = base + item.span().map_or(0, |s| s.start);
        match item {
            Item::Value(Value::String(s)) => match s.span() {
                Some(span) => found.push((
                    name.clone(),
                    base + span.start..base + span.end,
                    s.value().clone(),
                )),
                // A parsed document always has spans; without one there is nothing
                // we could replace safely, so the field stays untranslated.
                None => continue,
            },
            other => return Err(not_string(path, text, offset, name, other.type_name())),
        }
    }
    Ok(found)
}

/// The YAML parser counts lines from the start of the front matter and repeats the
/// error's own position in its message (`… at line 4 column 1, while scanning a quoted
/// scalar at line 1 column 8`); the message is given in file lines only (issue 14),
/// without the position the `file:line:column` prefix already gives.
fn file_lines(message: &str, lines_before: usize) -> String {
    static POSITION: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?: at)? line (\d+) column (\d+)").ok());
    let Some(position) = POSITION.as_ref() else {
        return message.to_owned();
    };
    let mut first = true;
    position
        .replace_all(message, |c: &regex::Captures<'_>| {
            let line = c[1].parse::<usize>().unwrap_or(0) + lines_before;
            let at = if c[0].starts_with(" at") { " at" } else { "" };
            if std::mem::take(&mut first) && !at.is_empty() {
                String::new()
            } else {
                format!("{at} line {line} column {}", &c[2])
            }
        })
        .into_owned()
}

fn yaml_fields(
    path: &Path,
    text: &str,
    split: &Split,
    fields: &[String],
) -> Result<Vec<Field>, ContentError> {
    let content = &text[split.content.clone()];
    let value = parse_yaml(content).map_err(|e| {
        let at = e.location().map_or(Location::START, |l| Location {
            line: l.line().max(1),
            column: l.column().max(1),
        });
        let offset = LineIndex::new(content).offset(content, at);
        let first_line = text_position::location(text, split.content.start).line;
        let message = file_lines(&e.to_string(), first_line - 1);
        malformed(path, text, split, offset, split.format, &message)
    })?;
    let mut found = Vec::new();
    for name in fields {
        let key_line = find_key(content, name);
        let offset = split.content.start + key_line.map_or(0, |(line, _)| line);
        match value.get(name.as_str()) {
            None | Some(serde_yaml_ng::Value::Null) => continue,
            Some(serde_yaml_ng::Value::String(s)) => {
                if let Some(span) = yaml_value_span(content, &value, name, s) {
                    let file_span =
                        split.content.start + span.start..split.content.start + span.end;
                    found.push((name.clone(), file_span, s.clone()));
                }
            }
            Some(other) => return Err(not_string(path, text, offset, name, yaml_type(other))),
        }
    }
    Ok(found)
}

fn parse_yaml(content: &str) -> Result<serde_yaml_ng::Value, serde_yaml_ng::Error> {
    if content.trim().is_empty() {
        return Ok(serde_yaml_ng::Value::Null);
    }
    serde_yaml_ng::from_str(content)
}

fn yaml_type(value: &serde_yaml_ng::Value) -> &'static str {
    match value {
        serde_yaml_ng::Value::Bool(_) => "a boolean",
        serde_yaml_ng::Value::Number(_) => "a number",
        serde_yaml_ng::Value::Sequence(_) => "a list",
        serde_yaml_ng::Value::Mapping(_) => "a mapping",
        _ => "not a string",
    }
}

/// The top-level `key:` line: (byte offset of the line, byte offset after the colon).
fn find_key(content: &str, key: &str) -> Option<(usize, usize)> {
    let mut pos = 0;
    for line in content.split_inclusive('\n') {
        for form in [key.to_owned(), format!("\"{key}\""), format!("'{key}'")] {
            if let Some(after) = line.strip_prefix(form.as_str()) {
                let after = after.trim_start_matches([' ', '\t']);
                if let Some(value) = after.strip_prefix(':')
                    && (value.is_empty() || value.starts_with([' ', '\t', '\r', '\n']))
                {
                    return Some((pos, pos + line.len() - value.len()));
                }
            }
        }
        pos += line.len();
    }
    None
}

/// The byte span (in `content`) of the value token of top-level `key`, verified by
/// re-parsing the front matter with the token replaced by a quoted copy of `value`.
/// Fields written in a way this does not understand (e.g. a plain scalar that starts
/// on the line after the key) return `None` and stay untranslated rather than risk
/// corrupting the front matter.
fn yaml_value_span(
    content: &str,
    parsed: &serde_yaml_ng::Value,
    key: &str,
    value: &str,
) -> Option<Range<usize>> {
    let (_, after_colon) = find_key(content, key)?;
    let line_end = content[after_colon..]
        .find('\n')
        .map_or(content.len(), |i| after_colon + i);
    let start = after_colon
        + (content[after_colon..line_end].len()
            - content[after_colon..line_end].trim_start().len());
    let first = content[start..line_end].trim_end();
    if first.is_empty() || first.starts_with('#') {
        return None;
    }
    let end = match first.as_bytes()[0] {
        b'"' => start + quoted_end(&content[start..], b'"')?,
        b'\'' => start + quoted_end(&content[start..], b'\'')?,
        b'|' | b'>' => continuation_end(content, line_end, line_end),
        _ => {
            let token = first.split(" #").next().unwrap_or(first).trim_end();
            continuation_end(content, line_end, start + token.len())
        }
    };
    let span = start..end;
    let mut replaced = content.to_owned();
    replaced.replace_range(span.clone(), &quote(value));
    (parse_yaml(&replaced).ok().as_ref() == Some(parsed)).then_some(span)
}

/// End of a quoted scalar starting at `s[0]` (index after the closing quote).
fn quoted_end(s: &str, quote: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Extends a scalar over the indented lines that follow the key line (multi-line plain
/// and block scalars); returns the end of the last such line, trailing space excluded.
fn continuation_end(content: &str, mut line_end: usize, mut end: usize) -> usize {
    while line_end < content.len() {
        let next = line_end + 1;
        let next_end = content[next..]
            .find('\n')
            .map_or(content.len(), |i| next + i);
        let line = &content[next..next_end];
        if line.trim().is_empty() {
            line_end = next_end;
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            break;
        }
        end = next + line.trim_end().len();
        line_end = next_end;
    }
    end
}

/// A TOML basic string / YAML double-quoted scalar holding `s` (both accept the same
/// escapes for everything produced here).
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The edit that adds `provenance` to the front matter: a byte range of the source to
/// replace (empty: an insertion) and its replacement. A source without front matter
/// (`split` is `None`) gets one in the syntax `added`.
///
/// # Errors
/// [`RenderError::Provenance`] when the front matter already has a `dich` entry where
/// the provenance goes, or `extra` is not a table.
pub(super) fn provenance_edit(
    text: &str,
    (split, added): (Option<&Split>, FrontMatterFormat),
    provenance: &Provenance,
    link_titles: bool,
) -> Result<(Range<usize>, String), RenderError> {
    let fields = provenance_fields(provenance, link_titles);
    let Some(split) = split else {
        let start = super::bom_len(text);
        let newline = if text[start..]
            .split('\n')
            .next()
            .is_some_and(|l| l.ends_with('\r'))
        {
            "\r\n"
        } else {
            "\n"
        };
        let block = match added {
            FrontMatterFormat::Toml => {
                format!("+++{newline}{}+++{newline}", toml_table(&fields, newline))
            }
            FrontMatterFormat::Yaml => {
                format!("---{newline}{}---{newline}", yaml_mapping(&fields, newline))
            }
        };
        return Ok((start..start, block));
    };
    let content = &text[split.content.clone()];
    let end = split.content.end;
    match split.format {
        FrontMatterFormat::Toml => toml_edit_for(content, split, &fields),
        FrontMatterFormat::Yaml => {
            let conflict = match parse_yaml(content) {
                Ok(serde_yaml_ng::Value::Null) => None,
                Ok(serde_yaml_ng::Value::Mapping(m)) if m.contains_key("dich") => {
                    Some("the front matter already has a `dich` key")
                }
                Ok(serde_yaml_ng::Value::Mapping(_)) => None,
                _ => Some("the YAML front matter is not a mapping"),
            };
            if let Some(reason) = conflict {
                return Err(RenderError::Provenance {
                    reason: reason.to_owned(),
                });
            }
            Ok((end..end, yaml_mapping(&fields, split.newline)))
        }
    }
}

/// The provenance's fields as written, with the marker of translated link titles
/// (issue 14) when the document has any.
fn provenance_fields(p: &Provenance, link_titles: bool) -> Vec<(&'static str, &str)> {
    let mut fields: Vec<(&'static str, &str)> = vec![
        ("source", &p.source),
        ("source_hash", &p.source_hash),
        ("lang", &p.lang),
        ("backend", &p.backend),
        ("translated_at", &p.translated_at),
    ];
    if !p.units.is_empty() {
        fields.push(("units", &p.units));
    }
    if link_titles {
        fields.push(super::titles::MARKER);
    }
    fields
}

fn toml_table(fields: &[(&str, &str)], newline: &str) -> String {
    let mut out = format!("[extra.dich]{newline}");
    for (key, value) in fields {
        out.push_str(&format!("{key} = {}{newline}", quote(value)));
    }
    out
}

fn yaml_mapping(fields: &[(&str, &str)], newline: &str) -> String {
    let mut out = format!("dich:{newline}");
    for (key, value) in fields {
        out.push_str(&format!("  {key}: {}{newline}", quote(value)));
    }
    out
}

/// TOML: `[extra.dich]` at the end works after an `[extra]` table and after dotted
/// `extra.*` keys; an inline `extra = { … }` cannot be extended by a header, so the
/// provenance goes into the inline table itself.
fn toml_edit_for(
    content: &str,
    split: &Split,
    fields: &[(&str, &str)],
) -> Result<(Range<usize>, String), RenderError> {
    let conflict = |reason: &str| RenderError::Provenance {
        reason: reason.to_owned(),
    };
    let doc = toml_edit::Document::parse(content)
        .map_err(|_| conflict("the TOML front matter does not parse"))?;
    let end = split.content.end;
    let separator = if content.trim().is_empty() {
        ""
    } else {
        split.newline
    };
    let append = Ok((
        end..end,
        format!("{separator}{}", toml_table(fields, split.newline)),
    ));
    match doc.as_table().get("extra") {
        None => append,
        Some(Item::Table(t)) if t.contains_key("dich") => {
            Err(conflict("the front matter already has `extra.dich`"))
        }
        Some(Item::Table(_)) => append,
        Some(Item::Value(Value::InlineTable(t))) if t.contains_key("dich") => {
            Err(conflict("the front matter already has `extra.dich`"))
        }
        Some(Item::Value(Value::InlineTable(t))) => {
            let span = t
                .span()
                .ok_or_else(|| conflict("`extra` has no position"))?;
            // Insert before the closing brace; inline tables allow no trailing comma.
            let at = split.content.start + span.end - 1;
            let entries: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k} = {}", quote(v)))
                .collect();
            let comma = if t.is_empty() { " " } else { ", " };
            Ok((
                at..at,
                format!("{comma}dich = {{ {} }} ", entries.join(", ")),
            ))
        }
        Some(_) => Err(conflict("`extra` in the front matter is not a table")),
    }
}

/// Reads the provenance back from a translated file's text; `None` when the file has
/// no front matter, it does not parse, or it holds no complete provenance.
pub fn read_provenance(text: &str) -> Option<Provenance> {
    read_dich(text)
}

/// The `dich` entry of a translated file's front matter (`[extra.dich]` in TOML, `dich:`
/// in YAML) read as `T`; `None` when there is none or it does not read as `T`.
pub(super) fn read_dich<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    #[derive(serde::Deserialize)]
    struct TomlFront<T> {
        extra: Option<TomlExtra<T>>,
    }
    #[derive(serde::Deserialize)]
    struct TomlExtra<T> {
        dich: Option<T>,
    }
    #[derive(serde::Deserialize)]
    struct YamlFront<T> {
        dich: Option<T>,
    }
    let split = split(Path::new(""), text).ok()??;
    let content = &text[split.content];
    match split.format {
        FrontMatterFormat::Toml => toml::from_str::<TomlFront<T>>(content).ok()?.extra?.dich,
        FrontMatterFormat::Yaml => serde_yaml_ng::from_str::<YamlFront<T>>(content).ok()?.dich,
    }
}

/// The `title` field of the front matter of `text`, when it is a string; `None` when
/// the file has no front matter, it does not parse, or it has no such title. Reads
/// the front matter only, not the body (the manifest lists every title on every run).
pub fn read_title(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Front {
        title: Option<String>,
    }
    let split = split(Path::new(""), text).ok()??;
    let content = &text[split.content];
    match split.format {
        FrontMatterFormat::Toml => toml::from_str::<Front>(content).ok()?.title,
        FrontMatterFormat::Yaml => serde_yaml_ng::from_str::<Front>(content).ok()?.title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Document;

    fn fields() -> Vec<String> {
        ["title", "description", "summary"]
            .map(String::from)
            .to_vec()
    }

    fn prov() -> Provenance {
        Provenance {
            source: "tin/bai.md".into(),
            source_hash: "sha256:00".into(),
            lang: "en".into(),
            backend: "pseudo \"q\" \\".into(),
            translated_at: "2024-01-02T03:04:05+07:00".into(),
            units: "0123456789ab ba9876543210".into(),
        }
    }

    fn render_with(text: &str, translations: &[&str]) -> Result<String, RenderError> {
        let doc = Document::parse(Path::new("bai.md"), text.as_bytes(), &fields()).unwrap();
        let t: Vec<String> = translations.iter().map(|s| s.to_string()).collect();
        doc.render(&t, &prov())
    }

    #[test]
    fn toml_fields_are_units_with_value_spans() {
        let text = "+++\ntitle = \"Hội nghị\"\ndate = 2019-11-12\ndescription = 'Tóm tắt'\n+++\n";
        let doc = Document::parse(Path::new("a.md"), text.as_bytes(), &fields()).unwrap();
        assert_eq!(doc.format, Some(FrontMatterFormat::Toml));
        let spans: Vec<&str> = doc.units.iter().map(|u| &text[u.span.clone()]).collect();
        assert_eq!(spans, ["\"Hội nghị\"", "'Tóm tắt'"]);
        assert_eq!(
            doc.units[1].kind,
            UnitKind::FrontMatter("description".into())
        );
        assert_eq!(doc.units[1].tagged.text(), "Tóm tắt");
    }

    #[test]
    fn toml_translation_is_quoted_and_other_fields_copied() {
        let text = "+++\ntitle = \"Hội nghị\"  # c\ndate   =  2019-11-12\n[extra]\nauthor = \"Đức\"\n+++\nThân bài.\n";
        let out = render_with(text, &["He said \"hi\" \\ now\nend", "Body."]).unwrap();
        assert!(out.starts_with(
            "+++\ntitle = \"He said \\\"hi\\\" \\\\ now\\nend\"  # c\ndate   =  2019-11-12\n[extra]\nauthor = \"Đức\"\n\n[extra.dich]\n"
        ), "{out}");
        let parsed: toml::Table =
            toml::from_str(&out[4..out[4..].find("+++").unwrap() + 4]).unwrap();
        assert_eq!(parsed["title"].as_str(), Some("He said \"hi\" \\ now\nend"));
        assert_eq!(read_provenance(&out), Some(prov()));
        assert!(out.ends_with("+++\nBody.\n"));
    }

    #[test]
    fn yaml_fields_plain_single_double_and_block() {
        let text = "---\ntitle: Lễ hội Lim # comment\ndescription: 'Hát ''quan họ'''\nsummary: >\n  Dòng một\n  dòng hai\ntags: [a, b]\n---\nBody\n";
        let doc = Document::parse(Path::new("a.md"), text.as_bytes(), &fields()).unwrap();
        let spans: Vec<&str> = doc.units[..3]
            .iter()
            .map(|u| &text[u.span.clone()])
            .collect();
        assert_eq!(
            spans,
            [
                "Lễ hội Lim",
                "'Hát ''quan họ'''",
                ">\n  Dòng một\n  dòng hai"
            ]
        );
        assert_eq!(doc.units[1].tagged.text(), "Hát 'quan họ'");
        let out = render_with(
            text,
            &[
                "Lim \"festival\"",
                "Quan ho: \\ singing",
                "Line\ntwo",
                "Body",
            ],
        )
        .unwrap();
        assert!(out.starts_with("---\ntitle: \"Lim \\\"festival\\\"\" # comment\ndescription: \"Quan ho: \\\\ singing\"\nsummary: \"Line\\ntwo\"\ntags: [a, b]\ndich:\n"), "{out}");
        let back: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&out[4..out.rfind("---").unwrap()]).unwrap();
        assert_eq!(back["summary"].as_str(), Some("Line\ntwo"));
        assert_eq!(read_provenance(&out), Some(prov()));
    }

    #[test]
    fn identity_keeps_front_matter_token_verbatim() {
        let text = "---\ntitle: 'Lễ hội'\n---\nA b.\n";
        let out = render_with(text, &["Lễ hội", "A b."]).unwrap();
        assert!(out.starts_with("---\ntitle: 'Lễ hội'\ndich:\n"), "{out}");
    }

    #[test]
    fn malformed_toml_reports_file_line_and_column() {
        let text = "+++\ntitle = \"a\"\ndate 2019\n+++\nx\n";
        let err =
            Document::parse(Path::new("content/bai.md"), text.as_bytes(), &fields()).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(
                err,
                ContentError::MalformedFrontMatter {
                    line: 3,
                    column: 6,
                    ..
                }
            ),
            "{msg}"
        );
        assert!(
            msg.starts_with("content/bai.md:3:6: malformed TOML front matter: "),
            "{msg}"
        );
        assert!(
            msg.ends_with("(fix the front matter between the `+++` lines)"),
            "{msg}"
        );
    }

    #[test]
    fn malformed_yaml_reports_file_line() {
        let text = "---\ntitle: a\nx: [1, 2\n---\nx\n";
        let err = Document::parse(Path::new("bai.md"), text.as_bytes(), &fields()).unwrap_err();
        assert!(
            matches!(err, ContentError::MalformedFrontMatter { line, .. } if line >= 3),
            "{err}"
        );
    }

    /// Issue 14: one numbering system in a message, the file's.
    #[test]
    fn malformed_yaml_speaks_in_file_lines_only() {
        let text = "---\ntitle: \"Tin\ndescription: x\ntags: [a]\n---\n\nx\n";
        let msg = Document::parse(Path::new("bai.md"), text.as_bytes(), &fields())
            .unwrap_err()
            .to_string();
        // The quoted scalar opens on file line 2, column 8.
        assert!(msg.contains("quoted scalar at line 2 column 8"), "{msg}");
        let prefix = msg.split(": ").next().unwrap_or_default();
        assert_eq!(msg.matches("line ").count(), 1, "{msg}");
        assert!(prefix.starts_with("bai.md:"), "{msg}");
    }

    #[test]
    fn unterminated_and_non_string_fields_are_errors() {
        let err =
            Document::parse(Path::new("b.md"), b"+++\ntitle = \"a\"\n", &fields()).unwrap_err();
        assert!(
            matches!(err, ContentError::UnterminatedFrontMatter { .. }),
            "{err}"
        );
        let err = Document::parse(
            Path::new("b.md"),
            b"+++\na = 1\ntitle = 5\n+++\n",
            &fields(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ContentError::FieldNotString {
                    line: 3,
                    column: 9,
                    ..
                }
            ),
            "{err}"
        );
        let err =
            Document::parse(Path::new("b.md"), b"---\ntitle: [1]\n---\n", &fields()).unwrap_err();
        assert!(
            matches!(err, ContentError::FieldNotString { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn bom_and_crlf_front_matter() {
        let text = "\u{feff}+++\r\ntitle = \"Tin\"\r\n+++\r\nMột câu.\r\n";
        let doc = Document::parse(Path::new("a.md"), text.as_bytes(), &fields()).unwrap();
        assert_eq!(&text[doc.units[0].span.clone()], "\"Tin\"");
        let out = render_with(text, &["News", "One sentence."]).unwrap();
        assert!(
            out.starts_with("\u{feff}+++\r\ntitle = \"News\"\r\n\r\n[extra.dich]\r\nsource = "),
            "{out:?}"
        );
        assert!(out.ends_with("+++\r\nOne sentence.\r\n"), "{out:?}");
        assert_eq!(read_provenance(&out), Some(prov()));
    }

    #[test]
    fn inline_and_dotted_extra_tables() {
        let inline = "+++\ntitle = \"A b\"\nextra = { author = \"Quý\" }\n+++\n";
        let out = render_with(inline, &["A b"]).unwrap();
        assert!(
            out.contains("extra = { author = \"Quý\" , dich = { source = "),
            "{out}"
        );
        assert_eq!(read_provenance(&out), Some(prov()));
        let empty = "+++\nextra = {}\n+++\n";
        assert_eq!(
            read_provenance(&render_with(empty, &[]).unwrap()),
            Some(prov())
        );
        let dotted = "+++\nextra.author = \"Quý\"\n+++\n";
        assert_eq!(
            read_provenance(&render_with(dotted, &[]).unwrap()),
            Some(prov())
        );
        let taken = "+++\n[extra.dich]\na = 1\n+++\n";
        assert!(matches!(
            render_with(taken, &[]),
            Err(RenderError::Provenance { .. })
        ));
    }

    #[test]
    fn no_front_matter_gets_a_toml_one() {
        let out = render_with("Chào.\n", &["Hello."]).unwrap();
        assert!(out.starts_with("+++\n[extra.dich]\n"), "{out}");
        assert!(out.ends_with("+++\nHello.\n"));
        assert_eq!(read_provenance(&out), Some(prov()));
        assert_eq!(read_provenance("no front matter"), None);
    }

    #[test]
    fn no_front_matter_gets_a_yaml_one_when_asked_and_its_own_syntax_wins() {
        let yaml = |text: &str| {
            Document::parse(Path::new("bai.md"), text.as_bytes(), &fields())
                .unwrap()
                .with_added_front_matter(FrontMatterFormat::Yaml)
                .render(&["Hello.".to_owned()], &prov())
                .unwrap()
        };
        let out = yaml("\u{feff}Chào.\r\n");
        assert!(
            out.starts_with("\u{feff}---\r\ndich:\r\n  source: \"tin/bai.md\"\r\n"),
            "{out:?}"
        );
        assert!(out.ends_with("---\r\nHello.\r\n"), "{out:?}");
        assert_eq!(read_provenance(&out), Some(prov()));
        // A source with front matter keeps its own syntax.
        let out = yaml("+++\n+++\nChào.\n");
        assert!(out.starts_with("+++\n[extra.dich]\n"), "{out}");
    }

    #[test]
    fn empty_yaml_front_matter_and_dich_conflict() {
        assert_eq!(
            read_provenance(&render_with("---\n---\nA b\n", &["A b"]).unwrap()),
            Some(prov())
        );
        assert!(matches!(
            render_with("---\ndich: 1\n---\n", &[]),
            Err(RenderError::Provenance { .. })
        ));
    }

    #[test]
    fn front_matter_after_blank_lines_is_front_matter() {
        // As in Zola's docs (`themes/HayFlow/index.md`): Zola and Hugo read it.
        let text = "\n+++\ntitle = \"Tin\"\ntemplate = \"theme.html\"\n+++\n\nMột câu.\n";
        let doc = Document::parse(Path::new("a.md"), text.as_bytes(), &fields()).unwrap();
        assert_eq!(doc.format, Some(FrontMatterFormat::Toml));
        assert_eq!(doc.units.len(), 2);
        let out = render_with(text, &["News", "One sentence."]).unwrap();
        assert!(
            out.starts_with("\n+++\ntitle = \"News\"\ntemplate = \"theme.html\"\n"),
            "{out}"
        );
        assert!(out.ends_with("+++\n\nOne sentence.\n"), "{out}");
        assert_eq!(out.matches("+++").count(), 2, "{out}");
        assert_eq!(read_provenance(&out), Some(prov()));
        let yaml = "\r\n  \r\n---\r\ntitle: Tin\r\n---\r\nMột câu.\r\n";
        let doc = Document::parse(Path::new("a.md"), yaml.as_bytes(), &fields()).unwrap();
        assert_eq!(doc.format, Some(FrontMatterFormat::Yaml));
        // Unterminated: the error names the opening line.
        let broken = "\n\n+++\ntitle = \"Tin\"\n";
        let err = Document::parse(Path::new("a.md"), broken.as_bytes(), &fields()).unwrap_err();
        assert!(err.to_string().contains(":3"), "{err}");
    }
}
