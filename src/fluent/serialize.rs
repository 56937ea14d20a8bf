//! Writing Fluent syntax for the parts of messages dich creates: inline expressions
//! (the markup behind placeable tags and selectors), escaped text, and whole patterns
//! with selects, in the layout Fluent's own examples use (4-space indents, `*[other]`
//! one column left of its siblings).
//!
//! Existing files are never re-serialized (see [`super::translate`]); only new
//! messages are written by this module.

use std::fmt::Write as _;

use fluent_syntax::ast;

/// Fluent source of an inline expression, e.g. `NUMBER($count, minimumFractionDigits: 2)`.
pub(crate) fn inline(expr: &ast::InlineExpression<&str>) -> String {
    use ast::InlineExpression as I;
    match expr {
        // String literals are kept raw by the parser (escapes unprocessed).
        I::StringLiteral { value } => format!("\"{value}\""),
        I::NumberLiteral { value } => (*value).to_owned(),
        I::VariableReference { id } => format!("${}", id.name),
        I::MessageReference { id, attribute } => with_attribute(id.name, attribute.as_ref()),
        I::TermReference {
            id,
            attribute,
            arguments,
        } => {
            let mut out = format!("-{}", with_attribute(id.name, attribute.as_ref()));
            if let Some(args) = arguments {
                out.push_str(&call_arguments(args));
            }
            out
        }
        I::FunctionReference { id, arguments } => {
            format!("{}{}", id.name, call_arguments(arguments))
        }
        I::Placeable { expression } => match expression.as_ref() {
            ast::Expression::Inline(inner) => format!("{{ {} }}", inline(inner)),
            // A select inside an inline placeable is rare; keep its selector form.
            ast::Expression::Select { selector, .. } => format!("{{ {} }}", inline(selector)),
        },
    }
}

fn with_attribute(id: &str, attribute: Option<&ast::Identifier<&str>>) -> String {
    match attribute {
        Some(attr) => format!("{id}.{}", attr.name),
        None => id.to_owned(),
    }
}

fn call_arguments(args: &ast::CallArguments<&str>) -> String {
    let mut parts: Vec<String> = args.positional.iter().map(inline).collect();
    parts.extend(
        args.named
            .iter()
            .map(|n| format!("{}: {}", n.name.name, inline(&n.value))),
    );
    format!("({})", parts.join(", "))
}

/// Escapes text so that it stays text in Fluent: braces become string literals.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '{' => out.push_str("{ \"{\" }"),
            '}' => out.push_str("{ \"}\" }"),
            _ => out.push(c),
        }
    }
    out
}

/// A pattern dich writes: final Fluent text (placeables restored, braces escaped) and
/// selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Out {
    Text(String),
    Select {
        selector: String,
        variants: Vec<OutVariant>,
    },
}

/// One variant of a written select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutVariant {
    pub(crate) key: String,
    pub(crate) default: bool,
    pub(crate) pattern: Vec<Out>,
}

/// `name = pattern` (or `.name = pattern` for attributes at `indent`), with the pattern
/// inline when it is one line of text, else as an indented block.
pub(crate) fn field(out: &mut String, prefix: &str, pattern: &[Out], indent: usize) {
    let pad = " ".repeat(indent);
    let _ = write!(out, "{pad}{prefix} =");
    match single_line(pattern) {
        Some(text) => {
            let _ = writeln!(out, " {text}");
        }
        None => {
            out.push('\n');
            block(out, pattern, indent + 4);
        }
    }
}

fn single_line(pattern: &[Out]) -> Option<String> {
    match pattern {
        // Fluent trims blank text away, and a message with no value does not parse
        // (found by fuzzing: `a = \t`): whitespace-only text is written as a literal.
        [Out::Text(text)] if text.trim().is_empty() => Some(whitespace_literal(text)),
        [Out::Text(text)] if !text.contains('\n') => {
            // `[`, `*` and `.` are special only at the start of an indented line.
            Some(text.trim().to_owned())
        }
        _ => None,
    }
}

