//! Parsing `.ftl` text with `fluent-syntax` into an owned summary ([`FileModel`]) that
//! the checks and the translator work on, with byte offsets turned into line:column.
//!
//! The parser's AST has no spans, but with `S = &str` every identifier, text element,
//! comment line and Junk entry is a slice of the input, so its position is its pointer
//! distance from the start of the input ([`offset_in`]). No `unsafe` is involved: only
//! addresses are compared.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;
use fluent_syntax::parser::{self, ParserError};

/// Where `slice` starts inside `source`, when it is a slice of it.
pub(crate) fn offset_in(source: &str, slice: &str) -> Option<usize> {
    let base = source.as_ptr() as usize;
    let at = slice.as_ptr() as usize;
    (at >= base && at + slice.len() <= base + source.len()).then(|| at - base)
}

/// A `$variable`, message or term reference found in a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// Message id, or term id with its leading `-`.
    pub(crate) id: String,
    /// `msg.attr` / `-term.attr`.
    pub(crate) attribute: Option<String>,
    pub(crate) offset: usize,
}

/// One variant key of a select expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) numeric: bool,
    /// The `*[default]` variant.
    pub(crate) default: bool,
    pub(crate) offset: usize,
}

/// A select expression, and whether it selects on a plural category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Select {
    pub(crate) offset: usize,
    /// Selector is `$var` or `NUMBER($var)` and every key is a CLDR category or a number.
    pub(crate) plural: bool,
    pub(crate) keys: Vec<Key>,
}

/// What the checks need to know about one pattern (a value or an attribute).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PatternInfo {
    /// Every `$variable`, with the offset of its first use.
    pub(crate) variables: BTreeMap<String, usize>,
    /// Variables formatted as numbers (plural selectors, `NUMBER()` arguments).
    pub(crate) numeric: BTreeSet<String>,
    /// Variables formatted as dates (`DATETIME()` arguments).
    pub(crate) dates: BTreeSet<String>,
    pub(crate) references: Vec<Reference>,
    pub(crate) selects: Vec<Select>,
}

/// An attribute of a message or term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttributeInfo {
    pub(crate) name: String,
    pub(crate) offset: usize,
    pub(crate) pattern: PatternInfo,
}

/// A message or term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryInfo {
    /// Message id, or term id with its leading `-`.
    pub(crate) id: String,
    /// Byte offset of the id.
    pub(crate) offset: usize,
    /// Byte offset of the entry's first line (its attached comment included).
    pub(crate) start: usize,
    /// Byte offset just after the entry's last non-blank character.
    pub(crate) end: usize,
    pub(crate) value: Option<PatternInfo>,
    pub(crate) attributes: Vec<AttributeInfo>,
}

/// A parse error, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxIssue {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// The owned summary of one parsed `.ftl` text.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileModel {
    pub(crate) entries: Vec<EntryInfo>,
    pub(crate) syntax: Vec<SyntaxIssue>,
    /// Ids that start a Junk entry (`id = …` that failed to parse): the message is
    /// there, broken, and reported as a syntax error rather than as missing.
    pub(crate) junk_ids: Vec<String>,
}

impl FileModel {
    /// Parses `text`; syntax errors are collected, never fatal.
    pub(crate) fn parse(text: &str) -> FileModel {
        let (resource, errors) = match parser::parse(text) {
            Ok(resource) => (resource, Vec::new()),
            Err((resource, errors)) => (resource, errors),
        };
        let syntax = syntax_issues(text, &resource, &errors);
        let starts: Vec<usize> = resource.body.iter().map(|e| entry_start(text, e)).collect();
        let mut entries = Vec::new();
        for (i, entry) in resource.body.iter().enumerate() {
            let next = starts.get(i + 1).copied().unwrap_or(text.len());
            let end = starts[i] + text[starts[i]..next.max(starts[i])].trim_end().len();
            if let Some(info) = entry_info(text, entry, starts[i], end) {
                entries.push(info);
            }
        }
        let junk_ids = resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                ast::Entry::Junk { content } => junk_id(content),
                _ => None,
            })
            .collect();
        FileModel {
            entries,
            syntax,
            junk_ids,
        }
    }

    /// The entry with `id`, first definition.
    pub(crate) fn get(&self, id: &str) -> Option<&EntryInfo> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// One issue per parser error; a Junk entry the parser gave no error for still counts.
/// The id a Junk entry was meant to define, if its first line reads `id =` or `-id =`.
fn junk_id(content: &str) -> Option<String> {
    let line = content.lines().find(|l| !l.trim_start().starts_with('#'))?;
    let (id, _) = line.split_once('=')?;
    let id = id.trim();
    let name = id.strip_prefix('-').unwrap_or(id);
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| id.to_owned())
}

