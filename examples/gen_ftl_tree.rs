//! Generates a synthetic Fluent project for benchmarking `dich check`: a `config.toml`
//! (source `vi`) and `locales/<lang>/<group>/file<N>.ftl` for L locales × F files × M
//! messages, mixing plain text, variables, plural selects, attributes and term
//! references. Every locale is complete and clean, so the check does all its work.
//!
//! Usage: `cargo run --release --example gen_ftl_tree -- OUT_DIR [LOCALES=20] [FILES=10] [MESSAGES=200]`

use std::fmt::Write as _;
use std::path::PathBuf;

/// Locale tags: the source first, then targets.
const TAGS: [&str; 20] = [
    "vi", "en", "ko", "zh-Hans", "ja", "fr", "de", "es", "pt-BR", "ru", "it", "nl", "pl", "tr",
    "th", "id", "ms", "lo", "km", "ar",
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: gen_ftl_tree OUT_DIR [LOCALES] [FILES] [MESSAGES]");
        std::process::exit(2);
    };
    let number =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (locales, files, messages) = (number(1, 20).min(TAGS.len()), number(2, 10), number(3, 200));
    let tags = &TAGS[..locales];
    let targets: Vec<String> = tags[1..].iter().map(|t| format!("\"{t}\"")).collect();
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join("config.toml"),
        format!(
            "[project]\nsource = \"vi\"\ntargets = [{}]\n",
            targets.join(", ")
        ),
    )?;
    for tag in tags {
        for file in 0..files {
            let dir = out
                .join("locales")
                .join(tag)
                .join(format!("group{}", file % 3));
            std::fs::create_dir_all(&dir)?;
            std::fs::write(
                dir.join(format!("file{file}.ftl")),
                file_text(tag, file, messages),
            )?;
        }
    }
    println!(
        "{}: {locales} locales × {files} files × {messages} messages",
        out.display()
    );
    Ok(())
}

fn file_text(tag: &str, file: usize, messages: usize) -> String {
    let categories = plural_variants(tag);
    let mut text =
        format!("### Generated file {file} for {tag}.\n\n-brand-{file} = Brand {tag}\n\n");
    for m in 0..messages {
        let id = format!("f{file}-m{m}");
        let _ = match m % 4 {
            0 => writeln!(text, "{id} = Text {m} in {tag} for {{ -brand-{file} }}"),
            1 => writeln!(
                text,
                "{id} = Hello {{ $name }}, page {{ $page }} / {{ $total }}"
            ),
            2 => writeln!(
                text,
                "{id} =\n    {{ $count ->\n        [0] Nothing\n{categories}    }}"
            ),
            _ => writeln!(
                text,
                "{id} = Value {m}\n    .title = Title {m}\n    .aria-label = Label {m}"
            ),
        };
    }
    text
}

/// The plural variants each generated language needs (as CLDR says; kept small and
/// explicit here because the generator must not depend on the code under test).
fn plural_variants(tag: &str) -> String {
    let needed: &[&str] = match tag {
        "vi" | "ko" | "zh-Hans" | "ja" | "th" | "id" | "ms" | "lo" | "km" => &[],
        "ru" | "pl" => &["one", "few", "many"],
        "ar" => &["zero", "one", "two", "few", "many"],
        _ => &["one"],
    };
    let mut out = String::new();
    for category in needed {
        let _ = writeln!(out, "        [{category}] {{ $count }} item ({category})");
    }
    out.push_str("       *[other] { $count } items\n");
    out
}
