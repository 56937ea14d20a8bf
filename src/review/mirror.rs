//! The verdict mirrored in a translated file, so deleting `.dich/` loses no approval:
//! in a Markdown file, `review*` keys inside its `[extra.dich]` table (TOML) or `dich:`
//! mapping (YAML); in a `.ftl` file, one `### dich-review: {json}` resource comment on
//! the first line. The translation hash leaves the provenance (and so the mirror) out:
//! writing the verdict does not change what was approved.

use crate::memory::{Approval, Verdict, hash, hash_parts};

/// The prefix of the `.ftl` line that mirrors a verdict.
const FTL_PREFIX: &str = "### dich-review: ";

/// The keys this module writes into a Markdown provenance block.
const KEYS: [&str; 6] = [
    "review",
    "reviewed_by",
    "reviewed_at",
    "reviewed_source_hash",
    "reviewed_hash",
    "review_reason",
];

/// Which kind of translated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A Markdown article with a provenance block in its front matter.
    Markdown,
    /// A Fluent file.
    Ftl,
}

/// Where the provenance block sits in a Markdown file: its lines `start..end`
/// (header line included) and whether it is YAML.
struct Block {
    start: usize,
    end: usize,
    yaml: bool,
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn bare(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
        .trim_start_matches('\u{feff}')
}

/// The provenance block of a Markdown file's front matter, if it has one as a table
/// (an inline `extra = { dich = … }` has no lines of its own and is not found).
fn find_block(lines: &[&str]) -> Option<Block> {
    // Blank lines may come before the front matter, as the content reader allows.
    let open = lines.iter().position(|l| !bare(l).trim().is_empty())?;
    let fence = bare(lines[open]);
    if fence != "+++" && fence != "---" {
        return None;
    }
    let close = lines.iter().skip(open + 1).position(|l| bare(l) == fence)? + open + 1;
    let yaml = fence == "---";
    let header = if yaml { "dich:" } else { "[extra.dich]" };
    let start = (open + 1..close).find(|&i| bare(lines[i]).trim_end() == header)?;
    let mut end = start + 1;
    while end < close {
        let line = bare(lines[end]);
        let inside = if yaml {
            line.starts_with([' ', '\t'])
        } else {
            !line.trim_start().starts_with('[')
        };
        if !inside {
            break;
        }
        end += 1;
    }
    // Trailing blank lines belong to what follows.
    while end > start + 1 && bare(lines[end - 1]).trim().is_empty() {
        end -= 1;
    }
    Some(Block { start, end, yaml })
}

/// The hash of a translation as a reviewer saw it: the file without its provenance.
pub(crate) fn translation_hash(kind: FileKind, text: &str) -> String {
    let lines = lines(text);
    let kept: Vec<&str> = match kind {
        FileKind::Markdown => match find_block(&lines) {
            Some(block) => lines[..block.start]
                .iter()
                .chain(&lines[block.end..])
                .copied()
                .collect(),
            None => return hash(text),
        },
        FileKind::Ftl => lines
            .iter()
            .filter(|l| !bare(l).starts_with(FTL_PREFIX))
            .copied()
            .collect(),
    };
    // Hashed line by line: a file of megabytes is not copied to be hashed (issue 10,
    // item 14; it was the peak of writing one).
    hash_parts(&kept)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Mirrored {
    review: String,
    reviewed_by: String,
    reviewed_at: String,
    reviewed_source_hash: String,
    reviewed_hash: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    review_reason: String,
}

/// The verdict mirrored in `text`, if there is one. `path` is the file's display path.
pub(crate) fn read(kind: FileKind, path: &str, text: &str) -> Option<Approval> {
    let mirrored: Mirrored = match kind {
        FileKind::Ftl => {
            let line = text.lines().map(bare).find(|l| l.starts_with(FTL_PREFIX))?;
            serde_json::from_str(&line[FTL_PREFIX.len()..]).ok()?
        }
        FileKind::Markdown => {
            let lines = lines(text);
            let block = find_block(&lines)?;
            let mut map = serde_json::Map::new();
            for line in &lines[block.start + 1..block.end] {
                let line = bare(line).trim();
                let sep = if block.yaml { ':' } else { '=' };
                let Some((key, value)) = line.split_once(sep) else {
                    continue;
                };
                let key = key.trim();
                if KEYS.contains(&key) {
                    // Written as JSON strings, which both TOML and YAML read as strings.
                    let value: String = serde_json::from_str(value.trim()).ok()?;
                    map.insert(key.to_owned(), value.into());
                }
            }
            serde_json::from_value(map.into()).ok()?
        }
    };
    Some(Approval {
        path: path.to_owned(),
        verdict: Verdict::parse(&mirrored.review)?,
        by: mirrored.reviewed_by,
        at: mirrored.reviewed_at,
        source_hash: mirrored.reviewed_source_hash,
        translation_hash: mirrored.reviewed_hash,
        reason: mirrored.review_reason,
    })
}

/// `text` with `approval` mirrored in it (replacing an earlier verdict); `None` when
/// the file has no provenance block to hold it.
pub(crate) fn write(kind: FileKind, text: &str, approval: &Approval) -> Option<String> {
    let mirrored = Mirrored {
        review: approval.verdict.as_str().to_owned(),
        reviewed_by: approval.by.clone(),
        reviewed_at: approval.at.clone(),
        reviewed_source_hash: approval.source_hash.clone(),
        reviewed_hash: approval.translation_hash.clone(),
        review_reason: approval.reason.clone(),
    };
    let lines = lines(text);
    match kind {
        FileKind::Ftl => {
            let json = serde_json::to_string(&mirrored).ok()?;
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let bom = if text.starts_with('\u{feff}') {
                "\u{feff}"
            } else {
                ""
            };
            let rest: String = lines
                .iter()
                .filter(|l| !bare(l).starts_with(FTL_PREFIX))
                .copied()
                .collect();
            let rest = rest.strip_prefix('\u{feff}').unwrap_or(&rest);
            Some(format!("{bom}{FTL_PREFIX}{json}{newline}{rest}"))
        }
        FileKind::Markdown => {
            let block = find_block(&lines)?;
            let newline = if lines[block.start].ends_with("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let sep = if block.yaml { ": " } else { " = " };
            let indent = if block.yaml { "  " } else { "" };
            let value = serde_json::to_value(&mirrored).ok()?;
            let mut out: String = lines[..block.end]
                .iter()
                .enumerate()
                .filter(|(i, l)| {
                    let key = bare(l).trim().split([':', '=']).next().unwrap_or("").trim();
                    *i <= block.start || !KEYS.contains(&key)
                })
                .map(|(_, l)| *l)
                .collect();
            if !out.ends_with('\n') {
                out.push_str(newline);
            }
            for key in KEYS {
                if let Some(v) = value.get(key) {
                    out.push_str(&format!("{indent}{key}{sep}{v}{newline}"));
                }
            }
            out.extend(lines[block.end..].iter().copied());
            Some(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(verdict: Verdict) -> Approval {
        Approval {
            path: "content/a.en.md".into(),
            verdict,
            by: "Nguyễn \"Văn\" A".into(),
            at: "2026-11-30T10:00:00Z".into(),
            source_hash: "sha256:1".into(),
            translation_hash: "abc".into(),
            reason: if verdict == Verdict::Rejected {
                "wrong: name".into()
            } else {
                String::new()
            },
        }
    }

    const TOML: &str =
        "+++\ntitle = \"News\"\n\n[extra.dich]\nsource = \"a.md\"\nlang = \"en\"\n+++\nBody.\n";
    const YAML: &str = "---\ntitle: News\ndich:\n  source: \"a.md\"\n  lang: \"en\"\n---\nBody.\n";

    #[test]
    fn markdown_mirror_round_trips_and_leaves_the_hash_alone() {
        for text in [TOML, YAML] {
            let a = approval(Verdict::Approved);
            let out = write(FileKind::Markdown, text, &a).unwrap();
            assert!(out.ends_with("Body.\n"), "{out}");
            assert_eq!(read(FileKind::Markdown, &a.path, &out), Some(a));
            let r = approval(Verdict::Rejected);
            let again = write(FileKind::Markdown, &out, &r).unwrap();
            assert_eq!(read(FileKind::Markdown, &r.path, &again), Some(r));
            assert_eq!(again.matches("reviewed_by").count(), 1, "{again}");
            assert_eq!(
                translation_hash(FileKind::Markdown, text),
                translation_hash(FileKind::Markdown, &again)
            );
            // The mirror is still a valid front matter the provenance reader accepts.
            assert!(crate::content::read_provenance(&again).is_none_or(|p| p.lang == "en"));
        }
        assert_ne!(
            translation_hash(FileKind::Markdown, TOML),
            translation_hash(FileKind::Markdown, &TOML.replace("Body", "Text"))
        );
    }

    #[test]
    fn toml_mirror_parses_as_toml() {
        let out = write(FileKind::Markdown, TOML, &approval(Verdict::Rejected)).unwrap();
        let front = out.split("+++\n").nth(1).unwrap();
        let value: toml::Table = toml::from_str(front).unwrap();
        assert_eq!(
            value["extra"]["dich"]["reviewed_by"].as_str(),
            Some("Nguyễn \"Văn\" A")
        );
    }

    #[test]
    fn ftl_mirror_is_a_resource_comment() {
        let text = "hello = Xin chào\n";
        let a = approval(Verdict::Approved);
        let out = write(FileKind::Ftl, text, &a).unwrap();
        assert!(out.starts_with(FTL_PREFIX) && out.ends_with(text), "{out}");
        assert_eq!(read(FileKind::Ftl, &a.path, &out), Some(a.clone()));
        let again = write(FileKind::Ftl, &out, &a).unwrap();
        assert_eq!(again, out);
        assert_eq!(
            translation_hash(FileKind::Ftl, text),
            translation_hash(FileKind::Ftl, &out)
        );
        assert_eq!(read(FileKind::Markdown, &a.path, text), None);
    }

    #[test]
    fn a_front_matter_after_a_blank_line_holds_the_mirror() {
        // Zola's docs have such pages; their translations keep the blank line.
        let text = format!("\n{TOML}");
        let a = approval(Verdict::Approved);
        let out = write(FileKind::Markdown, &text, &a).unwrap();
        assert!(
            out.starts_with("\n+++\n") && out.ends_with("Body.\n"),
            "{out}"
        );
        assert_eq!(read(FileKind::Markdown, &a.path, &out), Some(a));
        assert_eq!(
            translation_hash(FileKind::Markdown, &text),
            translation_hash(FileKind::Markdown, &out)
        );
    }
}
