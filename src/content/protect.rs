//! Template syntax that is never translated: Hugo shortcodes (`{{< … >}}`, `{{% … %}}`,
//! the `{{</* … */>}}` escape), Zola shortcodes (`{{ name(args) }}`, `{% name(args) %}`,
//! `{% end %}`), Liquid and Tera raw blocks, wiki links and table-of-contents markers
//! (`[[Page]]`, `[[toc]]`), Font Awesome icons in the LoveIt family of Hugo themes
//! (`:(fab fa-github):`), TeX math (`$$…$$`, `$…$`, `\begin{align}…\end{align}`), MyST roles
//! (`{doc}`), Material for MkDocs' icons and annotation markers (`:material-check:`, `(1)`),
//! snippet inclusions (`<<< @/a.js`, `--8<-- "a.md"`), attribute lists (`{#id}`, `{.class}`,
//! `{ style="…" }`, kramdown's `{: .note}`, a container fence's `{open}`) and the patterns a
//! project adds in `config.toml` (`[content] protect`).
//!
//! Invariant: a protected span is never sent to a backend and is written back byte for
//! byte. The Markdown parser sees each span masked by inert letters of the same length
//! (newlines kept), so markup characters inside a shortcode (`*`, `_`, `[`, `<`) can
//! neither pair with markup outside it nor change the block structure around it.

use std::borrow::Cow;
use std::ops::Range;

use regex::Regex;

