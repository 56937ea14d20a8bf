//! Tags ⇄ HTML for services with an HTML mode (Google, Azure, LibreTranslate) and
//! XML escaping for DeepL's XML mode.
//!
//! `<gN>…</gN>` becomes `<span id="gN">…</span>` and `<xN/>` becomes `<img id="xN">`:
//! ordinary, well-formed HTML every service keeps, while the text between them is
//! translated. Text is escaped on the way out and entities are decoded on the way back,
//! so `&`, `<` and quotes survive.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::markup::{self, Token};

/// Tagged text → HTML.
pub fn to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for token in markup::tokens(text) {
        match token {
            Token::Text(t) => out.push_str(&escape(t)),
            Token::Open(id) => {
                let _ = write!(out, "<span id=\"g{id}\">");
            }
            Token::Close(_) => out.push_str("</span>"),
            Token::Standalone(id) => {
                let _ = write!(out, "<img id=\"x{id}\">");
            }
        }
    }
    out
}

/// HTML from [`to_html`], translated → tagged text. Spans and images that are not
/// ours are dropped; anything unrecognised is kept as text for the tag check to judge.
pub fn from_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Ids of open spans; 0 for a span the service added.
    let mut open: Vec<u32> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt..lt + gt + 1];
        convert_tag(tag, &mut open, &mut out);
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    out
}

fn convert_tag(tag: &str, open: &mut Vec<u32>, out: &mut String) {
    let lower = tag.to_ascii_lowercase();
    if lower.starts_with("</span") {
        if let Some(id) = open.pop().filter(|id| *id > 0) {
            let _ = write!(out, "</g{id}>");
        }
    } else if lower.starts_with("<span") {
        let id = our_id(tag, 'g').unwrap_or(0);
        if id > 0 {
            let _ = write!(out, "<g{id}>");
        }
        open.push(id);
    } else if lower.starts_with("<img") {
        if let Some(id) = our_id(tag, 'x') {
            let _ = write!(out, "<x{id}/>");
        }
    } else {
        out.push_str(tag);
    }
}

/// The number in `id="gN"` (quotes optional) inside a tag.
fn our_id(tag: &str, prefix: char) -> Option<u32> {
    let at = tag.find("id=")? + 3;
    let value = tag[at..].trim_start_matches(['"', '\'']);
    let value = value.strip_prefix(prefix)?;
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|id| *id > 0)
}

/// Escapes `&`, `<`, `>` for HTML or XML text; the text itself when it has none.
///
/// Found with `memchr3` rather than by `quick_xml::escape::partial_escape`, which
/// tests byte by byte: on a request's worth of Vietnamese sentences (20 KB, nothing
/// to escape) that took 15–19 µs, three `str::replace` 8–10 µs, this about 1 µs, on
/// every request a slot sends in XML or HTML mode (issue 15).
pub fn escape(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut found = memchr::memchr3_iter(b'&', b'<', b'>', bytes).peekable();
    if found.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    for at in found {
        out.push_str(&text[copied..at]);
        out.push_str(match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Decodes the named entities services produce and numeric references.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match rest.find(';').filter(|semi| *semi <= 10) {
            Some(semi) => match entity(&rest[1..semi]) {
                Some(c) => {
                    out.push(c);
                    rest = &rest[semi + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            },
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_each_special_character_and_keeps_plain_text() {
        assert_eq!(escape("&<>"), "&amp;&lt;&gt;");
        assert_eq!(
            escape("Giá < 5 & > 3 \"đồng\" 'ạ'"),
            "Giá &lt; 5 &amp; &gt; 3 \"đồng\" 'ạ'"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        let plain = "Tỉnh Bắc Ninh tổng kết công tác thông tin đối ngoại.";
        assert!(matches!(escape(plain), Cow::Borrowed(text) if text == plain));
    }

    #[test]
    fn round_trip_keeps_tags_and_special_characters() {
        let source = "Xem <g1>báo cáo & <g2>số liệu</g2></g1> <x3/> a < b";
        let html = to_html(source);
        assert_eq!(
            html,
            "Xem <span id=\"g1\">báo cáo &amp; <span id=\"g2\">số liệu</span></span> <img id=\"x3\"> a &lt; b"
        );
        assert_eq!(from_html(&html), source);
    }

    #[test]
    fn foreign_markup_and_entities() {
        let answer = "It&#39;s <span id=g1>the <span class=\"x\">report</span></span><img id=\"x2\"/> &quot;ok&quot; &bogus; & more";
        assert_eq!(
            from_html(answer),
            "It's <g1>the report</g1><x2/> \"ok\" &bogus; & more"
        );
    }
}
