//! Articles: discovery of `<slug>.md` sources and `<slug>.<lang>.md` translations, front
//! matter (TOML `+++` and YAML `---`), Markdown blocks with byte spans, and rendering by
//! substitution.
//!
//! Invariant: a [`Document`] rendered with each unit's own tagged text as its
//! "translation" reproduces the source body byte for byte; only the provenance block is
//! added to the front matter. Everything the pipeline does not translate (code, HTML,
//! link targets, spacing, other front-matter fields) survives untouched because the
//! renderer only ever replaces the byte spans of units.

mod blocks;
mod discover;
mod escape;
mod front_matter;
mod in_place;
mod outline;
mod pieces;
mod protect;
mod render;
mod titles;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use crate::markup::{self, TagError};
use crate::text_position::{self, Location};

pub(crate) use discover::markdown_extension;
pub use discover::{
    Article, Discovered, Rekeyed, discover, has_translation, rekey, source_of, translation_path,
};
pub use front_matter::{read_provenance, read_title};
pub use outline::Outline;
pub use protect::{Protect, ProtectError};
pub use titles::{FORMAT, Retitle, link_titles_translated};

/// A problem with one content file. Every variant names the file; line and column are
/// 1-based (columns count characters) where there is a position.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// The content folder itself is missing or cannot be listed.
    #[error("{}: cannot read the content folder: {source} (check `content_dir` in the config)", path.display())]
    ContentDir {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file or folder inside the content folder cannot be read.
    #[error("{}: cannot read: {message} (check the file's permissions)", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The file is not valid UTF-8.
    #[error("{}:{line}:{column}: the file is not valid UTF-8 (save it as UTF-8)", path.display())]
    InvalidUtf8 {
        /// The file.
        path: PathBuf,
        /// Line of the first invalid byte.
        line: usize,
        /// Column (in characters) of the first invalid byte.
        column: usize,
    },
    /// The file is empty or holds only whitespace.
    #[error("{}: the file is empty (write the article or delete the file)", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The front matter does not parse.
    #[error("{}:{line}:{column}: malformed {format} front matter: {message} (fix the front matter between the `{delimiter}` lines)", path.display(), delimiter = format.delimiter())]
    MalformedFrontMatter {
        /// The file.
        path: PathBuf,
        /// Line in the file.
        line: usize,
        /// Column (in characters) in the file.
        column: usize,
        /// TOML or YAML.
        format: FrontMatterFormat,
        /// The parser's message.
        message: String,
    },
    /// The front matter has an opening delimiter but no closing one.
    #[error("{}:{line}:1: unterminated {format} front matter (add a closing `{delimiter}` line after the front matter)", path.display(), delimiter = format.delimiter())]
    UnterminatedFrontMatter {
        /// The file.
        path: PathBuf,
        /// Line of the opening delimiter.
        line: usize,
        /// TOML or YAML.
        format: FrontMatterFormat,
    },
    /// A configured translatable front-matter field holds something other than a string.
    #[error("{}:{line}:{column}: front-matter field `{field}` is {found}, not a string (quote it, or remove `{field}` from the translatable fields)", path.display())]
    FieldNotString {
        /// The file.
        path: PathBuf,
        /// Line of the value.
        line: usize,
        /// Column (in characters) of the value.
        column: usize,
        /// The field name.
        field: String,
        /// What it holds instead ("an integer", "an array", …).
        found: String,
    },
    /// A translation file for a language that is not a configured target.
    #[error("{}: `{lang}` is not a configured target language (configured: {configured}; add it to `targets` or rename the file)", path.display())]
    LanguageNotConfigured {
        /// The translation file.
        path: PathBuf,
        /// The language in its name.
        lang: String,
        /// The configured targets, comma separated.
        configured: String,
    },
    /// A translation named with another spelling of its language than the project's
    /// file key (`a.zh-Hans.md` where Hugo's key `zh-hans` is configured).
    #[error("{}: `{written}` is not this project's file key for {lang}, `{key}` is (`dich translate` renames the file to `{}`)", path.display(), expected.display())]
    WrongFileKey {
        /// The translation file.
        path: PathBuf,
        /// The key in its name.
        written: String,
        /// Its language.
        lang: String,
        /// The configured key.
        key: String,
        /// The name it should have.
        expected: PathBuf,
    },
    /// A file named with the source language, which needs no suffix.
    #[error("{}: `{lang}` is the source language (rename the file to `{}`)", path.display(), expected.display())]
    SourceLanguageSuffix {
        /// The file.
        path: PathBuf,
        /// The source language.
        lang: String,
        /// The name a source file should have.
        expected: PathBuf,
    },
    /// A translation file whose source article does not exist.
    #[error("{}: translation without a source article (expected `{}`; delete the translation or restore the source)", path.display(), expected.display())]
    SourceMissing {
        /// The translation file.
        path: PathBuf,
        /// Where the source should be.
        expected: PathBuf,
    },
}