/// The built-in patterns, in priority order (an earlier match wins an overlap). The
/// last one, attribute lists, is not masked: pulldown-cmark reads a heading's `{#id}`
/// itself.
const BUILT_IN: [&str; 19] = [
    // Liquid's and Tera's raw blocks (Jekyll, Zola): literal template text, often
    // inside a code span that the tags around it split (`{% raw %}`{%`{% endraw %}`).
    r"(?s)\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}",
    // Hugo: `{{< … >}}` (with its `{{</* … */>}}` escape) and `{{% … %}}`.
    r"(?s)\{\{<.*?>\}\}",
    r"(?s)\{\{%.*?%\}\}",
    // Zola (and Tera/Jinja-like) expressions and block tags: `{{ f(x) }}`, `{% end %}`.
    r"(?s)\{\{.*?\}\}",
    r"(?s)\{%.*?%\}",
    // Wiki links and embeds (Obsidian, Foam, GitLab and GitHub wikis): `[[Page]]`,
    // `[[Page#Heading|label]]`, `![[image.png]]`; a translated page name is a broken
    // link, and the two wiki dialects put the label on opposite sides of the `|`. The
    // table-of-contents markers `[[toc]]` (VitePress, markdown-it) and `[[_TOC_]]`
    // (GitLab) are among them; `${toc}` too, and `[TOC]` on a line of its own
    // (Python-Markdown, MkDocs). Not a wiki link: `[[1]](url)`, a link whose text is
    // in brackets ([`Protect::spans`]).
    r"!?\[\[[^\[\]\n]+\]\]|(?i:\$\{toc\})",
    r"(?im)\[toc\][ \t]*$",
    // MkDocs (Python-Markdown, pymdownx) block markers on a line of their own:
    // admonitions `!!! note "Tựa"`, `??? tip`, `???+ warning inline end`, and content
    // tabs `=== "Tab"`. Their quoted titles are kept as they are: MkDocs needs the ASCII
    // quotes a backend would change.
    r#"(?m)(?:(?:!!!|\?\?\?\+?)[ \t]+[a-z][a-z0-9_-]*(?:[ \t]+[a-z][a-z0-9_-]*)*(?:[ \t]+"[^"\n]*")?|===\+?[ \t]+"[^"\n]*")[ \t]*$"#,
    // Font Awesome icons in the extended Markdown of Hugo's LoveIt, DoIt and FixIt
    // themes: `:(fab fa-github):`, `:(far fa-file-archive fa-fw):`. Every class starts
    // with `fa`, so a smiley in parentheses (`:(`) is left alone.
    r":\(fa[a-z]*(?:-[a-z0-9]+)*(?:[ \t]+fa[a-z]*(?:-[a-z0-9]+)*)*\):",
    // TeX math, which MathJax and KaTeX typeset (Hugo and Jekyll themes, Quarto, MkDocs'
    // arithmatex, Docusaurus' remark-math, GitHub): `$$…$$` on one line or several, and
    // `$…$` within a line as Pandoc reads it, checked in [`Protect::spans`] (no space
    // inside either dollar, no digit after the closing one, so `$5 and $10` is text).
    r"(?s)\$\$.+?\$\$",
    r"\$[^\s$][^$\n]*?\$",
    // LaTeX environments that MathJax typesets without dollars (its default) and MyST's
    // amsmath reads: `\begin{align}…\end{align}`, without a blank line. Also MathJax's
    // own delimiters as mdBook writes them, `\\( … \\)` and `\\[ … \\]` (Markdown
    // takes one backslash of each pair).
    r"(?s)\\begin\{[A-Za-z]+\*?\}.*?\\end\{[A-Za-z]+\*?\}|\\\\\(.+?\\\\\)|\\\\\[.+?\\\\\]",
    // MyST roles (Jupyter Book, Sphinx) with the code span they apply to, whole:
    // `{doc}`cai-dat``, `{ref}`sec-a``. A translated role name is an unknown role, and
    // a backend could put a space between the role and its code span.
    r"\{[a-z][a-z0-9_:+-]*\}`[^`\n]+`",
    // Emoji shortcodes, which GitHub, Jekyll's jemoji, Hugo (`enableEmoji`), Zola,
    // MkDocs (pymdownx.emoji) and VitePress render: `:tada:`, `:+1:`,
    // `:man_raising_hand:`, and the icons bundled with Material for MkDocs:
    // `:material-check-all:`, `:fontawesome-brands-youtube:`, `:octicons-heart-fill-24:`.
    // A translated name is a missing emoji or icon (Jekyll's and Zola's docs came back
    // with theirs translated). Checked in [`Protect::spans`]: not glued to an ASCII
    // letter or digit (`10:30:45`, `a:b:c`); Chinese text may touch it. A letter or digit
    // in the name: a table's alignment row `|:---:|` is no emoji.
    r":[a-z0-9_+-]*[a-z0-9][a-z0-9_+-]*:",
    // Snippet inclusions, each on a line of its own: VitePress' `<<< @/snippets/a.js{2}`
    // and pymdownx's `--8<-- "file.md"` (MkDocs), also as a block of file names
    // between two `--8<--` lines. Sent, the path came back translated.
    r"<<<[ \t]+[^\s][^\n]*",
    r"-{1,3}8<-{1,3}(?:[ \t]+\x22[^\x22\n]*\x22|[ \t]*\n(?s:.*?)\n[ \t]*-{1,3}8<-{1,3})",
    // Attributes at the end of a container fence's line (markdown-it-attrs, VitePress):
    // `::: details Bấm để mở {open}`, `::: tip {no-title}`; checked in
    // [`super::on_fence_line`]. Elsewhere a word in braces is text.
    r"(?m)\{[^{}\n\\]*\}[ \t]*$",
    // Annotation markers of Material for MkDocs, `(1)`, on a page that uses annotations
    // ([`uses_annotations`]) and not glued to a word (`add_one(2)`). Elsewhere, text.
    r"\([0-9]{1,2}\)",
    // Attribute lists after a heading, block or inline element: `{#id}`, `{.class}`,
    // `{#id .class k=v}`, `{ style="color: red" }`, `{target="_blank"}` (Python-Markdown's
    // attr_list, markdown-it-attrs), and kramdown's (Jekyll, GitHub Pages) forms, all
    // opened by `{:`: `{: .note}`, `{:toc}`, `{:ref: .cls}`, extensions such as
    // `{::options … /}` and `{:/}`.
    r"\{(?::[^{}\n]*|[ \t]*[#.][A-Za-z_][^{}\n]*|[ \t]*[A-Za-z_][\w.:-]*=[^{}\n]*)\}",
];

/// The built-in patterns that match only at the start of a line (after indentation):
/// checked in [`Protect::spans`] rather than written `^[ \t]*` in the pattern, which
/// would keep the regex engine from looking for their first characters and cost every
/// document a scan of each of its bytes (about 15 % of a pseudo run's CPU).
const LINE_START_ONLY: [usize; 4] = [6, 7, SNIPPETS, SNIPPETS + 1];

/// The built-in pattern of wiki links, which a link target after it rules out.
const WIKI_LINKS: usize = 5;

/// The built-in patterns of display math, inline math and LaTeX environments, whose
/// edges [`is_math`] checks.
const DISPLAY_MATH: usize = 9;
const INLINE_MATH: usize = 10;
const LATEX_ENVIRONMENTS: usize = 11;

/// The built-in pattern of MyST roles, which [`is_role`] checks.
const MYST_ROLES: usize = 12;

/// The built-in pattern of emoji shortcodes and icons, not glued to a word.
const EMOJI: usize = 13;

/// The first of the two built-in patterns of snippet inclusions (line starts only).
const SNIPPETS: usize = 14;

/// The built-in pattern of attributes at a line end, which [`super::on_fence_line`] checks.
const FENCE_ATTRIBUTES: usize = 16;

