//! QA benchmark (issue 11): recall of the checks on injected faults, false positives
//! on clean translations, and checking time per segment.
//!
//! Clean (source, reference) paragraphs come from `corpus.toml` (Vietnamese news
//! sentences with English, Korean and Chinese translations; the generator varies
//! numbers, dates, places and names). Each paragraph, per target language, is left
//! clean or corrupted with one applicable fault, at the rate `--rate` (default 0.5),
//! the fault drawn uniformly. A fault counts as caught when `check_answer` reports
//! anything (error or warning); the false-positive rate is over the clean ones.
//!
//! Also run: every fault on every sentence of the sample articles translated by hand
//! (`articles.toml`), and every single-line message of the project's real UI strings
//! (`locales/<lang>/*.ftl`, translated by people) against its Vietnamese reference,
//! as a false-positive check on text the generator did not write.
//!
//! ```text
//! cargo run --release --example qa_recall -- [--paragraphs 3000] [--rate 0.5] [--seed 11]
//! ```

mod corpus;
mod corrupt;
mod ftl;

use std::path::Path;
use std::time::{Duration, Instant};

use dich::lang::Lang;
use dich::qa::{Checker, Glossary, Pair, QaCode, check_answer, has_error};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use corrupt::{Fault, corrupt};

#[derive(Default)]
struct Tally {
    total: usize,
    caught: usize,
    caught_error: usize,
    caught_own: usize,
    misses: Vec<String>,
}

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paragraphs = arg("--paragraphs", 3000.0) as usize;
    let rate = arg("--rate", 0.5);
    let seed = arg("--seed", 11.0) as u64;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let glossary = Glossary::from_file(&root.join("glossary.toml"))?;
    let checker = Checker::new().with_glossary(glossary.clone());
    let vi = Lang::parse("vi")?;
    let mut rng = StdRng::seed_from_u64(seed);
    let samples = corpus::generate(paragraphs, &mut rng);

    let mut clean = Tally::default();
    let mut faults: Vec<Tally> = Fault::ALL.iter().map(|_| Tally::default()).collect();
    let mut fp_codes: Vec<(QaCode, usize)> = Vec::new();
    let mut checking = Duration::ZERO;
    let mut checks = 0usize;
    let mut chars = 0usize;
    for sample in &samples {
        for (tag, reference) in corpus::TARGETS.iter().zip(&sample.answers) {
            let target = Lang::parse(tag)?;
            let pair = Pair {
                source: &vi,
                target: &target,
            };
            let fault = if rng.random_bool(rate) {
                let applicable: Vec<(usize, String)> = Fault::ALL
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| {
                        corrupt(*f, &sample.source, reference, &target, &glossary, &mut rng)
                            .map(|a| (i, a))
                    })
                    .collect();
                if applicable.is_empty() {
                    None
                } else {
                    let pick = rng.random_range(0..applicable.len());
                    applicable.into_iter().nth(pick)
                }
            } else {
                None
            };
            let answer = fault
                .as_ref()
                .map_or(reference.as_str(), |(_, a)| a.as_str());
            let started = Instant::now();
            let findings = check_answer(&checker, &sample.source, answer, pair);
            checking += started.elapsed();
            checks += 1;
            chars += sample.source.chars().count();
            let tally = match &fault {
                Some((i, _)) => &mut faults[*i],
                None => &mut clean,
            };
            tally.total += 1;
            if !findings.is_empty() {
                tally.caught += 1;
            }
            if has_error(&findings) {
                tally.caught_error += 1;
            }
            if let Some((i, _)) = &fault
                && findings.iter().any(|f| f.code == Fault::ALL[*i].code())
            {
                tally.caught_own += 1;
            }
            let example = || format!("[{tag}] {}\n      → {answer}", sample.source);
            match (&fault, findings.is_empty()) {
                (Some(_), true) if tally.misses.len() < 3 => tally.misses.push(example()),
                (None, false) => {
                    if tally.misses.len() < 8 {
                        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
                        tally
                            .misses
                            .push(format!("{} {:?}", example(), codes.join(",")));
                    }
                    for f in &findings {
                        match fp_codes.iter_mut().find(|(c, _)| *c == f.code) {
                            Some((_, n)) => *n += 1,
                            None => fp_codes.push((f.code, 1)),
                        }
                    }
                }
                _ => {}
            }
        }
    }

    println!(
        "QA benchmark: {paragraphs} paragraphs × {} languages, fault rate {rate}, seed {seed}\n",
        corpus::TARGETS.len()
    );
    println!(
        "{:<20} {:>7} {:>8} {:>9}  by its own check",
        "fault", "cases", "recall", "as error"
    );
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    for (fault, tally) in Fault::ALL.iter().zip(&faults) {
        println!(
            "{:<20} {:>7} {:>7.1}% {:>8.1}%  {:>5.1}% {}",
            fault.name(),
            tally.total,
            pct(tally.caught, tally.total),
            pct(tally.caught_error, tally.total),
            pct(tally.caught_own, tally.total),
            fault.code()
        );
    }
    println!(
        "\nclean segments: {}, flagged {} ({:.2}%), with an error {} ({:.2}%)",
        clean.total,
        clean.caught,
        pct(clean.caught, clean.total),
        clean.caught_error,
        pct(clean.caught_error, clean.total)
    );
    println!(
        "checking time: {:.1} µs per segment (mean source length {} characters)",
        checking.as_secs_f64() * 1e6 / checks.max(1) as f64,
        chars / checks.max(1)
    );
    sample_articles(&checker, &glossary, &vi, &mut rng)?;
    real_ui_strings(root, &checker, &vi)?;
    if std::env::args().any(|a| a == "--verbose") {
        for (fault, tally) in Fault::ALL.iter().zip(&faults) {
            for miss in &tally.misses {
                println!("\nmissed {}: {miss}", fault.name());
            }
        }
        for fp in &clean.misses {
            println!("\nfalse positive: {fp}");
        }
        println!("\nfalse-positive codes: {fp_codes:?}");
    }
    Ok(())
}