impl ContentError {
    /// The file (or folder) the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ContentError::ContentDir { path, .. }
            | ContentError::Unreadable { path, .. }
            | ContentError::InvalidUtf8 { path, .. }
            | ContentError::Empty { path }
            | ContentError::MalformedFrontMatter { path, .. }
            | ContentError::UnterminatedFrontMatter { path, .. }
            | ContentError::FieldNotString { path, .. }
            | ContentError::LanguageNotConfigured { path, .. }
            | ContentError::WrongFileKey { path, .. }
            | ContentError::SourceLanguageSuffix { path, .. }
            | ContentError::SourceMissing { path, .. } => path,
        }
    }
}

/// What kind of block a [`Unit`] is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UnitKind {
    /// A translatable front-matter field, by name.
    FrontMatter(String),
    /// A heading's text (ATX or setext), without the markers.
    Heading,
    /// A paragraph outside lists and block quotes.
    Paragraph,
    /// The text of a list item (or of a paragraph inside a loose list item).
    ListItem,
    /// A paragraph inside a block quote.
    BlockQuote,
    /// The text of one table cell.
    TableCell,
    /// The alt text of an image; its span lies inside the span of the enclosing block.
    ImageAlt,
}

/// One translatable block: its byte span in the source file and its text with inline
/// markup replaced by numbered tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// What kind of block this is.
    pub kind: UnitKind,
    /// Byte range in [`Document::text`]; leading and trailing whitespace is outside.
    pub span: Range<usize>,
    /// The text to translate, inline markup as tags.
    pub tagged: markup::Tagged,
}

/// The syntax of a document's front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrontMatterFormat {
    /// TOML between `+++` lines (Zola).
    Toml,
    /// YAML between `---` lines (Hugo, Jekyll).
    Yaml,
}

impl From<crate::config::AddedFrontMatter> for FrontMatterFormat {
    fn from(added: crate::config::AddedFrontMatter) -> Self {
        match added {
            crate::config::AddedFrontMatter::Toml => FrontMatterFormat::Toml,
            crate::config::AddedFrontMatter::Yaml => FrontMatterFormat::Yaml,
        }
    }
}

impl FrontMatterFormat {
    /// The delimiter line: `+++` or `---`.
    pub fn delimiter(self) -> &'static str {
        match self {
            FrontMatterFormat::Toml => "+++",
            FrontMatterFormat::Yaml => "---",
        }
    }
}

impl std::fmt::Display for FrontMatterFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FrontMatterFormat::Toml => "TOML",
            FrontMatterFormat::Yaml => "YAML",
        })
    }
}

/// Where a translation came from; written into the translated file's front matter
/// (`[extra.dich]` in TOML, `dich:` in YAML).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The source article, relative to the content folder, `/` separated.
    pub source: String,
    /// [`Document::source_hash`] of the source that was translated.
    pub source_hash: String,
    /// The target language tag.
    pub lang: String,
    /// The backend that translated it, e.g. `pseudo (pseudo-translation, not for publication)`.
    pub backend: String,
    /// When, RFC 3339.
    pub translated_at: String,
    /// The key of each unit's source text, in order, space-separated: which source
    /// block each translated block came from. It lets dich keep every translated block
    /// whose source is unchanged, human edits included, even without its memory.
    #[serde(default)]
    pub units: String,
}