/// The built-in pattern of annotation markers, found only on a page that uses them.
const ANNOTATIONS: usize = 17;

/// A compiled set of protected patterns.
///
/// Its clones share the compiled patterns, and with them the search caches each
/// pattern keeps: a clone of a `Regex` starts with none, and every document holds a
/// clone of the project's set, so each document built the caches of nineteen patterns
/// anew (a sixth of the writer thread's time in a first run).
#[derive(Debug, Clone)]
pub struct Protect {
    patterns: std::sync::Arc<[Regex]>,
}

/// A protected pattern from the configuration that is not a valid regular expression.
#[derive(Debug, thiserror::Error)]
#[error("`{pattern}` is not a valid regular expression: {message}")]
pub struct ProtectError {
    /// The pattern as written.
    pub pattern: String,
    /// What the regex parser said.
    pub message: String,
}

/// The built-in set, compiled once: every document is parsed with it at least.
static BUILT_IN_SET: std::sync::LazyLock<Protect> = std::sync::LazyLock::new(|| Protect {
    // The built-in patterns are constants checked by the tests below.
    patterns: compile(BUILT_IN.into_iter()).unwrap_or_default().into(),
});

fn compile<'a>(patterns: impl Iterator<Item = &'a str>) -> Result<Vec<Regex>, ProtectError> {
    patterns
        .map(|p| {
            Regex::new(p).map_err(|e| ProtectError {
                pattern: p.to_owned(),
                message: e.to_string(),
            })
        })
        .collect()
}

impl Default for Protect {
    fn default() -> Self {
        BUILT_IN_SET.clone()
    }
}

impl Protect {
    /// The built-in patterns followed by `extra` (regular expressions, `regex` syntax).
    ///
    /// # Errors
    /// [`ProtectError`] for the first pattern that does not compile.
    pub fn new(extra: &[String]) -> Result<Protect, ProtectError> {
        if extra.is_empty() {
            return Ok(Protect::default());
        }
        let built_in = BUILT_IN_SET.patterns.iter().cloned();
        let extra = compile(extra.iter().map(String::as_str))?;
        Ok(Protect {
            patterns: built_in.chain(extra).collect(),
        })
    }

    /// The body of `text` (from `body_start`) with masked spans, and every protected
    /// span of the body (masked or not), sorted.
    pub(super) fn mask_body<'t>(
        &self,
        text: &'t str,
        body_start: usize,
    ) -> (Cow<'t, str>, Vec<Range<usize>>) {
        let spans = self.spans(text, body_start);
        let attributes = &self.patterns[BUILT_IN.len() - 1];
        let masked: Vec<Range<usize>> = spans
            .iter()
            .filter(|r| {
                attributes
                    .find(&text[(*r).clone()])
                    .is_none_or(|m| m.len() != r.len())
            })
            .cloned()
            .collect();
        (mask(text, &masked), spans)
    }

    /// Byte ranges of `text[from..]` (offsets in `text`) that are protected, sorted and
    /// disjoint. A match that spans a blank line is not template syntax (an unclosed
    /// `{{` must not swallow the paragraphs after it) and is ignored.
    pub fn spans(&self, text: &str, from: usize) -> Vec<Range<usize>> {
        let mut spans = raw_hugo_pairs(text, from);
        let hay = &text[from..];
        // Asked once a marker is found: most pages have none.
        let annotated = std::cell::OnceCell::new();
        for (i, re) in self.patterns.iter().enumerate() {
            let mut at = 0;
            while at <= hay.len() {
                let Some(m) = re.find_at(hay, at) else {
                    break;
                };
                let r = m.start() + from..m.end() + from;
                let accepted = !r.is_empty()
                    && !spans_blank_line(&text[r.clone()])
                    && (!LINE_START_ONLY.contains(&i) || starts_line(text, r.start))
                    && accepts(i, text, &r)
                    && (i != ANNOTATIONS || *annotated.get_or_init(|| uses_annotations(hay)));
                if !accepted {
                    at = resume_after_rejection(i, hay, &m);
                    continue;
                }
                at = m.end();
                if spans.iter().all(|s| s.end <= r.start || r.end <= s.start) {
                    spans.push(r);
                }
            }
        }
        spans.sort_by_key(|r| r.start);
        spans
    }
}

/// Whether the match `r` of built-in pattern `i` is what that pattern is for, beyond
/// what its regex can tell: each pattern's own check (a project's patterns have none).
fn accepts(i: usize, text: &str, r: &Range<usize>) -> bool {
    match i {
        WIKI_LINKS => !text[r.end..].starts_with(['(', '[']),
        DISPLAY_MATH | INLINE_MATH | LATEX_ENVIRONMENTS => is_math(text, r, i == INLINE_MATH),
        MYST_ROLES => is_role(text, r),
        EMOJI => is_shortcode(text, r),
        FENCE_ATTRIBUTES => super::on_fence_line(text, r.start),
        // Not glued to a word: `add_one(2)` is a call.
        ANNOTATIONS => !text[..r.start].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        _ => true,
    }
}

