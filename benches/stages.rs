//! Micro-benchmarks of the pipeline's CPU stages (issue 15), with divan:
//! segmentation, inline markup ⇄ tags, rendering, the Fluent check, and the QA checks
//! of one answer.
//!
//! Run with `cargo bench --bench stages` (docs/benchmarks.md). The inputs are the
//! repository's own sample article and sample project, so the figures follow the
//! content a news portal actually has. `cargo test` builds this file without running
//! it; divan was chosen over criterion for its small dependency tree (it reuses clap).

use std::path::PathBuf;

use dich::content::{Document, Provenance};
use dich::segment::Segmenter;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

/// The repository root (benches run from the package folder).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample article: about 48 sentences of Vietnamese news with links and emphasis.
fn sample() -> (PathBuf, Vec<u8>) {
    let path = root().join("content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md");
    let bytes = std::fs::read(&path).expect("the sample article is in the repository");
    (path, bytes)
}

fn parsed() -> Document {
    let (path, bytes) = sample();
    Document::parse(&path, &bytes, &[]).expect("the sample article parses")
}

/// Sentence splitting of every unit of the sample article.
#[divan::bench]
fn segmentation(bencher: Bencher) {
    let doc = parsed();
    let segmenter = Segmenter::for_language("vi");
    let texts: Vec<String> = doc
        .units
        .iter()
        .map(|u| u.tagged.text().to_owned())
        .collect();
    bencher
        .counter(divan::counter::BytesCount::new(
            texts.iter().map(String::len).sum::<usize>(),
        ))
        .bench(|| {
            texts
                .iter()
                .map(|t| segmenter.sentences(black_box(t)).len())
                .sum::<usize>()
        });
}

/// Markdown → units with inline markup as numbered tags (the parse that feeds the
/// segmenter).
#[divan::bench]
fn tags_from_markdown(bencher: Bencher) {
    let (path, bytes) = sample();
    bencher
        .counter(divan::counter::BytesCount::new(bytes.len()))
        .bench(|| {
            Document::parse(&path, black_box(&bytes), &[])
                .map(|d| d.units.len())
                .unwrap_or(0)
        });
}

/// Tags → markup: each unit's tagged text checked and restored, as after translation.
#[divan::bench]
fn tags_restored(bencher: Bencher) {
    let doc = parsed();
    bencher.bench(|| {
        doc.units
            .iter()
            .filter_map(|u| u.tagged.restore(black_box(u.tagged.text())).ok())
            .map(|s| s.len())
            .sum::<usize>()
    });
}

/// Rendering by substitution: the whole translated article with its provenance.
#[divan::bench]
fn rendering(bencher: Bencher) {
    let doc = parsed();
    let translations: Vec<String> = doc
        .units
        .iter()
        .map(|u| format!("EN:{}", u.tagged.text()))
        .collect();
    let provenance = Provenance {
        source: "tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md".to_owned(),
        source_hash: doc.source_hash(),
        lang: "en".to_owned(),
        backend: "bench".to_owned(),
        translated_at: "2026-01-01T00:00:00Z".to_owned(),
        units: String::new(),
    };
    bencher.bench(|| {
        doc.render(black_box(&translations), &provenance)
            .map(|s| s.len())
            .unwrap_or(0)
    });
}

/// `dich check` on the sample project's locales (every `.ftl` file, all languages).
#[divan::bench]
fn fluent_check(bencher: Bencher) {
    let config = dich::config::Config::from_file(&root().join("config.toml"))
        .expect("the sample project's config loads");
    bencher.bench(|| dich::fluent::check(black_box(&config)).diagnostics.len());
}

/// The QA checks (`dich::qa::check_answer`, every code at its default level, the
/// project's glossary) on one sentence of the sample articles and its translation by
/// hand (`examples/qa_recall/articles.toml`, the first pair: 205 characters of
/// Vietnamese with dates, ranges and glossary terms), per target language: what the
/// gate adds to each machine answer.
#[divan::bench(args = ["en", "ko", "zh-Hans"])]
fn qa_checks(bencher: Bencher, target: &str) {
    use dich::lang::Lang;
    use dich::qa::{Checker, Glossary, Pair};
    let text = std::fs::read_to_string(root().join("examples/qa_recall/articles.toml"))
        .expect("the hand-translated sample sentences are in the repository");
    let table: toml::Table = toml::from_str(&text).expect("articles.toml is TOML");
    let pair = &table["pair"][0];
    let column = if target == "zh-Hans" { "zh" } else { target };
    let field = |key: &str| {
        dich::segment::normalize(pair[key].as_str().expect("each pair has every language"))
    };
    let (source, answer) = (field("vi"), field(column));
    let glossary =
        Glossary::from_file(&root().join("glossary.toml")).expect("the project's glossary loads");
    let checker = Checker::new().with_glossary(glossary);
    let (vi, target) = (
        Lang::parse("vi").expect("a valid tag"),
        Lang::parse(target).expect("a valid tag"),
    );
    let pair = Pair {
        source: &vi,
        target: &target,
    };
    assert!(
        dich::qa::check_answer(&checker, &source, &answer, pair).is_empty(),
        "a translation by hand passes"
    );
    bencher
        .counter(divan::counter::BytesCount::new(source.len() + answer.len()))
        .bench(|| {
            dich::qa::check_answer(&checker, black_box(&source), black_box(&answer), pair).len()
        });
}