/// What replaces one unit's span when rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitTranslation {
    /// A tagged translation: its tags are checked and replaced by the source markup.
    Tagged(String),
    /// Text to insert exactly as it is (a block kept from an existing translated file,
    /// e.g. a human edit, with its own markup).
    Raw(String),
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A translation's tags do not match its source unit.
    #[error(
        "unit {unit} ({kind:?}): {source} (the translation must keep every tag of the source exactly once)"
    )]
    Tags {
        /// Index of the unit.
        unit: usize,
        /// Its kind.
        kind: UnitKind,
        /// What is wrong with the tags.
        #[source]
        source: TagError,
    },
    /// Not one translation per unit.
    #[error(
        "{got} translations for {expected} units (pass exactly one translation per unit, in order)"
    )]
    CountMismatch {
        /// Number of units.
        expected: usize,
        /// Number of translations given.
        got: usize,
    },
    /// Even fully escaped, the translated text would change the document's structure
    /// (its blocks, links, images, code, HTML or template syntax).
    #[error(
        "the translation would change the document's structure: {expected} became {found} (report this with the article; dich escapes translated text so this should not happen)"
    )]
    Structure {
        /// The source's part of the first difference.
        expected: String,
        /// The translation's part.
        found: String,
    },
    /// The provenance cannot be added to this front matter.
    #[error("cannot add the provenance to the front matter: {reason}")]
    Provenance {
        /// Why.
        reason: String,
    },
}

/// The length from which a unit's tagged text equal to its source is held as a slice
/// of the document's text (see [`markup::Tagged::share`]); shorter ones are copied, as they
/// cost less than the shared handle.
const SHARED_AT_LEAST: usize = 4 * 1024;

/// A parsed source article.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file it came from (used in errors).
    pub path: PathBuf,
    /// The whole source text, front matter included, exactly as in the file. Shared
    /// with the units whose tagged text is a slice of it ([`markup::Tagged::share`]).
    /// Never changed once parsed: its hash is taken once ([`Document::text_hash`]).
    pub text: Arc<String>,
    /// The front matter's syntax, if the file has front matter.
    pub format: Option<FrontMatterFormat>,
    /// The translatable units, in document order.
    pub units: Vec<Unit>,
    front_matter: Option<front_matter::Split>,
    blocks: blocks::Blocks,
    protect: Protect,
    /// The syntax of the front matter its translations get when it has none
    /// ([`Document::with_added_front_matter`]).
    added_front_matter: FrontMatterFormat,
    /// [`Document::text_hash`], once asked: the record of a source, the provenance of
    /// each of its translations and the comparison with each existing one all need it,
    /// and a source can be megabytes long.
    text_hash: std::sync::OnceLock<String>,
    /// The body's [`outline::Outline`], once asked: the structure check of each of its
    /// translations compares with it (per language, and again in a hard pass).
    outline: std::sync::OnceLock<outline::Outline>,
}

impl Document {
    /// Parses a source file's bytes. `fields` are the translatable front-matter fields
    /// (the config's default is `title`, `description`, `summary`).
    ///
    /// # Errors
    /// [`ContentError`] for invalid UTF-8, an empty file, malformed or unterminated
    /// front matter, or a translatable field that is not a string.
    pub fn parse(path: &Path, bytes: &[u8], fields: &[String]) -> Result<Document, ContentError> {
        Document::parse_with(path, bytes, fields, &Protect::default())
    }

    /// Like [`Document::parse`], with the project's protected template syntax
    /// (`[content] protect` in the config) added to the built-in shortcode patterns.
    ///
    /// # Errors
    /// As [`Document::parse`].
    pub fn parse_with(
        path: &Path,
        bytes: &[u8],
        fields: &[String],
        protect: &Protect,
    ) -> Result<Document, ContentError> {
        Document::from_text(path, decode(path, bytes)?, fields, protect)
    }

    /// Like [`Document::parse_with`], taking the bytes: valid UTF-8 becomes the text
    /// without a copy (a file of megabytes is not held twice while it is parsed, issue
    /// 10, item 14).
    ///
    /// # Errors
    /// As [`Document::parse`].
    pub fn parse_owned(
        path: &Path,
        bytes: Vec<u8>,
        fields: &[String],
        protect: &Protect,
    ) -> Result<Document, ContentError> {
        let text = String::from_utf8(bytes).or_else(|e| decode(path, e.as_bytes()))?;
        Document::from_text(path, text, fields, protect)
    }

