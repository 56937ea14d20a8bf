//! Data-driven segmentation tests: every `tests/fixtures/segment/<case>.txt` is
//! Vietnamese source text, paragraphs separated by blank lines; `<case>.expected`
//! holds its sentences under the built-in Vietnamese rules, one per line, paragraphs
//! separated by blank lines. Add a case by adding the two files; `DICH_BLESS=1`
//! rewrites the `.expected` files from the current output (review the diff before
//! committing).

use std::path::{Path, PathBuf};

use dich::segment::{Segmenter, normalize};

/// The `.txt` files of the fixture folder, sorted.
fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment");
    let entries = std::fs::read_dir(&root).expect("tests/fixtures/segment exists");
    let mut cases: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable fixture folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in {}", root.display());
    cases
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sentences of `text` in the `.expected` layout.
fn sentences(text: &str) -> String {
    let segmenter = Segmenter::for_language("vi");
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|paragraph| segmenter.sentences(paragraph).join("\n"))
        .filter(|sentences| !sentences.is_empty())
        .collect();
    paragraphs.join("\n\n")
}

#[test]
fn every_fixture_splits_into_its_expected_sentences() {
    let bless = std::env::var_os("DICH_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let actual = sentences(&read(&case));
        let expected_path = case.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, format!("{actual}\n")).expect("write .expected");
            continue;
        }
        let expected = read(&expected_path);
        if actual != expected.trim_end() {
            failures.push(format!(
                "{}:\n--- expected\n{}\n--- actual\n{actual}\n",
                case.display(),
                expected.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The fixtures are stored normalised (NFC, tone marks in the old style), so the
/// expected sentences are exactly what the pipeline segments; normalising again
/// changes nothing.
#[test]
fn every_fixture_is_normalised_text() {
    for case in cases() {
        let text = read(&case);
        let once = normalize(&text);
        assert_eq!(once, text, "{} is not normalised", case.display());
        assert_eq!(normalize(&once), once);
    }
}
