//! `dich segment`: sentence splitting for debugging, as JSON Lines.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use dich::config::Config;
use dich::segment::{self, Segmenter};

use super::Exit;
use super::output::{UsageError, print_line};

#[derive(Debug, Args)]
pub(crate) struct SegmentArgs {
    /// File to read (default: standard input).
    file: Option<PathBuf>,
    /// Source language (default: the config's source, or `vi` without a config).
    #[arg(long)]
    lang: Option<String>,
    /// A segmentation rules file to use instead of the built-in rules.
    #[arg(long)]
    rules: Option<PathBuf>,
}

pub(crate) fn execute(config_path: &Path, args: SegmentArgs) -> anyhow::Result<Exit> {
    let segmenter = segmenter(config_path, &args)?;
    let text = read_input(args.file.as_deref())?;
    let text = segment::normalize(&text.replace("\r\n", "\n"));
    for paragraph in paragraphs(&text) {
        let sentences: Vec<&str> = segmenter
            .split(&paragraph)
            .into_iter()
            .map(|range| &paragraph[range])
            .collect();
        print_line(&serde_json::to_string(&sentences)?)?;
    }
    Ok(Exit::Ok)
}

fn segmenter(config_path: &Path, args: &SegmentArgs) -> anyhow::Result<Segmenter> {
    if let Some(rules) = &args.rules {
        return Ok(Segmenter::from_rules_file(rules)?);
    }
    let language = match &args.lang {
        Some(tag) => dich::lang::Lang::parse(tag)
            .map_err(|e| UsageError(format!("--lang: {e}")))?
            .language()
            .to_owned(),
        None if config_path.exists() => {
            let config = Config::from_file(config_path)?;
            dich::backend::check_config(&config)?;
            if let Some(rules) = &config.segmentation.rules {
                return Ok(Segmenter::from_rules_file(rules)?);
            }
            config.source.language().to_owned()
        }
        None => "vi".to_owned(),
    };
    Ok(Segmenter::for_language(&language))
}

fn read_input(file: Option<&Path>) -> anyhow::Result<String> {
    let bytes = match file {
        Some(path) => {
            std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?
        }
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("failed to read standard input")?;
            bytes
        }
    };
    String::from_utf8(bytes).map_err(|e| {
        let name = file.map_or("standard input".to_owned(), |p| p.display().to_string());
        anyhow::anyhow!(
            "{name} is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Paragraphs separated by blank (or whitespace-only) lines.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    out
}