/// Where the search for pattern `i` goes on after its match `m` in `hay` was rejected:
/// one character on for math, whose dollars pair up anew rather than from the end of
/// the rejected match (a `$$` shown in a code span before a formula; `$5 and $x$`), and
/// after an empty match; at the closing colon of a rejected emoji, which may open the
/// next (`:a:tada:`); past the match otherwise.
fn resume_after_rejection(i: usize, hay: &str, m: &regex::Match<'_>) -> usize {
    let next_char = m.start() + hay[m.start()..].chars().next().map_or(1, char::len_utf8);
    match i {
        _ if m.is_empty() => next_char,
        DISPLAY_MATH | INLINE_MATH | LATEX_ENVIRONMENTS => next_char,
        EMOJI => m.end() - 1,
        _ => m.end(),
    }
}

/// Whether the math at `r` is math rather than dollars in code or prices: no code span
/// starts or ends inside or right before it (`` `$$…$$` `` shown in Quarto's docs, or
/// `` `$a` … \$b `` in its table of Sass variables), and for `$…$` (`inline`), as
/// Pandoc reads it: neither dollar escaped, no space inside either, no digit after the
/// closing one (`$5 and $10` is two prices), and not the seam of a reference link written
/// in full (`[$ref][$ref]`).
fn is_math(text: &str, r: &Range<usize>, inline: bool) -> bool {
    let before = &text[..r.start];
    if before.ends_with('`') || text[r.clone()].contains('`') {
        return false;
    }
    if !inline {
        return true;
    }
    let inner = &text[r.start + 1..r.end - 1];
    // Half of a `$$` is not inline math.
    if before.ends_with('$') || text[r.end..].starts_with('$') {
        return false;
    }
    // A reference link written in full, `[$ref][$ref]` (Material's docs), holds `$ref][$`.
    if inner.contains("][") {
        return false;
    }
    let escaped = before.ends_with('\\');
    let closes = !inner.ends_with(|c: char| c.is_whitespace() || c == '\\');
    let digit_after = text[r.end..].starts_with(|c: char| c.is_ascii_digit());
    !escaped && closes && !digit_after
}

/// Whether the `:name:` at `r` stands alone as an emoji shortcode: not glued to an
/// ASCII letter or digit (`10:30:45`, `a:b:c`), nor the start of kramdown's
/// `{:ref: .x}`, nor alone or before a space at the start of a line, where it may be
/// the key of a MyST directive's option (`:class: tip`; options are text to dich, as
/// they were). Chinese and Korean text may touch it.
fn is_shortcode(text: &str, r: &Range<usize>) -> bool {
    let glued = |c: char| c.is_ascii_alphanumeric();
    let before = &text[..r.start];
    // `:key: value` or `:flag:` starting a line: a MyST directive's option as often
    // as an emoji, and the line above decides, which a translation may change.
    // Material for MkDocs' icons are never options: `:material-check: Tựa` is kept.
    let name = &text[r.start + 1..r.end - 1];
    let icon = ["material-", "fontawesome-", "octicons-", "simple-"]
        .iter()
        .any(|set| name.starts_with(set));
    let option = !icon
        && starts_line(text, r.start)
        && (text[r.end..].is_empty() || text[r.end..].starts_with([' ', '\t', '\n', '\r']));
    !(option
        || before.ends_with(glued)
        || before.ends_with('{')
        || text[r.end..].starts_with(glued))
}

/// Whether the `{name}`…`` at `r` is a MyST role (a lower-case name, as Sphinx's are):
/// not a TeX command's argument (`\begin{document}` shown in code), a shell or
/// JavaScript substitution (`` `~/${dir}` to `` in Hugo's docs) nor inside a code span
/// (`` `{code-cell}` ``, `` `multiple={true}` `` in react.dev's docs). A letter may come
/// before it: Chinese and Korean text has no space there.
fn is_role(text: &str, r: &Range<usize>) -> bool {
    let before = &text[..r.start];
    let command = before
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .ends_with('\\');
    // Inside a code span, its closing backtick is not a role's: react.dev's
    // `` [`multiple={true}`](#a)). … the `value` `` was kept untranslated up to the
    // next code span.
    // Escaped backticks (`\``, as dich writes an answer's) open nothing.
    let line = &before[super::line_start(before, before.len())..];
    let ticks = line
        .match_indices('`')
        .filter(|(i, _)| !line[..*i].ends_with('\\'));
    let in_code = ticks.count() % 2 == 1;
    !command && !in_code && !before.ends_with(['`', '$'])
}