/// Where the parser stopped reading the entry: fluent-syntax reports an unclosed `{`
/// after the blank it skipped, on the next line (issue 14: line 27 for an unclosed
/// `{` on line 26), so the offset moves back over whitespace that crosses a line end.
fn stopped_at(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    let kept = before.trim_end();
    if before[kept.len()..].contains('\n') {
        kept.len()
    } else {
        offset
    }
}

fn syntax_issues(
    text: &str,
    resource: &ast::Resource<&str>,
    errors: &[ParserError],
) -> Vec<SyntaxIssue> {
    let mut issues: Vec<SyntaxIssue> = errors
        .iter()
        .map(|e| SyntaxIssue {
            offset: stopped_at(text, e.pos.start),
            message: e.kind.to_string(),
        })
        .collect();
    for entry in &resource.body {
        if let ast::Entry::Junk { content } = entry {
            let start = offset_in(text, content).unwrap_or(0);
            let end = start + content.len();
            let covered = errors
                .iter()
                .any(|e| e.pos.start >= start && e.pos.start <= end);
            if !covered {
                issues.push(SyntaxIssue {
                    offset: start,
                    message: "Unparsable entry (Junk)".to_owned(),
                });
            }
        }
    }
    issues
}

fn entry_start(text: &str, entry: &ast::Entry<&str>) -> usize {
    let index_line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let comment_start = |c: &ast::Comment<&str>| {
        c.content
            .first()
            .and_then(|line| offset_in(text, line))
            .map(index_line_start)
    };
    let found = match entry {
        ast::Entry::Message(m) => m
            .comment
            .as_ref()
            .and_then(comment_start)
            .or_else(|| offset_in(text, m.id.name)),
        ast::Entry::Term(t) => t
            .comment
            .as_ref()
            .and_then(comment_start)
            .or_else(|| offset_in(text, t.id.name).map(|o| o.saturating_sub(1))),
        ast::Entry::Comment(c) | ast::Entry::GroupComment(c) | ast::Entry::ResourceComment(c) => {
            comment_start(c)
        }
        ast::Entry::Junk { content } => offset_in(text, content),
    };
    found.map_or(0, index_line_start)
}

fn entry_info(text: &str, entry: &ast::Entry<&str>, start: usize, end: usize) -> Option<EntryInfo> {
    let (id, offset, value, attributes) = match entry {
        ast::Entry::Message(m) => (
            m.id.name.to_owned(),
            offset_in(text, m.id.name)?,
            m.value.as_ref(),
            &m.attributes,
        ),
        ast::Entry::Term(t) => (
            format!("-{}", t.id.name),
            offset_in(text, t.id.name)?.saturating_sub(1),
            Some(&t.value),
            &t.attributes,
        ),
        _ => return None,
    };
    Some(EntryInfo {
        id,
        offset,
        start,
        end,
        value: value.map(|p| pattern_info(text, p)),
        attributes: attributes
            .iter()
            .map(|a| AttributeInfo {
                name: a.id.name.to_owned(),
                offset: offset_in(text, a.id.name).unwrap_or(offset),
                pattern: pattern_info(text, &a.value),
            })
            .collect(),
    })
}

fn pattern_info(text: &str, pattern: &ast::Pattern<&str>) -> PatternInfo {
    let mut info = PatternInfo::default();
    walk_pattern(text, pattern, &mut info);
    info
}

fn walk_pattern(text: &str, pattern: &ast::Pattern<&str>, info: &mut PatternInfo) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            walk_expression(text, expression, info);
        }
    }
}

fn walk_expression(text: &str, expression: &ast::Expression<&str>, info: &mut PatternInfo) {
    match expression {
        ast::Expression::Inline(inline) => walk_inline(text, inline, info),
        ast::Expression::Select { selector, variants } => {
            walk_inline(text, selector, info);
            let keys: Vec<Key> = variants.iter().map(|v| key(text, v)).collect();
            let plural_var = plural_selector(selector);
            let plural = plural_var.is_some() && keys.iter().all(|k| k.numeric || is_cldr(&k.name));
            if let (true, Some(var)) = (plural, plural_var) {
                info.numeric.insert(var.to_owned());
            }
            info.selects.push(Select {
                offset: keys.first().map_or(0, |k| k.offset),
                plural,
                keys,
            });
            for variant in variants {
                walk_pattern(text, &variant.value, info);
            }
        }
    }
}

