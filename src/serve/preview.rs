//! The rendered preview of a translated page: its Markdown body as HTML.
//!
//! Raw HTML in the article is shown as text, never passed through: a preview must not
//! run a script or load an asset that a translation (or a backend) put there.

use pulldown_cmark::{Event, Options, Parser, html};

/// The page's HTML. Front matter (`+++` TOML or `---` YAML) is left out.
pub(crate) fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut in_metadata = false;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Start(pulldown_cmark::Tag::MetadataBlock(_)) => {
            in_metadata = true;
            None
        }
        Event::End(pulldown_cmark::TagEnd::MetadataBlock(_)) => {
            in_metadata = false;
            None
        }
        _ if in_metadata => None,
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_left_out_and_raw_html_is_escaped() {
        let html = render("+++\ntitle = \"T\"\n+++\n\n# Hello\n\n<script>alert(1)</script>\n");
        assert!(html.contains("<h1>Hello</h1>"), "{html}");
        assert!(!html.contains("title"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