/// Whether `text` uses Material for MkDocs' annotations, in syntax a translation keeps:
/// the `annotate` class in an attribute list (`{ .annotate }`) or in the feature's name
/// (`content.code.annotate`), in HTML (`<div class="annotate" markdown>`), or the
/// modifier on an admonition's line (`!!! note annotate`). The word in prose is not
/// enough: translated, the markers of the source and of its translation would differ.
fn uses_annotations(text: &str) -> bool {
    text.contains(".annotate")
        || text.contains("class=\"annotate")
        || text.lines().any(|line| {
            let line = line.trim_start();
            (line.starts_with("!!!") || line.starts_with("???"))
                && line.split_whitespace().any(|word| word == "annotate")
        })
}

/// Whether only spaces or tabs come before `at` on its line.
fn starts_line(text: &str, at: usize) -> bool {
    text[..at]
        .bytes()
        .rev()
        .take_while(|&b| b != b'\n')
        .all(|b| b == b' ' || b == b'\t')
}

/// Hugo passes the inner content of a `{{< name >}}…{{< /name >}}` pair to the shortcode
/// as it is, not as Markdown: code (`highlight`, `code-toggle`), data, raw HTML. The
/// whole pair is protected, blank lines included. (`{{% name %}}…{{% /name %}}` pairs
/// hold Markdown and are translated between their shortcodes.)
fn raw_hugo_pairs(text: &str, from: usize) -> Vec<Range<usize>> {
    static OPEN: std::sync::LazyLock<Option<Regex>> =
        std::sync::LazyLock::new(|| Regex::new(r"\{\{<\s*([A-Za-z][\w.-]*)[^\n]*?>\}\}").ok());
    let Some(open) = OPEN.as_ref() else {
        return Vec::new();
    };
    let mut spans: Vec<Range<usize>> = Vec::new();
    for caps in open.captures_iter(&text[from..]) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let start = from + whole.start();
        if whole.as_str().ends_with("/>}}") || spans.last().is_some_and(|s| start < s.end) {
            continue;
        }
        let Ok(close) = Regex::new(&format!(
            r"\{{\{{<\s*/\s*{}\s*>\}}\}}",
            regex::escape(name.as_str())
        )) else {
            continue;
        };
        if let Some(m) = close.find(&text[from + whole.end()..]) {
            spans.push(start..from + whole.end() + m.end());
        }
    }
    spans
}

fn spans_blank_line(s: &str) -> bool {
    let mut lines = s.split('\n');
    lines.next();
    let mut lines = lines.peekable();
    while let Some(line) = lines.next() {
        // A blank line strictly inside the match (the last piece is the match's tail).
        if line.trim().is_empty() && lines.peek().is_some() {
            return true;
        }
    }
    false
}

