//! Rendering a [`CheckReport`] as text: for people (rustc style) and as JSON. Pure
//! functions returning `String`. GitHub workflow commands are the CLI's one
//! implementation (`--format github`), shared by every command.

use std::fmt::Write as _;

use super::diagnostic::{CheckReport, Diagnostic, path_string};

/// rustc-style text: one block per diagnostic with the source line and a caret, then a
/// summary line.
pub fn human(report: &CheckReport) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        human_one(d, &mut out);
    }
    let s = &report.summary;
    if s.errors + s.warnings == 0 {
        let _ = writeln!(out, "ok: {} files checked, no problems", s.files);
    } else {
        let _ = writeln!(
            out,
            "{}: {} {}, {} {} in {} files checked",
            if s.errors > 0 { "error" } else { "warning" },
            s.errors,
            plural(s.errors, "error", "errors"),
            s.warnings,
            plural(s.warnings, "warning", "warnings"),
            s.files
        );
    }
    out
}

fn plural(n: usize, one: &'static str, other: &'static str) -> &'static str {
    if n == 1 { one } else { other }
}

fn human_one(d: &Diagnostic, out: &mut String) {
    let _ = writeln!(out, "{}[{}]: {}", d.severity, d.code, d.message);
    let file = path_string(&d.file);
    if d.line == 0 {
        let _ = writeln!(out, "  --> {file}");
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "  --> {file}:{}:{}", d.line, d.column);
    if let Some(source) = &d.source_line {
        let gutter = " ".repeat(d.line.to_string().len());
        let pad = caret_padding(source, d.column);
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{} | {source}", d.line);
        let _ = writeln!(out, "{gutter} | {pad}^");
    }
    out.push('\n');
}

/// What goes before the caret under 1-based character `column` of `source`.
///
/// The column reported (`--> file:line:column`, JSON, GitHub) counts characters, as
/// rustc's does; the caret is placed by display width, as rustc draws it: a Hangul or
/// Han character takes two terminal columns, a combining mark none. Counting
/// characters put the caret half a line too far left under Korean and Chinese text.
/// Tabs are kept as tabs so the caret follows the line's own indentation.
fn caret_padding(source: &str, column: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let mut pad = String::new();
    for c in source.chars().take(column.saturating_sub(1)) {
        if c == '\t' {
            pad.push('\t');
        } else {
            // Control characters have no width (`None`); they print nothing.
            pad.extend(std::iter::repeat_n(' ', c.width().unwrap_or(0)));
        }
    }
    pad
}

/// The report as pretty JSON: `{"diagnostics": […], "summary": {…}}` (schema in
/// `docs/output.md`).
pub fn json(report: &CheckReport) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluent::{CheckCode, Severity};

    fn sample() -> CheckReport {
        let at_line = Diagnostic {
            file: "locales/ko/main.ftl".into(),
            line: 2,
            column: 8,
            severity: Severity::Error,
            code: CheckCode::UnknownVariable,
            id: Some("hello".into()),
            message: "`$nme` is not a variable, 100%\nreally".into(),
            source_line: Some("hello = { $nme }".into()),
        };
        let whole_file =
            Diagnostic::file_level("locales/en/x,y.ftl", CheckCode::MissingFile, "no file");
        CheckReport::new(vec![at_line, whole_file], 3)
    }

    #[test]
    fn human_looks_like_rustc() {
        let text = human(&sample());
        let expected = "warning[missing-file]: no file\n  --> locales/en/x,y.ftl\n\n\
error[unknown-variable]: `$nme` is not a variable, 100%\nreally\n  --> locales/ko/main.ftl:2:8\n  |\n2 | hello = { $nme }\n  |        ^\n\n\
error: 1 error, 1 warning in 3 files checked\n";
        assert_eq!(text, expected);
        assert_eq!(
            human(&CheckReport::new(vec![], 2)),
            "ok: 2 files checked, no problems\n"
        );
    }

    /// The caret sits under the reported character however wide the text before it
    /// is: Hangul and Han characters take two terminal columns each (issue 10, item 11).
    #[test]
    fn caret_counts_display_width_under_korean_and_chinese() {
        let at = |line: &str, column: usize| Diagnostic {
            file: "locales/ko/main.ftl".into(),
            line: 1,
            column,
            severity: Severity::Error,
            code: CheckCode::SyntaxError,
            id: None,
            message: "x".into(),
            source_line: Some(line.into()),
        };
        // `{` is character 22 of the Korean line: 16 ASCII + 2 Hangul + 3 ASCII.
        let korean = human(&CheckReport::new(
            vec![at("article-print = 기사 { 인쇄", 22)],
            1,
        ));
        assert!(
            korean.contains("1 | article-print = 기사 { 인쇄\n  |                        ^\n"),
            "{korean}"
        );
        // `$` is character 10 of the Chinese line: 5 ASCII + 2 Han + 2 ASCII.
        let chinese = human(&CheckReport::new(vec![at("a = 你好 { $x }", 10)], 1));
        assert!(
            chinese.contains("1 | a = 你好 { $x }\n  |            ^\n"),
            "{chinese}"
        );
        // A tab stays a tab, so the caret follows the same indentation.
        let tabbed = human(&CheckReport::new(vec![at("\t.title = 标题 { $x", 14)], 1));
        assert!(tabbed.contains("  | \t              ^\n"), "{tabbed}");
    }

    #[test]
    fn json_has_the_documented_schema() {
        let value: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(
            value["summary"],
            serde_json::json!({"errors": 1, "warnings": 1, "files": 3})
        );
        let d = &value["diagnostics"][1];
        assert_eq!(d["file"], "locales/ko/main.ftl");
        assert_eq!(d["line"], 2);
        assert_eq!(d["column"], 8);
        assert_eq!(d["severity"], "error");
        assert_eq!(d["code"], "unknown-variable");
        assert_eq!(d["id"], "hello");
        assert_eq!(d["source_line"], "hello = { $nme }");
        assert_eq!(value["diagnostics"][0]["id"], serde_json::Value::Null);
    }
}