    fn from_text(
        path: &Path,
        text: String,
        fields: &[String],
        protect: &Protect,
    ) -> Result<Document, ContentError> {
        if text.trim_start_matches('\u{feff}').trim().is_empty() {
            return Err(ContentError::Empty {
                path: path.to_owned(),
            });
        }
        let split = front_matter::split(path, &text)?;
        let mut units = match &split {
            Some(split) => front_matter::units(path, &text, split, fields)?,
            None => Vec::new(),
        };
        let body_start = split.as_ref().map_or(bom_len(&text), |s| s.body_start);
        // Shared before the blocks are parsed: a long block of text alone is made a
        // slice of it, never a copy (issue 10, item 14).
        let text = Arc::new(text);
        let (blocks, body_units) = blocks::Blocks::parse(&text, body_start, units.len(), protect);
        units.extend(body_units);
        for unit in &mut units {
            if unit.tagged.text().len() >= SHARED_AT_LEAST {
                unit.tagged.share(&text, unit.span.clone());
            }
        }
        Ok(Document {
            path: path.to_owned(),
            format: split.as_ref().map(|s| s.format),
            text,
            units,
            front_matter: split,
            blocks,
            protect: protect.clone(),
            added_front_matter: FrontMatterFormat::Toml,
            text_hash: std::sync::OnceLock::new(),
            outline: std::sync::OnceLock::new(),
        })
    }

    /// The syntax of the front matter that holds the provenance in the translations of
    /// this document when it has none of its own: TOML (`+++`, the default), which
    /// Hugo and Zola read, or YAML (`---`), which the other generators read too
    /// (VitePress, Docusaurus, Jekyll show a `+++` block as text). A document with
    /// front matter keeps its own syntax.
    #[must_use]
    pub fn with_added_front_matter(mut self, format: FrontMatterFormat) -> Self {
        self.added_front_matter = format;
        self
    }

    /// Reads the file and parses it.
    ///
    /// # Errors
    /// [`ContentError::Unreadable`] when the file cannot be read, otherwise as [`Document::parse`].
    pub fn load(path: &Path, fields: &[String]) -> Result<Document, ContentError> {
        Document::load_with(path, fields, &Protect::default())
    }

    /// Reads the file and parses it with [`Document::parse_with`].
    ///
    /// # Errors
    /// As [`Document::load`].
    pub fn load_with(
        path: &Path,
        fields: &[String],
        protect: &Protect,
    ) -> Result<Document, ContentError> {
        let bytes = crate::fs::read(path).map_err(|e| ContentError::Unreadable {
            path: path.to_owned(),
            message: e.source.to_string(),
        })?;
        Document::parse_owned(path, bytes, fields, protect)
    }

    /// SHA-256 of the source text, as `sha256:<hex>`; recorded in the provenance so a
    /// changed source is detected.
    pub fn source_hash(&self) -> String {
        format!("sha256:{}", self.text_hash())
    }

    /// SHA-256 of the text, as lowercase hex (what the memory records of a file's
    /// content); taken once per document.
    pub fn text_hash(&self) -> &str {
        self.text_hash.get_or_init(|| {
            let digest = Sha256::digest(self.text.as_bytes());
            let mut hex = String::with_capacity(2 * digest.len());
            for byte in digest {
                // Writing to a String cannot fail.
                let _ = write!(hex, "{byte:02x}");
            }
            hex
        })
    }

    /// The translated document: the source text with each unit's span replaced by its
    /// translation (`translations[i]` is the tagged translated text of `units[i]`), and
    /// the provenance added to the front matter. Deterministic: the same inputs give
    /// byte-identical output.
    ///
    /// # Errors
    /// [`RenderError::CountMismatch`] unless there is one translation per unit,
    /// [`RenderError::Tags`] naming the first unit whose tags do not match, and
    /// [`RenderError::Provenance`] when the front matter cannot take the provenance.
    pub fn render(
        &self,
        translations: &[String],
        provenance: &Provenance,
    ) -> Result<String, RenderError> {
        let translations: Vec<UnitTranslation> = translations
            .iter()
            .map(|t| UnitTranslation::Tagged(t.clone()))
            .collect();
        self.render_owned(translations, provenance)
    }