/// `{ "…" }` holding exactly `text` (whitespace), line ends as `\u` escapes since a
/// string literal cannot span lines.
fn whitespace_literal(text: &str) -> String {
    let mut out = String::from("{ \"");
    for c in text.chars() {
        match c {
            '\n' | '\r' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out.push_str("\" }");
    out
}

/// Writes a pattern as indented lines.
fn block(out: &mut String, pattern: &[Out], indent: usize) {
    let pad = " ".repeat(indent);
    let mut line = String::new();
    for part in pattern {
        match part {
            Out::Text(text) => {
                let mut lines = text.split('\n');
                if let Some(first) = lines.next() {
                    line.push_str(first);
                }
                for next in lines {
                    flush_line(out, &pad, &mut line);
                    line.push_str(next);
                }
            }
            Out::Select { selector, variants } => {
                flush_line(out, &pad, &mut line);
                let _ = writeln!(out, "{pad}{{ {selector} ->");
                for variant in variants {
                    let marker = if variant.default { "*" } else { " " };
                    let head = format!("{}{marker}[{}]", " ".repeat(indent + 3), variant.key);
                    match single_line(&variant.pattern) {
                        Some(text) => {
                            let _ = writeln!(out, "{head} {text}");
                        }
                        None => {
                            let _ = writeln!(out, "{head}");
                            block(out, &variant.pattern, indent + 8);
                        }
                    }
                }
                let _ = writeln!(out, "{pad}}}");
            }
        }
    }
    flush_line(out, &pad, &mut line);
}

fn flush_line(out: &mut String, pad: &str, line: &mut String) {
    let text = line.trim();
    if text.is_empty() {
        if !line.is_empty() {
            out.push('\n');
        }
    } else {
        let _ = writeln!(out, "{pad}{}", guard_line_start(text));
    }
    line.clear();
}

/// A line starting with `[`, `*` or `.` would read as a variant or an attribute.
fn guard_line_start(text: &str) -> String {
    match text.chars().next() {
        Some(c @ ('[' | '*' | '.')) => format!("{{ \"{c}\" }}{}", &text[c.len_utf8()..]),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_selects_in_fluent_layout() {
        let pattern = vec![Out::Select {
            selector: "$count".into(),
            variants: vec![
                OutVariant {
                    key: "one".into(),
                    default: false,
                    pattern: vec![Out::Text("{ $count } view".into())],
                },
                OutVariant {
                    key: "other".into(),
                    default: true,
                    pattern: vec![Out::Text("{ $count } views\nand more".into())],
                },
            ],
        }];
        let mut out = String::new();
        field(&mut out, "views", &pattern, 0);
        assert_eq!(
            out,
            "views =\n    { $count ->\n        [one] { $count } view\n       *[other]\n            { $count } views\n            and more\n    }\n"
        );
        let parsed = fluent_syntax::parser::parse(out.as_str());
        assert!(parsed.is_ok());
    }

    #[test]
    fn whitespace_only_values_stay_values() {
        for text in ["\t", " ", "", "\n\t"] {
            let mut out = String::new();
            field(&mut out, "a", &[Out::Text(text.into())], 0);
            let parsed = fluent_syntax::parser::parse(out.as_str());
            assert!(parsed.is_ok(), "{text:?} gave {out:?}");
        }
    }

    #[test]
    fn escapes_braces_and_line_starts() {
        assert_eq!(escape_text("a {b}"), "a { \"{\" }b{ \"}\" }");
        let mut out = String::new();
        field(&mut out, ".title", &[Out::Text("[x] *y\n.z".into())], 4);
        assert_eq!(
            out,
            "    .title =\n        { \"[\" }x] *y\n        { \".\" }z\n"
        );
        assert!(fluent_syntax::parser::parse(format!("a =\n{out}").as_str()).is_ok());
    }
}
