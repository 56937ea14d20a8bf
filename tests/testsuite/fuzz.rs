//! Fuzzing of the parsers input can reach (issue 10): front matter and Markdown
//! rendering, TMX import, Fluent planning and splicing, and the segmenter.
//!
//! Each target is a property over generated input, run briefly with the suite. For a
//! long run, set `DICH_FUZZ_SECONDS` (seconds per target); each round then draws a new
//! random seed, so the run explores new cases instead of repeating the fixed seed CI
//! uses. `cargo fuzz` would need a nightly toolchain, which this project does not
//! require; docs/fuzzing.md says how to run and what earlier runs found.

use std::path::Path;
use std::time::{Duration, Instant};

use dich::content::{Document, Provenance};
use dich::fluent::FtlPlan;
use dich::lang::Lang;
use dich::memory::Memory;
use dich::segment::Segmenter;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Cases per round: enough to catch a regression in the suite, small enough to stay fast.
const CASES: u32 = 150;

/// Runs `test` over `strategy`: one round of [`CASES`] with the suite's fixed seed, or
/// rounds with fresh seeds for `DICH_FUZZ_SECONDS` seconds.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let budget = std::env::var("DICH_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let started = Instant::now();
    let mut rounds: u64 = 0;
    loop {
        let mut runner = match budget {
            None => TestRunner::new(config.clone()),
            Some(_) => {
                let seed: [u8; 32] = rand_seed(rounds);
                TestRunner::new_with_rng(
                    config.clone(),
                    TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
                )
            }
        };
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("fuzz target `{name}` failed after {rounds} rounds: {e}");
        }
        rounds += 1;
        match budget {
            Some(budget) if started.elapsed() < budget => continue,
            Some(_) => {
                eprintln!(
                    "fuzz target `{name}`: {} cases in {:.0} s, no failure",
                    rounds * u64::from(CASES),
                    started.elapsed().as_secs_f64()
                );
                break;
            }
            None => break,
        }
    }
}

/// A seed that differs per round and per process.
fn rand_seed(round: u64) -> [u8; 32] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(&nanos.to_le_bytes());
    seed[16..24].copy_from_slice(&round.to_le_bytes());
    seed[24..28].copy_from_slice(&std::process::id().to_le_bytes());
    seed
}

/// Text made of the pieces Markdown, front matter, shortcodes and Vietnamese are made of.
fn markdownish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "# ",
        "## ",
        "*",
        "**",
        "_",
        "`",
        "```",
        "[",
        "](",
        ")",
        "![",
        "]: /a",
        "[^1]",
        "|",
        "|---|",
        "> ",
        "- ",
        "+ ",
        "1. ",
        "2) ",
        "\n",
        "\n\n",
        "\r\n",
        "+++\n",
        "---\n",
        "    ",
        "\t",
        "xin chào",
        "Đức",
        "TP. HCM",
        "1.676,5",
        "ả",
        "<span>",
        "</span>",
        "<g1>",
        "</g1>",
        "<x2/>",
        "\\",
        "&amp;",
        "~~",
        "title = \"a\"\n",
        "title: b\n",
        "{#id}",
        "{{< figure src=\"a.png\" >}}",
        "{{% note %}}",
        "{{% /note %}}",
        "{{ youtube(id=\"x\") }}",
        "{% quote() %}",
        "{% end %}",
        "<br>",
        "https://a.vn",
        ":",
        "\"",
        "'",
        "=\n",
        "-\n",
        "你好。",
        "한국어 ",
        "\u{feff}",
        "\u{0}",
    ]);
    prop::collection::vec(atoms, 0..48).prop_map(|v| v.concat())
}

fn fields() -> Vec<String> {
    ["title", "description", "summary"]
        .map(String::from)
        .to_vec()
}

fn provenance() -> Provenance {
    Provenance {
        source: "a.md".into(),
        source_hash: "sha256:0".into(),
        lang: "en".into(),
        backend: "fuzz".into(),
        translated_at: "2026-01-01T00:00:00Z".into(),
        units: String::new(),
    }
}

/// Parsing gives a document or an error, never a panic; a document rendered with its
/// own text parses again to the same units.
#[test]
fn markdown_and_front_matter() {
    fuzz("markdown", markdownish(), |text| {
        let Ok(doc) = Document::parse(Path::new("a.md"), text.as_bytes(), &fields()) else {
            return Ok(());
        };
        let own: Vec<String> = doc
            .units
            .iter()
            .map(|u| u.tagged.text().to_owned())
            .collect();
        let Ok(rendered) = doc.render(&own, &provenance()) else {
            return Ok(());
        };
        let again = Document::parse(Path::new("a.en.md"), rendered.as_bytes(), &fields());
        let again =
            again.map_err(|e| TestCaseError::fail(format!("own output unreadable: {e}")))?;
        let units: Vec<&str> = again.units.iter().map(|u| u.tagged.text()).collect();
        prop_assert_eq!(units, own.iter().map(String::as_str).collect::<Vec<_>>());
        Ok(())
    });
}

/// Random bytes after a front-matter opening: a document or an error, never a panic.
#[test]
fn markdown_random_bytes() {
    fuzz(
        "markdown-bytes",
        prop::collection::vec(any::<u8>(), 0..400),
        |bytes| {
            let _ = Document::parse(Path::new("a.md"), &bytes, &fields());
            for opening in [&b"+++\ntitle = \""[..], b"---\ntitle: "] {
                let mut with_front = opening.to_vec();
                with_front.extend_from_slice(&bytes);
                let _ = Document::parse(Path::new("a.md"), &with_front, &fields());
            }
            Ok(())
        },
    );
}

