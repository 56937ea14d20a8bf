//! The HTML of every page, with maud: every interpolated value is escaped, the CSS is
//! inline, forms work without JavaScript, and the layout folds to one column on a
//! phone-sized screen.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::review::Entry;

use super::article::{ArticleView, SentenceOrigin};
use super::handlers::{Filter, encode};
use super::i18n::Texts;
use super::ui::UiFile;

/// What every page shows around its content.
pub(crate) struct Chrome<'a> {
    pub(crate) texts: &'a Texts<'a>,
    pub(crate) csrf: &'a str,
    /// The signed-in reviewer (token mode).
    pub(crate) who: Option<&'a str>,
    /// The name to prefill in verdict forms (loopback mode).
    pub(crate) default_name: Option<&'a str>,
    /// Reviewers sign in with tokens.
    pub(crate) tokens: bool,
    /// The project's target languages.
    pub(crate) targets: Vec<String>,
    /// The source language.
    pub(crate) source: String,
}

/// One line of the overview.
#[derive(Debug, Clone)]
pub(crate) struct OverviewRow {
    pub(crate) entry: Entry,
    /// The source's title.
    pub(crate) source_title: Option<String>,
    /// The translation's title.
    pub(crate) title: Option<String>,
}

/// One Fluent file on the UI strings page.
#[derive(Debug, Clone)]
pub(crate) struct UiSection {
    pub(crate) file: UiFile,
    /// The target file, relative to the project root.
    pub(crate) path: String,
    pub(crate) entry: Option<Entry>,
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,"Noto Sans","Noto Sans CJK KR","Noto Sans CJK SC",sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
header{background:#123c69;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header a{color:#fff}
header form{margin:0}
main{padding:1rem;max-width:80rem;margin:auto}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
.scroll{overflow-x:auto}
.badge{display:inline-block;border-radius:.6rem;padding:0 .5rem;font-size:.8rem;background:#e5e5e5;white-space:nowrap}
.s-reviewed,.s-up-to-date{background:#d4edda}
.s-machine,.s-human-edited{background:#e2e3f3}
.s-needs-review,.s-stale{background:#fff3cd}
.s-held,.s-failed,.s-conflict,.s-missing{background:#f8d7da}
.s-pseudo{background:#eee;font-style:italic}
.o-human{background:#d4edda}.o-backend{background:#e2e3f3}.o-memory{background:#dbeafe}.o-import{background:#fde68a}
.notice{background:#d4edda;padding:.5rem 1rem;border-radius:.3rem}
.error{background:#f8d7da;padding:.5rem 1rem;border-radius:.3rem}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.2rem 1rem;background:#fff;padding:.5rem;border-bottom:1px solid #ddd}
.pair>div{min-width:0;overflow-wrap:anywhere}
.src{color:#444}
.meta{font-size:.8rem;color:#555;grid-column:1/-1}
.flag{color:#8a1c1c;font-size:.85rem;display:block}
.meta .badge{white-space:normal}
.ftl{white-space:pre-wrap}
.block{margin:.8rem 0}
.kind{font-size:.75rem;color:#666;text-transform:uppercase;letter-spacing:.05em}
textarea,input[type=text],input[type=password],input[type=search],select{font:inherit;width:100%;padding:.3rem;border:1px solid #aaa;border-radius:.2rem}
button{font:inherit;padding:.3rem .8rem;border-radius:.2rem;border:1px solid #123c69;background:#123c69;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#123c69}
button.reject{background:#8a1c1c;border-color:#8a1c1c}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
form.inline label{flex:1 1 10rem}
details summary{cursor:pointer;color:#123c69;font-size:.85rem}
.preview{background:#fff;padding:1rem;border:1px solid #ddd}
.ph{background:#fde68a;border-radius:.2rem;padding:0 .15rem;font-family:monospace}
.verdict{background:#fff;padding:.8rem;border:1px solid #ddd;margin:1rem 0}
@media (max-width:700px){.pair{grid-template-columns:1fr}main{padding:.5rem}th.opt,td.opt{display:none}}
"#;

fn layout(c: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    let t = c.texts;
    html! {
        (DOCTYPE)
        html lang=(t.lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — dich" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a href="/" { strong { "dich" } " · " (t.t("serve-nav-overview")) }
                    @for lang in &c.targets {
                        a href={ "/ui?lang=" (encode(lang)) } { (t.with("serve-nav-ui", &[("lang", lang)])) }
                    }
                    @if let Some(who) = c.who {
                        span { (t.with("serve-signed-in-as", &[("name", who)])) }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(c.csrf);
                            button.secondary type="submit" { (t.t("serve-sign-out")) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

fn state_badge(name: &str) -> Markup {
    html! { span class={ "badge s-" (name) } { (name) } }
}

fn review_badge(entry: Option<&Entry>) -> Markup {
    match entry.and_then(Entry::state) {
        Some(state) => state_badge(state.as_str()),
        None => html! { "—" },
    }
}

/// Who gave the verdict and why, as `dich review list` says it.
fn review_detail(c: &Chrome<'_>, entry: Option<&Entry>) -> Option<String> {
    let review = entry?.review.as_ref()?;
    match (&review.detail, &review.by, &review.at) {
        (Some(detail), _, _) => Some(detail.clone()),
        (None, Some(by), Some(at)) => {
            Some(c.texts.with("serve-by-at", &[("name", by), ("at", at)]))
        }
        _ => None,
    }
}

/// The overview: every article × language and every Fluent file × language.
pub(crate) fn overview(c: &Chrome<'_>, rows: &[OverviewRow], filter: &Filter) -> Markup {
    let t = c.texts;
    let states = [
        "machine",
        "reviewed",
        "needs-review",
        "held",
        "pseudo",
        "up-to-date",
        "stale",
        "missing",
        "human-edited",
        "conflict",
        "failed",
    ];
    let selected = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    let body = html! {
        h1 { (t.t("serve-overview-title")) }
        form.inline method="get" action="/" {
            label { (t.t("serve-filter-search")) br;
                input type="search" name="q" value=(filter.q.as_deref().unwrap_or(""));
            }
            label { (t.t("serve-filter-state")) br;
                select name="state" {
                    option value="" { (t.t("serve-filter-any")) }
                    @for s in states {
                        option value=(s) selected[selected(&filter.state, s)] { (s) }
                    }
                }
            }
            label { (t.t("serve-filter-lang")) br;
                select name="lang" {
                    option value="" { (t.t("serve-filter-any")) }
                    @for l in &c.targets {
                        option value=(l) selected[selected(&filter.lang, l)] { (l) }
                    }
                }
            }
            button type="submit" { (t.t("serve-filter-apply")) }
        }
        p { (t.with("serve-overview-count", &[("count", &rows.len().to_string())])) }
        div.scroll {
            table {
                thead { tr {
                    th { (t.t("serve-col-title")) }
                    th { (t.t("serve-col-lang")) }
                    th { (t.t("serve-col-translation")) }
                    th { (t.t("serve-col-review")) }
                    th.opt { (t.t("serve-col-file")) }
                } }
                tbody {
                    @for row in rows {
                        @let e = &row.entry;
                        tr {
                            td {
                                @let label = row.title.clone().or_else(|| row.source_title.clone()).unwrap_or_else(|| e.source.clone());
                                @if e.kind == "ui" {
                                    a href={ "/ui?lang=" (encode(&e.lang)) } { (e.source) }
                                } @else if e.translation == "missing" {
                                    (label)
                                } @else {
                                    a href={ "/article?path=" (encode(&e.path)) } { (label) }
                                }
                                @if let (Some(src), Some(_)) = (&row.source_title, &row.title) {
                                    br; small.src { (src) }
                                }
                            }
                            td { (e.lang) }
                            td { (state_badge(e.translation)) }
                            td {
                                (review_badge(Some(e)))
                                @if let Some(detail) = review_detail(c, Some(e)) { br; small { (detail) } }
                            }
                            td.opt { small { (e.path) } }
                        }
                    }
                }
            }
        }
    };
    layout(c, &t.t("serve-overview-title"), body)
}

fn origin_badge(c: &Chrome<'_>, origin: &SentenceOrigin) -> Markup {
    let t = c.texts;
    let (class, text) = match origin {
        SentenceOrigin::Backend(b) => (
            "o-backend",
            t.with("serve-origin-backend", &[("backend", b)]),
        ),
        SentenceOrigin::Memory(b) => ("o-memory", t.with("serve-origin-memory", &[("backend", b)])),
        SentenceOrigin::Human => ("o-human", t.t("serve-origin-human")),
        SentenceOrigin::Import => ("o-import", t.t("serve-origin-import")),
        SentenceOrigin::Unknown => ("", t.t("serve-origin-unknown")),
    };
    html! { span class={ "badge " (class) } { (text) } }
}

fn notice(c: &Chrome<'_>, done: Option<&str>) -> Markup {
    let id = match done {
        Some("saved") => "serve-done-saved",
        Some("approved") => "serve-done-approved",
        Some("rejected") => "serve-done-rejected",
        _ => return html! {},
    };
    html! { p.notice role="status" { (c.texts.t(id)) } }
}

/// The approve / reject form for one translated file.
fn verdict_form(c: &Chrome<'_>, path: &str, entry: Option<&Entry>) -> Markup {
    let t = c.texts;
    html! {
        section.verdict {
            p {
                (t.t("serve-review-state")) " " (review_badge(entry))
                @if let Some(detail) = review_detail(c, entry) { " " small { (detail) } }
            }
            form.inline method="post" action="/review" {
                input type="hidden" name="csrf" value=(c.csrf);
                input type="hidden" name="path" value=(path);
                @if !c.tokens {
                    label { (t.t("serve-your-name")) br;
                        input type="text" name="name" value=(c.default_name.unwrap_or("")) required;
                    }
                }
                label { (t.t("serve-reason")) br;
                    input type="text" name="reason";
                }
                button type="submit" name="verdict" value="approve" { (t.t("serve-approve")) }
                button.reject type="submit" name="verdict" value="reject" { (t.t("serve-reject")) }
            }
        }
    }
}

/// The article page: side by side, sentence by sentence, with edits, the verdict and
/// the preview.
pub(crate) fn article(
    c: &Chrome<'_>,
    view: &ArticleView,
    entry: Option<&Entry>,
    done: Option<&str>,
) -> Markup {
    let t = c.texts;
    let title = view.title.clone().unwrap_or_else(|| view.path.clone());
    let body = html! {
        h1 { (title) " " span.badge { (view.lang.as_str()) } }
        (notice(c, done))
        p.src {
            (view.path) " ← " (view.source)
            @if let Some(backend) = &view.backend { " · " (backend) }
        }
        @if view.stale { p.error { (t.t("serve-article-stale")) } }
        (verdict_form(c, &view.path, entry))
        h2 { (t.t("serve-article-sentences")) }
        @for block in &view.blocks {
            div.block id={ "u" (block.unit) } {
                div.kind { (block.kind) @if block.unaligned { " · " (t.t("serve-unaligned")) } }
                @for row in &block.rows {
                    div.pair {
                        div.src lang=(c.source) { (row.source) }
                        div lang=(view.lang.as_str()) {
                            @if let Some((sentence, text)) = &row.translation {
                                span.tgt { (text) }
                                details {
                                    summary { (t.t("serve-edit")) }
                                    form method="post" action="/article/edit" {
                                        input type="hidden" name="csrf" value=(c.csrf);
                                        input type="hidden" name="path" value=(view.path);
                                        input type="hidden" name="unit" value=(block.unit);
                                        input type="hidden" name="sentence" value=(sentence);
                                        input type="hidden" name="hash" value=(view.hash);
                                        textarea name="text" rows="3" { (text) }
                                        button type="submit" { (t.t("serve-save")) }
                                    }
                                }
                            }
                        }
                        div.meta {
                            (origin_badge(c, &row.origin))
                            @for flag in &row.flags { span.flag { "⚠ " (flag) } }
                        }
                    }
                }
            }
        }
        h2 { (t.t("serve-preview")) }
        div.preview lang=(view.lang.as_str()) { (PreEscaped(&view.preview)) }
    };
    layout(c, &title, body)
}

/// `{ … }` placeables highlighted, the rest escaped.
fn with_placeables(text: &str) -> Markup {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, ch) in text.char_indices() {
        match ch {
            '{' => {
                if depth == 0 {
                    parts.push((false, &text[start..i]));
                    start = i;
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    parts.push((true, &text[start..=i]));
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    parts.push((false, &text[start..]));
    html! {
        @for (placeable, part) in parts {
            @if placeable { span.ph { (part) } } @else { (part) }
        }
    }
}

/// The UI strings of one language.
pub(crate) fn ui(c: &Chrome<'_>, lang: &str, sections: &[UiSection], done: Option<&str>) -> Markup {
    let t = c.texts;
    let title = t.with("serve-ui-title", &[("lang", lang)]);
    let body = html! {
        h1 { (title) }
        (notice(c, done))
        p.src { (t.t("serve-ui-help")) }
        @for section in sections {
            h2 { (section.path) }
            (verdict_form(c, &section.path, section.entry.as_ref()))
            div.scroll { table {
                thead { tr {
                    th { (t.t("serve-col-id")) }
                    th { (t.t("serve-col-source")) }
                    th { (t.t("serve-col-translation-text")) }
                    th { (t.t("serve-col-state")) }
                } }
                tbody {
                    @for m in &section.file.messages {
                        tr id={ "m-" (m.id) } {
                            td { code { (m.id) } }
                            td.src.ftl { (with_placeables(&m.source)) }
                            td.ftl lang=(lang) {
                                @if let Some(text) = &m.translation { (with_placeables(text)) }
                                @if m.editable {
                                    details {
                                        summary { (t.t("serve-edit")) }
                                        form method="post" action="/ui/edit" {
                                            input type="hidden" name="csrf" value=(c.csrf);
                                            input type="hidden" name="lang" value=(lang);
                                            input type="hidden" name="file" value=(section.file.rel);
                                            input type="hidden" name="id" value=(m.id);
                                            input type="hidden" name="hash" value=(section.file.hash);
                                            textarea name="value" rows="2" { (m.translation.as_deref().unwrap_or("")) }
                                            button type="submit" { (t.t("serve-save")) }
                                        }
                                    }
                                } @else {
                                    br; small { (t.t("serve-ui-edit-in-file")) }
                                }
                            }
                            td { (state_badge(m.state.as_str())) }
                        }
                    }
                }
            } }
        }
    };
    layout(c, &title, body)
}

/// The sign-in page (token mode).
pub(crate) fn login(c: &Chrome<'_>, failed: bool) -> Markup {
    let t = c.texts;
    let body = html! {
        h1 { (t.t("serve-sign-in-title")) }
        @if failed { p.error role="alert" { (t.t("serve-sign-in-failed")) } }
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(c.csrf);
            label { (t.t("serve-token")) br;
                input type="password" name="token" autocomplete="current-password" required;
            }
            p { button type="submit" { (t.t("serve-sign-in")) } }
        }
    };
    layout(c, &t.t("serve-sign-in-title"), body)
}

/// A page saying why a request failed; `kept` is the text the person typed, shown so
/// that nothing they wrote is lost.
pub(crate) fn error(
    c: &Chrome<'_>,
    message: &str,
    back: Option<&str>,
    kept: Option<&str>,
) -> Markup {
    let t = c.texts;
    let body = html! {
        h1 { (t.t("serve-error-title")) }
        p.error role="alert" { (message) }
        @if let Some(kept) = kept.filter(|k| !k.is_empty()) {
            p { (t.t("serve-error-kept")) }
            textarea readonly rows="3" { (kept) }
        }
        @if let Some(back) = back { p { a href=(back) { (t.t("serve-back")) } } }
    };
    layout(c, &t.t("serve-error-title"), body)
}