    /// Like [`Document::render`], with some units given as raw text to keep as is.
    ///
    /// # Errors
    /// As [`Document::render`].
    pub fn render_units(
        &self,
        translations: &[UnitTranslation],
        provenance: &Provenance,
    ) -> Result<String, RenderError> {
        render::render(self, Cow::Borrowed(translations), provenance)
    }

    /// Like [`Document::render_units`], taking the translations: the text of a long
    /// unit is escaped in the buffer of its translation rather than beside it (a
    /// paragraph of megabytes was held three times, as the source, its translation and
    /// the escaped text, issue 10, item 14). The same bytes as the other renderings.
    ///
    /// # Errors
    /// As [`Document::render`].
    pub fn render_owned(
        &self,
        translations: Vec<UnitTranslation>,
        provenance: &Provenance,
    ) -> Result<String, RenderError> {
        render::render(self, Cow::Owned(translations), provenance)
    }

    /// The protected template syntax this document was parsed with; parse its
    /// translations with the same.
    pub fn protect(&self) -> &Protect {
        &self.protect
    }

    /// The text of each unit exactly as written in the file (see [`Document::raw`]),
    /// the document given up for them: the longest takes over the buffer of its text,
    /// so a translation's paragraph of megabytes read back is not copied (issue 10,
    /// item 14).
    pub fn into_raws(self) -> Vec<String> {
        let Document { text, units, .. } = self;
        let spans: Vec<Range<usize>> = units.into_iter().map(|u| u.span).collect();
        let longest = (0..spans.len()).max_by_key(|&i| spans[i].len());
        let mut raws: Vec<String> = spans
            .iter()
            .enumerate()
            .map(|(i, span)| match longest {
                Some(l) if l == i => String::new(),
                _ => text.get(span.clone()).unwrap_or("").to_owned(),
            })
            .collect();
        if let Some(l) = longest {
            let span = spans[l].clone();
            raws[l] = match Arc::try_unwrap(text) {
                Ok(mut whole) if whole.get(span.clone()).is_some() => {
                    whole.truncate(span.end);
                    whole.drain(..span.start);
                    whole.shrink_to_fit();
                    whole
                }
                Ok(whole) => whole.get(span).unwrap_or("").to_owned(),
                Err(shared) => shared.get(span).unwrap_or("").to_owned(),
            };
        }
        raws
    }

    /// The text of unit `i` exactly as written in the file (markup included).
    pub fn raw(&self, i: usize) -> &str {
        self.units
            .get(i)
            .and_then(|u| self.text.get(u.span.clone()))
            .unwrap_or("")
    }
}

/// Decodes UTF-8, reporting the line and column of the first invalid byte.
/// Where the line holding byte `at` of `text` starts.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Whether byte `at` of `text` is on a container fence's opening line (`::: details
/// Tựa`), after the fence: where attributes such as `{open}` belong to the fence.
fn on_fence_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at]
        .trim_start_matches([' ', '\t'])
        .starts_with(":::")
}

fn decode(path: &Path, bytes: &[u8]) -> Result<String, ContentError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // The prefix is valid by construction, so this never loses anything.
            let prefix = String::from_utf8_lossy(valid);
            let Location { line, column } = text_position::location(&prefix, prefix.len());
            Err(ContentError::InvalidUtf8 {
                path: path.to_owned(),
                line,
                column,
            })
        }
    }
}