/// TMX-shaped input: an import stores something or reports an error, never panics.
#[test]
fn tmx_import() {
    let pieces = prop::sample::select(vec![
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "<tmx version=\"1.4\">",
        "</tmx>",
        "<header srclang=\"vi\"/>",
        "<body>",
        "</body>",
        "<tu>",
        "</tu>",
        "<tuv xml:lang=\"vi\">",
        "<tuv xml:lang=\"en\">",
        "<tuv xml:lang=\"zh-CN\">",
        "<tuv lang=\"ko\">",
        "<tuv xml:lang=\"x!\">",
        "</tuv>",
        "<seg>",
        "</seg>",
        "<bpt i=\"1\" x=\"1\">&lt;g1&gt;</bpt>",
        "<ept i=\"1\">&lt;/g1&gt;</ept>",
        "<ph x=\"2\">&lt;x2/&gt;</ph>",
        "<it pos=\"begin\">x</it>",
        "<hi>",
        "</hi>",
        "<prop type=\"x\">y</prop>",
        "Xin chào",
        "Hello",
        "&amp;",
        "&#x1F600;",
        "&bogus;",
        "<!-- c -->",
        "<![CDATA[a<b]]>",
        "\n",
        " ",
        "<",
        ">",
        "\"",
    ]);
    let strategy = prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat());
    let targets = ["en", "ko", "zh-Hans"]
        .map(|t| Lang::parse(t).expect("tag"))
        .to_vec();
    let source = Lang::parse("vi").expect("tag");
    let dir = tempfile::tempdir().expect("temp dir");
    fuzz("tmx", strategy, |text| {
        let path = dir.path().join("f.tmx");
        std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut memory = Memory::in_memory().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let _ = dich::memory::tmx::import(&mut memory, &source, &targets, &path);
        Ok(())
    });
}

/// Fluent-shaped reference and target files: planning gives a plan or an error; a plan
/// rendered with the source's own text is a file that parses without errors and holds
/// every message it planned.
#[test]
fn fluent_plan_and_splice() {
    let pieces = prop::sample::select(vec![
        "a = ",
        "b = ",
        "c =",
        "-term = ",
        "a-b = ",
        "\n",
        "\n\n",
        "    ",
        "  .title = ",
        "{ $n }",
        "{ -term }",
        "{ a }",
        "{ $n ->\n",
        "[one] một\n",
        "*[other] nhiều\n",
        "[few] vài\n",
        "}\n",
        "{ \"\" }",
        "{",
        "}",
        "[",
        "*",
        ".",
        "# c\n",
        "## S\n",
        "### R\n",
        "Xin chào",
        "mục",
        "\\u0041",
        "\r\n",
        "\t",
        "é",
        "=",
    ]);
    let text = prop::collection::vec(pieces, 0..30).prop_map(|v| v.concat());
    let strategy = (text.clone(), prop::option::of(text));
    let (vi, en) = (
        Lang::parse("vi").expect("tag"),
        Lang::parse("en").expect("tag"),
    );
    fuzz("fluent", strategy, |(reference, existing)| {
        let plan = FtlPlan::new(
            Path::new("vi/a.ftl"),
            &reference,
            Path::new("en/a.ftl"),
            existing.as_deref(),
            &vi,
            &en,
        );
        let Ok(plan) = plan else { return Ok(()) };
        let own: Vec<Option<String>> = plan
            .units()
            .iter()
            .map(|u| Some(u.tagged.text().to_owned()))
            .collect();
        let (written, failures) = plan.render(&own, "machine (fuzz)");
        let parsed = fluent_syntax::parser::parse(written.as_str());
        prop_assert!(parsed.is_ok(), "own output does not parse:\n{}", written);
        for id in plan.missing_ids() {
            let kept =
                written.contains(&format!("{id} =")) || failures.iter().any(|(f, _)| *f == id);
            prop_assert!(kept, "message `{}` missing from:\n{}", id, written);
        }
        Ok(())
    });
}

/// The segmenter covers its input: sentences are in order, do not overlap, and only
/// whitespace lies between them.
#[test]
fn segmenter() {
    let pieces = prop::sample::select(vec![
        "TP. ",
        "Tp. ",
        "HCM",
        "Bắc Ninh",
        ". ",
        "! ",
        "? ",
        "… ",
        "...",
        "\"",
        "“",
        "”",
        " - ",
        " – ",
        "tôi hỏi.",
        "V. H. ",
        "h. 15 ",
        "v.v. ",
        "1.676,5 ",
        "Giá ",
        "tăng",
        "\n",
        "  ",
        "<g1>",
        "</g1>",
        "<x2/>",
        "(",
        ")",
        "Ông ",
        "nói",
        "ả",
        "你好。",
        "。",
        "U.S. ",
    ]);
    let strategy = prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat());
    let segmenter = Segmenter::for_language("vi");
    fuzz("segment", strategy, |text| {
        let text = dich::segment::normalize(&text);
        let ranges = segmenter.split(&text);
        let mut end = 0;
        for range in ranges {
            prop_assert!(range.start >= end && range.end <= text.len() && range.start < range.end);
            let gap = text.get(end..range.start).unwrap_or("x");
            prop_assert!(
                gap.trim().is_empty(),
                "text lost between sentences: {:?}",
                gap
            );
            end = range.end;
        }
        prop_assert!(
            text.get(end..).is_some_and(|t| t.trim().is_empty()),
            "tail lost"
        );
        Ok(())
    });
}