/// False positives on the project's real, human-translated UI strings.
fn real_ui_strings(
    root: &Path,
    checker: &Checker,
    vi: &Lang,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut total = 0;
    let mut flagged = Vec::new();
    for tag in corpus::TARGETS {
        let target = Lang::parse(tag)?;
        for (source, answer) in ftl::pairs(&root.join("locales"), tag)? {
            let pair = Pair {
                source: vi,
                target: &target,
            };
            total += 1;
            let findings = check_answer(checker, &source, &answer, pair);
            if !findings.is_empty() {
                let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
                flagged.push(format!("[{tag}] {source} → {answer} {codes:?}"));
            }
        }
    }
    println!(
        "real UI strings (locales/): {total} pairs, flagged {} ({:.2}%)",
        flagged.len(),
        100.0 * flagged.len() as f64 / total.max(1) as f64
    );
    for line in flagged {
        println!("  {line}");
    }
    Ok(())
}

/// Every applicable fault on every hand-translated sentence of the sample articles.
fn sample_articles(
    checker: &Checker,
    glossary: &Glossary,
    vi: &Lang,
    rng: &mut StdRng,
) -> Result<(), Box<dyn std::error::Error>> {
    // Each sentence alone, and each two neighbours as one paragraph (for dropped
    // sentences).
    let mut samples = corpus::articles();
    let joined: Vec<corpus::Sample> = samples
        .windows(2)
        .map(|w| corpus::Sample {
            source: format!("{} {}", w[0].source, w[1].source),
            answers: [0, 1, 2].map(|i| {
                let joiner = if i == 2 { "" } else { " " };
                format!("{}{joiner}{}", w[0].answers[i], w[1].answers[i])
            }),
        })
        .collect();
    samples.extend(joined);
    let mut clean = (0, Vec::new());
    let mut faults: Vec<(usize, usize)> = vec![(0, 0); Fault::ALL.len()];
    let mut misses = Vec::new();
    for sample in &samples {
        for (tag, reference) in corpus::TARGETS.iter().zip(&sample.answers) {
            let target = Lang::parse(tag)?;
            let pair = Pair {
                source: vi,
                target: &target,
            };
            clean.0 += 1;
            let findings = check_answer(checker, &sample.source, reference, pair);
            if !findings.is_empty() {
                let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
                clean.1.push(format!("[{tag}] {reference} {codes:?}"));
            }
            for (i, fault) in Fault::ALL.iter().enumerate() {
                let Some(answer) =
                    corrupt(*fault, &sample.source, reference, &target, glossary, rng)
                else {
                    continue;
                };
                faults[i].0 += 1;
                if check_answer(checker, &sample.source, &answer, pair).is_empty() {
                    misses.push(format!("{} [{tag}] {answer}", fault.name()));
                } else {
                    faults[i].1 += 1;
                }
            }
        }
    }
    println!(
        "\nsample articles, hand-translated: {} segments (sentences and neighbour pairs) × {} languages, every applicable fault on each",
        samples.len(),
        corpus::TARGETS.len()
    );
    for (fault, (total, caught)) in Fault::ALL.iter().zip(&faults) {
        println!(
            "{:<20} {:>7} {:>7.1}%",
            fault.name(),
            total,
            100.0 * *caught as f64 / (*total).max(1) as f64
        );
    }
    println!(
        "clean: {} pairs, flagged {} ({:.2}%)",
        clean.0,
        clean.1.len(),
        100.0 * clean.1.len() as f64 / clean.0.max(1) as f64
    );
    for line in clean.1.iter().chain(&misses) {
        println!("  {line}");
    }
    Ok(())
}