/// Length of a leading UTF-8 byte order mark (0 or 3).
fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10, item 14: a long paragraph without markup is held once, as the
    /// document's text, not again as its tagged text; one with markup has its own.
    #[test]
    fn a_long_plain_paragraph_is_its_own_tagged_text() {
        let long = "một hai ba, ".repeat(1_000);
        let body = format!(
            "# Tiêu đề\n\n{long}cuối\n\nđầu **{}** cuối\n",
            long.trim_end()
        );
        let doc = Document::parse(Path::new("a.md"), body.as_bytes(), &[]).unwrap();
        let [_, plain, marked] = &doc.units[..] else {
            panic!("three units expected, got {}", doc.units.len());
        };
        assert_eq!(plain.tagged.text(), &doc.text[plain.span.clone()]);
        assert_eq!(
            plain.tagged.text().as_ptr(),
            doc.text[plain.span.clone()].as_ptr()
        );
        assert!(marked.tagged.text().starts_with("đầu <g1>"));
        assert_eq!(doc.units, doc.clone().units);
    }

    /// The stat records of sources and translations take their content hash from the
    /// document, and a later run compares it with a hash of the file's bytes.
    #[test]
    fn the_text_hash_is_the_memory_hash_of_the_file() {
        let bytes = "+++\ntitle = \"Tựa\"\n+++\nChữ một.\n";
        let doc = Document::parse(Path::new("a.md"), bytes.as_bytes(), &[]).unwrap();
        assert_eq!(doc.text_hash(), crate::memory::hash_bytes(bytes.as_bytes()));
        assert_eq!(
            doc.source_hash(),
            format!("sha256:{}", crate::memory::hash(bytes))
        );
        assert_eq!(doc.clone().text_hash(), doc.text_hash());
    }

    #[test]
    fn into_raws_gives_each_unit_as_written() {
        let long = "một *hai* ba, ".repeat(500);
        let body = format!(
            "+++\ntitle = \"Tiêu \\\"đề\\\"\"\n+++\n\n# Mục\n\n{long}cuối\n\n- một\n- hai\n"
        );
        let doc =
            Document::parse(Path::new("a.md"), body.as_bytes(), &["title".to_owned()]).unwrap();
        let expected: Vec<String> = (0..doc.units.len())
            .map(|i| doc.raw(i).to_owned())
            .collect();
        assert_eq!(expected.len(), 5);
        assert!(expected[2].starts_with("một *hai*"), "{}", expected[2]);
        // Shared elsewhere, the text is copied from; alone, taken over.
        assert_eq!(doc.clone().into_raws(), expected);
        assert_eq!(doc.into_raws(), expected);
    }

    /// A long paragraph that spells a tag literal is built as before (the literal
    /// becomes a tag), not taken as its own tagged text.
    #[test]
    fn a_long_paragraph_spelling_a_tag_is_not_its_own_tagged_text() {
        let long = "một hai ba, ".repeat(1_000);
        let body = format!("{long}<x1/> cuối\n");
        let doc = Document::parse(Path::new("a.md"), body.as_bytes(), &[]).unwrap();
        let text = doc.units[0].tagged.text();
        assert_eq!(doc.units[0].tagged.tag_count(), 1);
        assert!(text.ends_with("<x1/> cuối"), "{}", &text[text.len() - 20..]);
    }

    #[test]
    fn invalid_utf8_reports_line_and_column() {
        let bytes = b"+++\ntitle = \"a\"\n+++\nxin ch\xc3\xa0o \xff\n";
        let err = Document::parse(Path::new("bai.md"), bytes, &[]).unwrap_err();
        assert!(matches!(
            err,
            ContentError::InvalidUtf8 {
                line: 4,
                column: 10,
                ..
            }
        ));
        assert!(err.to_string().starts_with("bai.md:4:10: "), "{err}");
        // Parsed from owned bytes (as files are read), the same error.
        let owned = Document::parse_owned(
            Path::new("bai.md"),
            bytes.to_vec(),
            &[],
            &Protect::default(),
        );
        assert_eq!(owned.unwrap_err().to_string(), err.to_string());
    }

    #[test]
    fn empty_file_is_an_error() {
        for bytes in [&b""[..], b"  \n\n", b"\xef\xbb\xbf\n"] {
            let err = Document::parse(Path::new("bai.md"), bytes, &[]).unwrap_err();
            assert!(matches!(err, ContentError::Empty { .. }), "{err}");
        }
    }

    #[test]
    fn load_of_missing_file_is_unreadable() {
        let err = Document::load(Path::new("/no/such/bai.md"), &[]).unwrap_err();
        assert!(matches!(err, ContentError::Unreadable { .. }));
        assert!(err.to_string().contains("/no/such/bai.md"));
    }

    #[test]
    fn source_hash_is_sha256_of_the_text() {
        let doc = Document::parse(Path::new("a.md"), b"abc", &[]).unwrap();
        assert_eq!(
            doc.source_hash(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