/// `text` with every span replaced by `Z`s of the same byte length, line breaks kept,
/// so that the parser's offsets stay those of `text`. The indentation of a line inside
/// a span is kept too: a Liquid tag over several lines of an indented code block
/// (MkDocs' docs) otherwise ended the block, and its code was translated as text.
/// `text` itself when there is nothing to mask: no copy of a long text (issue 10,
/// item 14).
pub(super) fn mask<'t>(text: &'t str, spans: &[Range<usize>]) -> Cow<'t, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for r in spans {
        out.push_str(&text[pos..r.start]);
        let mut line_start = false;
        for c in text[r.clone()].chars() {
            let indentation = line_start && (c == ' ' || c == '\t');
            line_start = c == '\n' || indentation;
            if c == '\n' || c == '\r' || indentation {
                out.push(c);
            } else {
                out.extend(std::iter::repeat_n('Z', c.len_utf8()));
            }
        }
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        Protect::default()
            .spans(text, 0)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn line_start_only_names_the_line_patterns() {
        // The indices follow the list: a pattern added before them must move them.
        let named: Vec<&str> = LINE_START_ONLY.iter().map(|&i| BUILT_IN[i]).collect();
        assert!(named[0].contains(r"\[toc\]"), "{named:?}");
        assert!(named[1].contains("!!!"), "{named:?}");
        assert!(
            BUILT_IN[WIKI_LINKS].contains(r"!?\[\["),
            "{}",
            BUILT_IN[WIKI_LINKS]
        );
        assert!(
            BUILT_IN[SNIPPETS].starts_with("<<<"),
            "{}",
            BUILT_IN[SNIPPETS]
        );
        assert!(BUILT_IN[SNIPPETS + 1].contains("8<"));
        assert!(BUILT_IN[FENCE_ATTRIBUTES].ends_with("$"));
        assert!(BUILT_IN[ANNOTATIONS].contains("[0-9]"));
        assert!(found("xem [TOC]\nvà !!! note").is_empty());
    }

    #[test]
    fn built_in_patterns_compile() {
        assert_eq!(compile(BUILT_IN.into_iter()).unwrap().len(), BUILT_IN.len());
        assert_eq!(Protect::new(&[]).unwrap().patterns.len(), BUILT_IN.len());
    }

    #[test]
    fn shortcodes_of_both_generators_are_found() {
        let text = "a {{< figure src=\"x.jpg\" >}} b {{% note %}}c{{% /note %}} \
                    {{</* raw */>}} {{ youtube(id=\"x\") }} {% quote(author=\"A\") %}q{% end %} \
                    ## H {#id} {.cls}";
        assert_eq!(
            found(text),
            [
                "{{< figure src=\"x.jpg\" >}}",
                "{{% note %}}",
                "{{% /note %}}",
                "{{</* raw */>}}",
                "{{ youtube(id=\"x\") }}",
                "{% quote(author=\"A\") %}",
                "{% end %}",
                "{#id}",
                "{.cls}"
            ]
        );
    }

    #[test]
    fn myst_roles_are_found_with_their_code_span() {
        // Jupyter Book: roles before their code span; braces elsewhere are text.
        let text = "Xem {doc}`cai-dat`, {ref}`sec-a` và {py:func}`len`; {ghi chú} {abc} `x`; \
                    参阅{term}`Binder`; `{code-cell}` và `\\begin{document}` `x`; \
                    `~/${dir}` to `${dir}`, `{DIR}` to `x`; \
                    [`multiple={true}`](#a)). Mọi chuỗi khớp `value`; \
                    \\`a {doc}`b`.";
        assert_eq!(
            found(text),
            [
                "{doc}`cai-dat`",
                "{ref}`sec-a`",
                "{py:func}`len`",
                "{term}`Binder`",
                "{doc}`b`"
            ]
        );
    }

    #[test]
    fn tex_math_is_found_and_prices_are_not() {
        // Jekyll's Chirpy theme: display math over several lines, inline math in prose.
        let text = "$$\n\\begin{equation}\n  \\sum_{n=1}^\\infty 1/n^2\n\\end{equation}\n$$\n\n\
                    Khi $a \\ne 0$, phương trình $ax^2 + bx + c = 0$ có hai nghiệm \
                    $$ x = {-b \\pm \\sqrt{b^2-4ac} \\over 2a} $$.\n\n\
                    Giá $5 và $10; US$1,000 và US$2,000; \\$x$ không phải; $ y $ cũng không.\n\n\
                    | `$text-muted` | lighten(\\$body-color, 50%) |\n\n\
                    Công thức viết giữa `$$…$$` hoặc `$…$`, ví dụ:\n\n$$\n  E = mc^2\n$$\n\n\
                    Trả $5 cho $x$ cái, xem [$ref][$ref].\n\n\\begin{gather*}\na_1=b_1+c_1\\\\\na_2=b_2\n\\end{gather*}\n\n\
                    | `\\begin{document}` | trước thân |\n| `\\end{document}` | sau |\n\n\
                    mdBook: \\\\( \\int x dx = \\frac{x^2}{2} + C \\\\) và\n\n\\\\[ \\mu = \\frac{1}{N} \\\\]\n";
        assert_eq!(
            found(text),
            [
                "$$\n\\begin{equation}\n  \\sum_{n=1}^\\infty 1/n^2\n\\end{equation}\n$$",
                "$a \\ne 0$",
                "$ax^2 + bx + c = 0$",
                "$$ x = {-b \\pm \\sqrt{b^2-4ac} \\over 2a} $$",
                "$$\n  E = mc^2\n$$",
                "$x$",
                "\\begin{gather*}\na_1=b_1+c_1\\\\\na_2=b_2\n\\end{gather*}",
                "\\\\( \\int x dx = \\frac{x^2}{2} + C \\\\)",
                "\\\\[ \\mu = \\frac{1}{N} \\\\]"
            ]
        );
    }

    #[test]
    fn font_awesome_icons_of_loveit_themes_are_found() {
        // A Vietnamese Hugo blog on the LoveIt theme: icons inside bold link text, in
        // table cells and before words; a smiley and a parenthesis are text.
        let text = "tải tại [**:(far fa-file-archive fa-fw):đây**](https://a.vn) | \
                    :(fab fa-css3):   CSS | xem :(fas fa-hand-point-down fa-fw):: nhé :( \
                    (fa là nốt nhạc) :(font):";
        assert_eq!(
            found(text),
            [
                ":(far fa-file-archive fa-fw):",
                ":(fab fa-css3):",
                ":(fas fa-hand-point-down fa-fw):"
            ]
        );
    }

    #[test]
    fn kramdown_attribute_lists_and_extensions_are_found() {
        // Jekyll's docs: 420 block attribute lists, `{:toc}` under a list.
        let text = "{: .note .info}\n* TOC\n{:toc}\n{:.cls} {::options parse_block_html=\"true\" /} \
                    {:/} {:ref: .x}";
        assert_eq!(
            found(text),
            [
                "{: .note .info}",
                "{:toc}",
                "{:.cls}",
                "{::options parse_block_html=\"true\" /}",
                "{:/}",
                "{:ref: .x}"
            ]
        );
        // A raw block is one span, whatever template syntax it holds.
        assert_eq!(
            found("dùng {% raw %}`{%`{% endraw %} và {%- raw -%}`%}`{% endraw %}"),
            ["{% raw %}`{%`{% endraw %}", "{%- raw -%}`%}`{% endraw %}"]
        );
        // Table-of-contents markers; `[toc]` inside a sentence is text.
        assert_eq!(
            found("[[toc]]\n\n[[_TOC_]]\n\n[TOC]\n\n${toc}\n\nxem [toc] nhé"),
            ["[[toc]]", "[[_TOC_]]", "[TOC]", "${toc}"]
        );
        // Wiki links and embeds (Obsidian's help vault), but not a link whose text is in
        // brackets, nor nested brackets.
        assert_eq!(
            found(
                "xem [[Cú pháp#Danh sách|danh sách]], ![[icon.svg#icon]] và [[Trang]]; \
                 [[1]](https://a.vn) [[2]][ref] [[a], [b]]"
            ),
            [
                "[[Cú pháp#Danh sách|danh sách]]",
                "![[icon.svg#icon]]",
                "[[Trang]]"
            ]
        );
        // MkDocs admonitions and tabs, only as whole lines of their own.
        assert_eq!(
            found(
                "!!! note \"Tựa\"\n\n    Chữ.\n\n???+ tip inline end\n\n=== \"Tab 1\"\n\n!!! Khẩn cấp\n"
            ),
            ["!!! note \"Tựa\"", "???+ tip inline end", "=== \"Tab 1\""]
        );
        // Braces in prose are not attribute lists.
        assert!(found("tập {a, b} và {1: x}").is_empty());
    }

    #[test]
    fn myst_directive_options_are_no_emoji() {
        // Jupyter Book's `intro.md`: options of a grid, of its items and of a card stay
        // text (a key protected alone left its value to the backend), and so does a
        // line's first emoji; one within the line is an emoji.
        let text = "::::{grid} 2\n:reverse:\n\n:::{grid-item}\n:columns: 4\n:class: sd-m-auto\n\n\
                    Nội dung.\n:::\n::::\n\n```{card}\n:height: 100\nThẻ.\n```\n\n\
                    Đoạn văn.\n:tada: Xong rồi :sparkles:\n:material-check: Tựa\n";
        assert_eq!(
            found(text),
            ["{grid-item}", ":sparkles:", ":material-check:"]
        );
    }

    #[test]
    fn material_icons_and_emoji_shortcodes_are_found() {
        // Material for MkDocs' docs (`reference/icons-emojis.md`, `annotations.md`):
        // icons in a list, glued to an attribute list, to Chinese text; emoji too
        // (Jekyll's and Zola's docs: `:tada:`, GitHub's `:+1:`), two in a row.
        let text = "- :material-check-all: – [Material](a)\n\
                    :fontawesome-brands-youtube:{ .youtube } :octicons-heart-fill-24:\n\
                    1.  :man_raising_hand: Tôi là chú thích! :tada: 参阅:simple-x:了 :+1::100:";
        assert_eq!(
            found(text),
            [
                ":material-check-all:",
                ":fontawesome-brands-youtube:",
                "{ .youtube }",
                ":octicons-heart-fill-24:",
                ":man_raising_hand:",
                ":tada:",
                ":simple-x:",
                ":+1:",
                ":100:",
            ]
        );
        // Times, ratios, words around colons and a table's alignment are text.
        assert!(found("lúc 10:30:45, tỷ lệ a:b:c, material: xem, :simple đẹp:").is_empty());
        assert!(found("| a | b |\n|:---:|:--|\n| 1 | 2 |\n").is_empty());
    }

    #[test]
    fn snippet_inclusions_on_lines_of_their_own_are_found() {
        // VitePress' docs (`guide/markdown.md`) and pymdownx snippets (MkDocs).
        let text = "<<< @/snippets/snippet.js{2}\n\n<<< ../snippets/a.cs{1,2 c#:line-numbers} [Tab]\n\n\
                    --8<-- \"includes/abbreviations.md\"\n\n--8<--\na.md\nb.md\n--8<--\n\n\
                    Dùng <<< @/a.js và --8<-- \"b.md\" giữa câu.";
        assert_eq!(
            found(text),
            [
                "<<< @/snippets/snippet.js{2}",
                "<<< ../snippets/a.cs{1,2 c#:line-numbers} [Tab]",
                "--8<-- \"includes/abbreviations.md\"",
                "--8<--\na.md\nb.md\n--8<--"
            ]
        );
    }

    #[test]
    fn attribute_lists_with_keys_and_a_container_fence_s_attributes_are_found() {
        // Python-Markdown's attr_list (Material for MkDocs), markdown-it-attrs (VitePress).
        let text = "__Cập nhật__{ title=\"21 tháng 8\" }: chữ, [Trang](/p.html){target=\"_self\"}, \
                    :material-check:{ style=\"color: #EE0F0F\" }\n\n\
                    ::: details Bấm để mở {open}\nChữ {a=1 và {x} {open}\n:::\n\n::: tip {no-title}\nChữ.\n:::\n\n\
                    :::tip Mẹo \\{\\#evil\\}\n";
        assert_eq!(
            found(text),
            [
                "{ title=\"21 tháng 8\" }",
                "{target=\"_self\"}",
                ":material-check:",
                "{ style=\"color: #EE0F0F\" }",
                "{open}",
                "{no-title}"
            ]
        );
    }

    #[test]
    fn annotation_markers_are_found_on_pages_that_use_annotations() {
        // Material for MkDocs (`reference/annotations.md`): `(1)` marks an annotation
        // in a block with the `annotate` class; elsewhere it is text.
        let text = "Lorem ipsum, (1) dolor (12).\n{ .annotate }\n\n1.  Chú thích (a) (123)\n";
        assert_eq!(found(text), ["(1)", "(12)", "{ .annotate }"]);
        assert!(found("Điều (1) và (2) của luật.\n").is_empty());
        // The word in prose is not the class; a call in code is not a marker.
        assert!(found("Annotated with (1).\n").is_empty());
        assert_eq!(
            found("!!! note annotate \"Tựa\"\n\n    Chữ (1), add_one(2)\n"),
            ["!!! note annotate \"Tựa\"", "(1)"]
        );
    }

    #[test]
    fn a_raw_hugo_pair_is_protected_whole_and_a_markdown_pair_is_not() {
        let text = "{{< code-toggle file=a >}}\ntitle = 'x'\n\n[[cascade]]\n{{< /code-toggle >}}\n\n\
                    {{% note %}}\nVăn bản.\n{{% /note %}}";
        assert_eq!(
            found(text),
            [
                "{{< code-toggle file=a >}}\ntitle = 'x'\n\n[[cascade]]\n{{< /code-toggle >}}",
                "{{% note %}}",
                "{{% /note %}}"
            ]
        );
    }

    #[test]
    fn a_shortcode_may_span_lines_but_not_paragraphs() {
        assert_eq!(
            found("{{< figure\n  src=\"a\" >}}"),
            ["{{< figure\n  src=\"a\" >}}"]
        );
        assert!(found("{{< oops\n\nnext para >}}").is_empty());
    }

    #[test]
    fn configured_patterns_add_to_the_built_in_ones() {
        let p = Protect::new(&[r"\[\[[^]]+\]\]".to_owned()]).unwrap();
        let text = "xem [[Trang chủ]] nhé";
        let spans = p.spans(text, 0);
        assert_eq!(&text[spans[0].clone()], "[[Trang chủ]]");
        // A pattern that matches the empty string finds nothing, and the search ends.
        let empty = Protect::new(&["x*".to_owned()]).unwrap();
        assert!(empty.spans("abc đ", 0).is_empty());
        let err = Protect::new(&["(".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("`(`"), "{err}");
    }

    #[test]
    fn masking_keeps_offsets_and_line_breaks() {
        let text = "đ {{< a\nb >}} x";
        let spans = Protect::default().spans(text, 0);
        let masked = mask(text, &spans);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "đ ZZZZZ\nZZZZZ x");
        // Indentation inside a span stays: it decides whether a line is code.
        let text = "    {%- set a = {\n        \"b\": 1\n    } -%}\n";
        let masked = mask(text, &Protect::default().spans(text, 0));
        assert_eq!(masked, "    ZZZZZZZZZZZZZ\n        ZZZZZZ\n    ZZZZZ\n");
    }
}