fn walk_inline(text: &str, inline: &ast::InlineExpression<&str>, info: &mut PatternInfo) {
    use ast::InlineExpression as I;
    match inline {
        I::VariableReference { id } => {
            // Point at the `$`, as term references point at their `-`.
            let offset = offset_in(text, id.name).map_or(0, |o| o.saturating_sub(1));
            info.variables.entry(id.name.to_owned()).or_insert(offset);
        }
        I::MessageReference { id, attribute } => info.references.push(Reference {
            id: id.name.to_owned(),
            attribute: attribute.as_ref().map(|a| a.name.to_owned()),
            offset: offset_in(text, id.name).unwrap_or(0),
        }),
        I::TermReference {
            id,
            attribute,
            arguments,
        } => {
            info.references.push(Reference {
                id: format!("-{}", id.name),
                attribute: attribute.as_ref().map(|a| a.name.to_owned()),
                offset: offset_in(text, id.name).map_or(0, |o| o.saturating_sub(1)),
            });
            if let Some(args) = arguments {
                walk_arguments(text, args, info);
            }
        }
        I::FunctionReference { id, arguments } => {
            for arg in &arguments.positional {
                if let I::VariableReference { id: var } = arg {
                    match id.name {
                        "NUMBER" => info.numeric.insert(var.name.to_owned()),
                        "DATETIME" => info.dates.insert(var.name.to_owned()),
                        _ => false,
                    };
                }
            }
            walk_arguments(text, arguments, info);
        }
        I::Placeable { expression } => walk_expression(text, expression, info),
        I::StringLiteral { .. } | I::NumberLiteral { .. } => {}
    }
}

fn walk_arguments(text: &str, args: &ast::CallArguments<&str>, info: &mut PatternInfo) {
    for arg in &args.positional {
        walk_inline(text, arg, info);
    }
    for named in &args.named {
        walk_inline(text, &named.value, info);
    }
}

fn key(text: &str, variant: &ast::Variant<&str>) -> Key {
    let (name, numeric) = match variant.key {
        ast::VariantKey::Identifier { name } => (name, false),
        ast::VariantKey::NumberLiteral { value } => (value, true),
    };
    Key {
        name: name.to_owned(),
        numeric,
        default: variant.default,
        offset: offset_in(text, name).unwrap_or(0),
    }
}

/// The variable of a `$var` or `NUMBER($var, …)` selector.
pub(crate) fn plural_selector<'s>(selector: &ast::InlineExpression<&'s str>) -> Option<&'s str> {
    match selector {
        ast::InlineExpression::VariableReference { id } => Some(id.name),
        ast::InlineExpression::FunctionReference { id, arguments } if id.name == "NUMBER" => {
            // Ordinal selects (`type: "ordinal"`) follow other rules than cardinal ones.
            let ordinal = arguments.named.iter().any(|arg| {
                arg.name.name == "type"
                    && matches!(arg.value, ast::InlineExpression::StringLiteral { value } if value == "ordinal")
            });
            if ordinal {
                return None;
            }
            match arguments.positional.first() {
                Some(ast::InlineExpression::VariableReference { id }) => Some(id.name),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The CLDR plural category names.
pub(crate) const CLDR_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// True for a CLDR plural category name.
pub(crate) fn is_cldr(name: &str) -> bool {
    CLDR_CATEGORIES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_has_offsets_variables_and_selects() {
        let text = "# c\nhello = Xin chào { $name }\n    .title = { -brand }\n\n-brand = B\nn = { NUMBER($count) ->\n    [0] không\n   *[other] { $count }\n}\n";
        let model = FileModel::parse(text);
        assert!(model.syntax.is_empty());
        let hello = model.get("hello").unwrap();
        assert_eq!(hello.start, 0);
        assert_eq!(&text[hello.offset..hello.offset + 5], "hello");
        assert_eq!(
            &text[hello.start..hello.end],
            "# c\nhello = Xin chào { $name }\n    .title = { -brand }"
        );
        assert!(hello.value.as_ref().unwrap().variables.contains_key("name"));
        assert_eq!(hello.attributes[0].pattern.references[0].id, "-brand");
        let term = model.get("-brand").unwrap();
        assert_eq!(&text[term.offset..term.offset + 6], "-brand");
        let n = model.get("n").unwrap().value.clone().unwrap();
        assert!(n.selects[0].plural);
        assert!(n.numeric.contains("count"));
    }

    #[test]
    fn junk_is_reported_with_offset() {
        let text = "ok = fine\nbad = { $x\nnext = ok\n";
        let model = FileModel::parse(text);
        assert_eq!(model.syntax.len(), 1);
        assert!(model.syntax[0].offset >= text.find("bad").unwrap());
        assert!(model.get("next").is_some());
    }

    #[test]
    fn an_unclosed_brace_is_located_where_the_line_ends() {
        let text = "ok = fine\nbad = { $x\n\nnext = ok\n";
        let model = FileModel::parse(text);
        assert_eq!(model.syntax.len(), 1);
        assert_eq!(model.syntax[0].offset, text.find("\n\n").unwrap());
    }
}
