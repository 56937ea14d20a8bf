//! TEMPORARY STUB (replaced by the content branch).
#![allow(missing_docs, unreachable_pub)]
use crate::lang::Lang;
use crate::markup::{TagError, Tagged};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ContentError {
    pub path: PathBuf,
    pub message: String,
}
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("unit {unit}: {source}")]
    Tags { unit: usize, source: TagError },
}
#[derive(Debug, Clone)]
pub struct Article {
    pub source: PathBuf,
    pub rel: PathBuf,
    pub translations: BTreeMap<Lang, PathBuf>,
}
pub fn discover(
    dir: &Path,
    _s: &Lang,
    _t: &[Lang],
) -> Result<(Vec<Article>, Vec<ContentError>), ContentError> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.map_err(|e| ContentError {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
        let p = e.path();
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if name.ends_with(".md") && name.matches('.').count() == 1 {
            out.push(Article {
                source: p.to_owned(),
                rel: p.strip_prefix(dir).unwrap_or(p).to_owned(),
                translations: BTreeMap::new(),
            });
        }
    }
    Ok((out, Vec::new()))
}
pub fn translation_path(source: &Path, lang: &Lang) -> PathBuf {
    source.with_extension(format!("{lang}.md"))
}
#[derive(Debug, Clone)]
pub enum UnitKind {
    Paragraph,
}
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    pub span: Range<usize>,
    pub tagged: Tagged,
}
#[derive(Debug, Clone)]
pub struct Document {
    pub path: PathBuf,
    pub text: String,
    pub units: Vec<Unit>,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    pub source: String,
    pub source_hash: String,
    pub lang: String,
    pub backend: String,
    pub translated_at: String,
}
impl Document {
    pub fn load(path: &Path, _f: &[String]) -> Result<Document, ContentError> {
        let text = std::fs::read_to_string(path).map_err(|e| ContentError {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let mut units = Vec::new();
        let mut pos = 0;
        for para in text.split("\n\n") {
            let t = para.trim();
            if !t.is_empty() {
                let s = pos + para.find(t).unwrap_or(0);
                units.push(Unit {
                    kind: UnitKind::Paragraph,
                    span: s..s + t.len(),
                    tagged: Tagged::plain(t),
                });
            }
            pos += para.len() + 2;
        }
        Ok(Document {
            path: path.to_owned(),
            text,
            units,
        })
    }
    pub fn source_hash(&self) -> String {
        format!("sha256:{}", crate::memory::hash(&self.text))
    }
    pub fn render(&self, tr: &[String], p: &Provenance) -> Result<String, RenderError> {
        let mut out = format!(
            "+++\n[extra.dich]\nsource_hash = \"{}\"\n+++\n",
            p.source_hash
        );
        let mut last = 0;
        for (i, u) in self.units.iter().enumerate() {
            out.push_str(&self.text[last..u.span.start]);
            out.push_str(
                &u.tagged
                    .restore(&tr[i])
                    .map_err(|source| RenderError::Tags { unit: i, source })?,
            );
            last = u.span.end;
        }
        out.push_str(&self.text[last..]);
        Ok(out)
    }
}
pub fn read_provenance(text: &str) -> Option<Provenance> {
    let h = text
        .lines()
        .find_map(|l| l.strip_prefix("source_hash = \""))?
        .trim_end_matches('"');
    Some(Provenance {
        source: String::new(),
        source_hash: h.to_owned(),
        lang: String::new(),
        backend: String::new(),
        translated_at: String::new(),
    })
}
