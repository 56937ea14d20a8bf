//! `config.toml`: the schema, its defaults, and validation with precise errors.
//!
//! Only `[project]` is required. Every error names the file, the line and column of
//! the offending value, and what to do; all paths in the file are relative to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::lang::Lang;
use crate::text_position::{self, Location};

mod collect;
mod file_keys;
mod serve;
mod table;

pub use file_keys::{FileKeyPreset, FileKeys};
pub use serve::{ServeConfig, ServeReviewer};
pub use table::BackendTable;

/// The configuration could not be loaded or is invalid. Always exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No file at the configured path.
    #[error(
        "no configuration file at `{path}` (create one, or pass `--config PATH`; see docs/configuration.md)"
    )]
    NotFound {
        /// Where dich looked.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A problem at a known place in the file (TOML syntax, unknown key, bad value).
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// A problem with no single place in the file (a missing folder, a missing secret).
    #[error("{path}: {message}")]
    Other {
        /// The config file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A problem in configuration built in code, with no file to point at.
    #[error("{message}")]
    Code {
        /// What is wrong and what to do.
        message: String,
    },
    /// Several problems of one file, in file order, so a writer fixes them all in one
    /// go (issue 14); each is one of the other variants, shown on its own line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<ConfigError>),
}

impl ConfigError {
    /// The single problems this error stands for: the list of a [`ConfigError::Many`],
    /// or the error itself.
    pub fn problems(&self) -> Vec<&ConfigError> {
        match self {
            ConfigError::Many(errors) => errors.iter().flat_map(ConfigError::problems).collect(),
            other => vec![other],
        }
    }
}

/// The name of the configuration file dich looks for by default.
pub const DEFAULT_FILE: &str = "config.toml";

/// The longest timeout, and the longest pause between requests a rate limit may ask
/// for: a day. Longer is a mistake (`inf`, a misplaced exponent), and no `Duration`
/// holds every number a config can say.
pub const LONGEST_WAIT: std::time::Duration = std::time::Duration::from_secs(86_400);

/// A loaded, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file.
    pub path: PathBuf,
    /// The folder holding it; every relative path is resolved against it.
    pub root: PathBuf,
    /// The source language (the reference locale).
    pub source: Lang,
    /// The target languages, canonical and unique, in configured order.
    pub targets: Vec<Lang>,
    /// The key of each target in file names (`[project] file_keys`, `[file_keys]`).
    pub file_keys: FileKeys,
    /// Folder of articles.
    pub content_dir: PathBuf,
    /// Folder of Fluent locales.
    pub locales_dir: PathBuf,
    /// `[content]`
    pub content: ContentConfig,
    /// `[segmentation]`
    pub segmentation: SegmentationConfig,
    /// `[backend]`: the default backend.
    pub backend: BackendConfig,
    /// `[backends.<name>]`: further named backends (for `--backend` and fallback chains).
    pub backends: BTreeMap<String, BackendConfig>,
    /// `[memory]`
    pub memory: MemoryConfig,
    /// `[check]`
    pub check: CheckConfig,
    /// `[budget]`
    pub budget: BudgetConfig,
    /// `[review]`
    pub review: ReviewConfig,
    /// `[serve]`
    pub serve: ServeConfig,
    /// `[qa]`
    pub qa: QaConfig,
    /// The folders `[project]` names explicitly, with where their key is written: these
    /// must exist ([`Config::validate`]); an absent default folder is allowed.
    named_folders: Vec<NamedFolder>,
}

/// `[qa]`: the checks every machine answer passes before it is written (docs/qa.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QaConfig {
    /// `enabled = false` turns the gate off in `dich translate` (`dich qa` still runs).
    pub enabled: bool,
    /// Per-code levels (`[qa.levels]`), every key a valid [`crate::qa::QaCode`].
    pub levels: BTreeMap<String, Level>,
    /// The glossary file, resolved against the config's folder: `glossary = "…"`,
    /// else `glossary.toml` beside the config when it exists.
    pub glossary: Option<PathBuf>,
}

impl Default for QaConfig {
    fn default() -> Self {
        QaConfig {
            enabled: true,
            levels: BTreeMap::new(),
            glossary: None,
        }
    }
}

impl QaConfig {
    /// The checker these settings describe, with the glossary loaded.
    ///
    /// # Errors
    /// [`crate::qa::GlossaryError`] when the glossary cannot be read or is invalid.
    pub fn checker(&self) -> Result<crate::qa::Checker, crate::qa::GlossaryError> {
        let levels = crate::qa::Levels::from_table(&self.levels)
            // Validated when the config was parsed.
            .unwrap_or_default();
        let mut checker = crate::qa::Checker::new().with_levels(levels);
        if let Some(path) = &self.glossary {
            checker = checker.with_glossary(crate::qa::Glossary::from_file(path)?);
        }
        Ok(checker)
    }
}

/// `[qa]` as written, with spans for errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQa {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Level>,
    #[serde(default)]
    glossary: Option<PathBuf>,
}

/// A folder written in the config: `content_dir = "…"`.
#[derive(Debug, Clone)]
struct NamedFolder {
    key: &'static str,
    path: PathBuf,
    key_at: Location,
}

/// `[content]`: how articles are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContentConfig {
    /// Front-matter fields that are translated; all others are copied unchanged.
    pub translatable_fields: Vec<String>,
    /// Regular expressions for further template syntax that is never translated
    /// (beyond the built-in Hugo and Zola shortcodes); see docs/markdown.md.
    pub protect: Vec<String>,
    /// The syntax of the front matter a translation gets when its source has none; not
    /// in the file: by `[project] file_keys` ([`ContentConfig::added_front_matter`]).
    added_front_matter: Option<AddedFrontMatter>,
}

/// `[content] added_front_matter`: the syntax of the front matter that holds the
/// provenance in a translation whose source has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddedFrontMatter {
    /// `+++` TOML with an `[extra.dich]` table: Hugo and Zola read it (Zola refuses
    /// fields outside `[extra]`).
    Toml,
    /// `---` YAML with a `dich:` mapping: read by nearly every generator (VitePress,
    /// Docusaurus, Jekyll, Hugo), while a `+++` block shows as text in most.
    Yaml,
}

impl ContentConfig {
    /// The syntax of the front matter a translation gets when its source has none: as
    /// configured, else TOML for the `hugo` and `zola` file-key presets, whose sites
    /// write TOML, and YAML for the others.
    pub fn added_front_matter(&self) -> AddedFrontMatter {
        self.added_front_matter.unwrap_or(AddedFrontMatter::Yaml)
    }

    fn with_preset(mut self, preset: FileKeyPreset) -> Self {
        self.added_front_matter.get_or_insert(match preset {
            FileKeyPreset::Hugo | FileKeyPreset::Zola => AddedFrontMatter::Toml,
            FileKeyPreset::Canonical => AddedFrontMatter::Yaml,
        });
        self
    }
}

impl Default for ContentConfig {
    fn default() -> Self {
        ContentConfig {
            translatable_fields: ["title", "description", "summary"]
                .map(String::from)
                .to_vec(),
            protect: Vec::new(),
            added_front_matter: None,
        }
    }
}

/// `[segmentation]`: sentence splitting.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SegmentationConfig {
    /// A rules file replacing the built-in rules of the source language.
    pub rules: Option<PathBuf>,
}

/// `[backend]` or `[backends.<name>]`: one translation backend. These are the keys every
/// kind takes; the kind's own options (`model`, `formality`, `command`, …) stay in
/// [`BackendConfig::table`] for the backend to read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendConfig {
    /// Which implementation: `pseudo`, `deepl`, `google`, … (the registry in
    /// `dich::backend` checks it).
    pub kind: String,
    /// Override of the service's address (self-hosted servers, tests).
    pub base_url: Option<String>,
    /// Name of the environment variable holding the API key (never the key itself).
    pub api_key_env: Option<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Segments per request (the backend's own limit applies when lower).
    pub max_segments_per_request: Option<usize>,
    /// Characters per request (the backend's own limit applies when lower).
    pub max_chars_per_request: Option<usize>,
    /// Seconds before a request is abandoned.
    pub timeout_secs: f64,
    /// Seconds to establish a connection.
    pub connect_timeout_secs: f64,
    /// Retries of a retryable failure before the segments fail.
    pub max_retries: u32,
    /// Rate limit: requests per second.
    pub requests_per_second: Option<f64>,
    /// Rate limit: characters per minute.
    pub characters_per_minute: Option<u32>,
    /// Consecutive failed requests that trip the circuit breaker and end the run.
    pub circuit_breaker_failures: u32,
    /// Backends tried, in order, for segments this one could not translate.
    pub fallback: Vec<String>,
    /// Per-language code overrides: BCP 47 tag → the service's code.
    pub languages: BTreeMap<String, String>,
    /// Price per million characters (tokens for `openai`), for `--dry-run` estimates.
    pub price_per_million: Option<f64>,
    /// The table's other keys, the kind's own options, with where they are written.
    #[serde(skip)]
    pub table: BackendTable,
}

impl Default for BackendConfig {
    fn default() -> Self {
        BackendConfig {
            kind: "pseudo".to_owned(),
            base_url: None,
            api_key_env: None,
            concurrency: 4,
            max_segments_per_request: None,
            max_chars_per_request: None,
            timeout_secs: 30.0,
            connect_timeout_secs: 10.0,
            max_retries: 5,
            requests_per_second: None,
            characters_per_minute: None,
            circuit_breaker_failures: 5,
            fallback: Vec::new(),
            languages: BTreeMap::new(),
            price_per_million: None,
            table: BackendTable::default(),
        }
    }
}

/// `[memory]`: the translation memory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MemoryConfig {
    /// SQLite file, relative to the config file. With `url`, the folder of this file
    /// still holds the run lock and the checkout's id.
    pub path: PathBuf,
    /// A shared PostgreSQL memory (`postgres://user@host/db`, no password; TLS with
    /// `?sslmode=require`) instead of the SQLite file (issue 16, docs/postgres.md).
    pub url: Option<String>,
    /// The environment variable holding the PostgreSQL password (never the file).
    pub password_env: Option<String>,
    /// This project's name in a shared memory, the same in every clone (default:
    /// the name of the folder holding `config.toml`).
    pub repository: Option<String>,
    /// Which other repositories' entries a shared memory reuses.
    pub share: crate::memory::Share,
    /// How long a claim on a segment lasts without being renewed, in seconds.
    pub lease_seconds: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            path: PathBuf::from(".dich/memory.db"),
            url: None,
            password_env: None,
            repository: None,
            share: crate::memory::Share::default(),
            lease_seconds: 60,
        }
    }
}

impl MemoryConfig {
    /// Whether a memory is there to read: a shared one, or the SQLite file exists
    /// (commands that only read do not create one).
    pub fn exists(&self) -> bool {
        self.url.is_some() || self.path.exists()
    }
}

/// `[review]`: review states and the publish manifest (docs/review.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// Where `dich translate` and `dich export manifest` write `translations.json`,
    /// relative to the config file.
    pub manifest: PathBuf,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            manifest: PathBuf::from("translations.json"),
        }
    }
}

/// How serious a check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Off,
    /// Reported; fails only with `--strict`.
    Warning,
    /// Reported and fails the check.
    Error,
}

/// `[check]`: `dich check` settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Per-code severity overrides, e.g. `obsolete-message = "off"`.
    pub levels: BTreeMap<String, Level>,
    /// Which plural categories a plural select must have (`plural-category-missing`).
    pub plural_categories: PluralCategories,
    /// Warnings fail `dich check` as with `--strict`, so the repository decides what
    /// CI enforces, not each CI script (issue 14).
    pub strict: bool,
}

/// `[check] plural_categories`: which CLDR plural categories a message must have.
///
/// CLDR gives some languages a category that only fractions select: Czech and Slovak
/// `many` (`1,5 souboru`), Lithuanian `many`, Russian `other`. A message that counts
/// files or minutes never reaches it, so requiring it makes localizers add dead
/// variants (and with `--strict`, fail CI); Mozilla's tools do not require them for
/// counts either. `"integers"` (the default) requires the categories some whole number
/// selects; `"all"` requires every CLDR category, for projects that format fractions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PluralCategories {
    /// The categories some integer selects.
    #[default]
    Integers,
    /// Every CLDR category of the language.
    All,
}

/// `[budget]`: spending limits.
#[derive(Debug, Clone, Default)]
pub struct BudgetConfig {
    /// Refuse to start a run whose estimated cost exceeds this (a finite number above
    /// 0), or whose backend has no price to estimate it with.
    pub max_cost: Option<f64>,
}

/// `[budget]` as written, with the position of its value for errors.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawBudget {
    max_cost: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    project: RawProject,
    #[serde(default)]
    content: ContentConfig,
    #[serde(default)]
    segmentation: SegmentationConfig,
    backend: Option<Spanned<RawTable>>,
    #[serde(default)]
    backends: BTreeMap<String, Spanned<RawTable>>,
    #[serde(default)]
    memory: MemoryConfig,
    #[serde(default)]
    check: CheckConfig,
    #[serde(default)]
    budget: RawBudget,
    #[serde(default)]
    review: ReviewConfig,
    #[serde(default)]
    serve: ServeConfig,
    #[serde(default)]
    qa: RawQa,
    /// Per-language overrides of the file key: tag → key.
    #[serde(default)]
    file_keys: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// A backend table as written: keys and values with their spans.
type RawTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    source: Spanned<String>,
    targets: Spanned<Vec<Spanned<String>>>,
    content_dir: Option<Spanned<PathBuf>>,
    locales_dir: Option<Spanned<PathBuf>>,
    #[serde(default)]
    file_keys: FileKeyPreset,
}

impl Config {
    /// Reads and validates a config file.
    ///
    /// # Errors
    /// [`ConfigError`] naming the path (and line and column where there is one).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::NotFound {
                    path: path.to_owned(),
                });
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let config = Config::parse(&text, path)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what parsing cannot: that the folders the config names exist. A misspelt
    /// `content_dir` would otherwise be a run over nothing that reports success.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] at the folder's key, naming the path.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for folder in &self.named_folders {
            if !folder.path.is_dir() {
                let what = if folder.path.exists() {
                    "is not a folder"
                } else {
                    "does not exist"
                };
                return Err(ConfigError::Invalid {
                    path: self.path.clone(),
                    line: folder.key_at.line,
                    column: folder.key_at.column,
                    message: format!(
                        "`{}` names `{}`, which {what}; correct the path (relative to the config file) or create the folder",
                        folder.key,
                        folder.path.display()
                    ),
                });
            }
        }
        Ok(())
    }

    /// Parses and validates config text; `path` is used for error messages and to
    /// resolve relative paths.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] with line and column, or [`ConfigError::Many`] when
    /// the file has several problems (all of them, in file order).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::parse_once(text, path).map_err(|first| {
            collect::every_error(text, first, |text| Config::parse_once(text, path).map(drop))
        })
    }

    /// One reading of `text`, stopping at the first problem (or the first few, where
    /// one check sees them together).
    fn parse_once(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = Locator { text, path };
        let raw: RawConfig = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
        // The checks below are independent: each runs, so one mistake hides no other.
        let source = at.lang(&raw.project.source);
        let targets = at.targets(&raw.project.targets, source.as_ref().ok());
        let backends = at.backends(raw.backend, raw.backends);
        let budget = at.budget(raw.budget);
        let protect = raw.content.protect.iter().filter_map(|pattern| {
            let e = regex::Regex::new(pattern).err()?;
            Some(ConfigError::Other {
                path: path.to_owned(),
                message: format!(
                    "[content] protect: `{pattern}` is not a valid regular expression: {e}"
                ),
            })
        });
        let mut errors: Vec<ConfigError> = protect.collect();
        let keys = targets
            .as_ref()
            .ok()
            .map(|t| at.file_keys(&raw.project, t, &raw.file_keys));
        let (source, targets, (backend, backends), file_keys, budget) =
            match (source, targets, backends, keys, budget) {
                (Ok(source), Ok(targets), Ok(backends), Some(Ok(keys)), Ok(budget))
                    if errors.is_empty() =>
                {
                    (source, targets, backends, keys, budget)
                }
                (source, targets, backends, keys, budget) => {
                    errors.extend(source.err());
                    errors.extend(targets.err());
                    errors.extend(keys.and_then(Result::err));
                    errors.extend(backends.err());
                    errors.extend(budget.err());
                    return Err(match errors.len() {
                        1 => errors.remove(0),
                        _ => ConfigError::Many(errors),
                    });
                }
            };
        // A config in the current folder has an empty root, so paths print as
        // `content/…` rather than `./content/…`.
        let root = path.parent().map(Path::to_owned).unwrap_or_default();
        let qa = at.qa(raw.qa, &root)?;
        let mut named_folders = Vec::new();
        let mut folder = |key: &'static str, value: Option<Spanned<PathBuf>>, default: &str| {
            let Some(value) = value else {
                return root.join(default);
            };
            let path = root.join(value.get_ref());
            named_folders.push(NamedFolder {
                key,
                path: path.clone(),
                key_at: text_position::location(text, key_start(text, value.span().start)),
            });
            path
        };
        let content_dir = folder("content_dir", raw.project.content_dir, "content");
        let locales_dir = folder("locales_dir", raw.project.locales_dir, "locales");
        Ok(Config {
            path: path.to_owned(),
            content_dir,
            locales_dir,
            named_folders,
            memory: MemoryConfig {
                path: root.join(&raw.memory.path),
                repository: raw.memory.repository.or_else(|| {
                    root.canonicalize()
                        .unwrap_or_else(|_| root.clone())
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                }),
                ..raw.memory
            },
            segmentation: SegmentationConfig {
                rules: raw.segmentation.rules.map(|r| root.join(r)),
            },
            review: ReviewConfig {
                manifest: root.join(&raw.review.manifest),
            },
            serve: raw.serve,
            root,
            source,
            targets,
            file_keys,
            content: raw.content.with_preset(raw.project.file_keys),
            backend,
            backends,
            check: raw.check,
            budget,
            qa,
        })
    }

    /// The backend named `name`: `"default"` (or the `[backend]` kind) is `[backend]`,
    /// anything else a `[backends.<name>]` table.
    pub fn backend_named(&self, name: &str) -> Option<&BackendConfig> {
        if name == "default" || (name == self.backend.kind && !self.backends.contains_key(name)) {
            return Some(&self.backend);
        }
        self.backends.get(name)
    }

    /// Narrows the targets to `langs` (the `--lang` flag).
    ///
    /// # Errors
    /// A message naming the unknown language and the configured ones.
    pub fn select_targets(&self, langs: &[String]) -> Result<Vec<Lang>, String> {
        langs
            .iter()
            .map(|tag| {
                let lang = Lang::parse(tag).map_err(|e| e.to_string())?;
                if self.targets.contains(&lang) {
                    Ok(lang)
                } else {
                    Err(format!(
                        "`{lang}` is not a target language of this project (targets: {}); add it to `targets` in {}",
                        join(&self.targets),
                        self.path.display()
                    ))
                }
            })
            .collect()
    }
}

/// The start of the key whose value starts at `value_start` (`key = value`): `toml`
/// gives spans of values only, and an error about a folder reads best at its key.
fn key_start(text: &str, value_start: usize) -> usize {
    let before = text.get(..value_start).unwrap_or_default();
    let before = before.trim_end_matches([' ', '\t']);
    let Some(before) = before.strip_suffix('=') else {
        return value_start;
    };
    let before = before.trim_end_matches([' ', '\t']);
    let key = before.trim_end_matches(|c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'')
    });
    key.len()
}

fn join(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(Lang::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns byte offsets of the config text into `file:line:column` errors.
struct Locator<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Locator<'_> {
    /// `[qa]`: every level names a QA code (else an error at the key); the glossary
    /// path resolved against `root`.
    fn qa(&self, raw: RawQa, root: &Path) -> Result<QaConfig, ConfigError> {
        let mut levels = BTreeMap::new();
        for (code, level) in raw.levels {
            if crate::qa::QaCode::parse(code.get_ref()).is_none() {
                let e = crate::qa::UnknownCode(code.get_ref().clone());
                return Err(self.error(code.span().start, format!("[qa.levels]: {e}")));
            }
            levels.insert(code.into_inner(), level);
        }
        let glossary = match raw.glossary {
            Some(path) => Some(root.join(path)),
            None => Some(root.join("glossary.toml")).filter(|p| p.is_file()),
        };
        Ok(QaConfig {
            enabled: raw.enabled.unwrap_or(true),
            levels,
            glossary,
        })
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        let Location { line, column } = text_position::location(self.text, offset);
        ConfigError::Invalid {
            path: self.path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let mut message = table::suggest_field(e.message());
        if message.contains("missing field `project`") {
            message.push_str(" (every config needs a [project] table with `source` and `targets`)");
        }
        self.error(offset, message)
    }

    fn lang(&self, tag: &Spanned<String>) -> Result<Lang, ConfigError> {
        Lang::parse(tag.get_ref()).map_err(|e| self.error(tag.span().start, e.to_string()))
    }

    /// A limit of 0, below 0 or not finite cannot be what was meant: refuse it at
    /// its value rather than refuse every run (0) or none (`inf`, NaN).
    fn budget(&self, raw: RawBudget) -> Result<BudgetConfig, ConfigError> {
        let Some(max_cost) = raw.max_cost else {
            return Ok(BudgetConfig::default());
        };
        let value = *max_cost.get_ref();
        if !(value.is_finite() && value > 0.0) {
            return Err(self.error(
                max_cost.span().start,
                format!("`max_cost` must be a finite number above 0, not {value}; remove it for no limit"),
            ));
        }
        Ok(BudgetConfig {
            max_cost: Some(value),
        })
    }

    fn targets(
        &self,
        targets: &Spanned<Vec<Spanned<String>>>,
        source: Option<&Lang>,
    ) -> Result<Vec<Lang>, ConfigError> {
        if targets.get_ref().is_empty() {
            return Err(self.error(
                targets.span().start,
                "`targets` is empty: list at least one language to translate into, e.g. [\"en\"]",
            ));
        }
        let mut out: Vec<Lang> = Vec::new();
        // Every tag is checked, so `["kr", "english"]` gives both errors at once.
        let mut errors = Vec::new();
        for tag in targets.get_ref() {
            let lang = match self.lang(tag) {
                Ok(lang) => lang,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if Some(&lang) == source {
                errors.push(self.error(
                    tag.span().start,
                    format!("`{lang}` is the source language; remove it from `targets`"),
                ));
            } else if out.contains(&lang) {
                errors.push(self.error(
                    tag.span().start,
                    format!("`{lang}` is listed twice in `targets`; remove the duplicate"),
                ));
            } else {
                out.push(lang);
            }
        }
        match errors.len() {
            0 => Ok(out),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Many(errors)),
        }
    }

    /// The file key of every target: the preset's, or the `[file_keys]` override.
    fn file_keys(
        &self,
        project: &RawProject,
        targets: &[Lang],
        overrides: &BTreeMap<Spanned<String>, Spanned<String>>,
    ) -> Result<FileKeys, ConfigError> {
        let mut keys: Vec<(Lang, String)> = targets
            .iter()
            .zip(project.targets.get_ref())
            .map(|(lang, written)| {
                let key = file_keys::preset_key(project.file_keys, lang, written.get_ref());
                (lang.clone(), key)
            })
            .collect();
        let mut errors = Vec::new();
        for (tag, key) in overrides {
            let lang = match Lang::parse(tag.get_ref()) {
                Ok(lang) if targets.contains(&lang) => lang,
                Ok(lang) => {
                    errors.push(self.error(
                        tag.span().start,
                        format!("[file_keys]: `{lang}` is not in `targets`; add it there or remove this line"),
                    ));
                    continue;
                }
                Err(e) => {
                    errors.push(self.error(tag.span().start, format!("[file_keys]: {e}")));
                    continue;
                }
            };
            if let Some(problem) = file_keys::key_problem(key.get_ref()) {
                errors.push(self.error(key.span().start, format!("[file_keys] {lang}: {problem}")));
                continue;
            }
            if let Some(entry) = keys.iter_mut().find(|(l, _)| *l == lang) {
                entry.1 = key.get_ref().clone();
            }
        }
        for (i, (lang, key)) in keys.iter().enumerate() {
            if let Some((other, _)) = keys[..i].iter().find(|(_, k)| k.eq_ignore_ascii_case(key)) {
                errors.push(self.error(
                    overrides.iter().find(|(_, k)| k.get_ref() == key).map_or(0, |(_, k)| k.span().start),
                    format!("`{other}` and `{lang}` would both have the file key `{key}`; give one of them another key in [file_keys]"),
                ));
            }
        }
        match errors.len() {
            0 => Ok(FileKeys::new(keys)),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Many(errors)),
        }
    }

    fn backends(
        &self,
        default: Option<Spanned<RawTable>>,
        named: BTreeMap<String, Spanned<RawTable>>,
    ) -> Result<(BackendConfig, BTreeMap<String, BackendConfig>), ConfigError> {
        // Every table is read, so a mistake in one hides none in another.
        let mut errors = Vec::new();
        let mut keep = |result: Result<BackendConfig, ConfigError>| match result {
            Ok(backend) => Some(backend),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let default = default.and_then(|t| keep(self.backend(t)));
        let named: BTreeMap<String, BackendConfig> = named
            .into_iter()
            .filter_map(|(name, t)| Some((name, keep(self.backend(t))?)))
            .collect();
        let default_kind = default.as_ref().map_or("pseudo", |b| b.kind.as_str());
        let all = named
            .iter()
            .map(|(n, b)| (n.as_str(), b))
            .chain(default.iter().map(|b| ("backend", b)));
        for (name, backend) in all {
            for fallback in &backend.fallback {
                if !named.contains_key(fallback) && fallback != default_kind {
                    errors.push(backend.table.table_error(format!(
                        "`{name}` falls back to `{fallback}`, which is not defined; add a [backends.{fallback}] table"
                    )));
                }
            }
        }
        match errors.len() {
            0 => Ok((default.unwrap_or_default(), named)),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Many(errors)),
        }
    }

    /// Reads the common keys of a backend table and keeps the others, with their
    /// positions, for the backend.
    fn backend(&self, raw: Spanned<RawTable>) -> Result<BackendConfig, ConfigError> {
        let at = |offset: usize| text_position::location(self.text, offset);
        let table_at = at(raw.span().start);
        let mut entries: Vec<table::Entry> = raw
            .into_inner()
            .into_iter()
            .map(|(key, value)| table::Entry {
                key_at: at(key.span().start),
                value_at: at(value.span().start),
                key: key.into_inner(),
                value: value.into_inner(),
            })
            .collect();
        // Report the first problem in the order the file is written.
        entries.sort_by_key(|e| e.key_at);
        let common_keys = table::field_names::<BackendConfig>();
        let (common, own): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .partition(|e| common_keys.contains(&e.key.as_str()));
        let place = table::Place {
            path: self.path.to_owned(),
            table: table_at,
            kind: common
                .iter()
                .find(|e| e.key == "kind")
                .map_or(table_at, |e| e.value_at),
        };
        let common = BackendTable {
            entries: common,
            place: Some(place.clone()),
        };
        let (backend, mut errors) = common.read_every::<BackendConfig>();
        if let Some(backend) = &backend {
            errors.extend(check_backend(backend, &common));
        }
        let mut backend = match (backend, errors.len()) {
            (Some(backend), 0) => backend,
            (_, 1) => return Err(errors.remove(0)),
            _ => return Err(ConfigError::Many(errors)),
        };
        backend.table = BackendTable {
            entries: own,
            place: Some(place),
        };
        Ok(backend)
    }
}

/// The checks of the common keys that their types cannot express; the errors (all of
/// them) point at the key's value in `common`.
fn check_backend(b: &BackendConfig, common: &BackendTable) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut error = |key: &str, message: String| errors.push(common.value_error(key, message));
    if b.concurrency == 0 {
        error("concurrency", "`concurrency` must be at least 1".to_owned());
    }
    let longest = LONGEST_WAIT.as_secs_f64();
    for (key, secs) in [
        ("timeout_secs", b.timeout_secs),
        ("connect_timeout_secs", b.connect_timeout_secs),
    ] {
        // Written as `!(0 < secs <= longest)` so that NaN fails too.
        if !(secs > 0.0 && secs <= longest) {
            error(
                key,
                format!(
                    "`{key}` must be a number of seconds above 0 and at most {longest} (a day), not {secs}"
                ),
            );
        }
    }
    if let Some(rps) = b.requests_per_second
        && !(rps.is_finite() && rps >= 1.0 / longest)
    {
        error(
            "requests_per_second",
            format!(
                "`requests_per_second` must be a finite number, at least one request a day ({:e}), not {rps}",
                1.0 / longest
            ),
        );
    }
    for (key, limit) in [
        ("max_segments_per_request", b.max_segments_per_request),
        ("max_chars_per_request", b.max_chars_per_request),
    ] {
        if limit == Some(0) {
            error(key, "batch limits must be at least 1, not 0".to_owned());
        }
    }
    for tag in b.languages.keys() {
        if let Err(e) = Lang::parse(tag) {
            error("languages", format!("in `languages`: {e}"));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("site/config.toml"))
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    const MINIMAL: &str = "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\", \"zh-hans\"]\n";

    #[test]
    fn qa_levels_are_read_and_unknown_codes_point_at_the_key() {
        let config = parse(&format!(
            "{MINIMAL}[qa]\nglossary = \"terms.toml\"\n[qa.levels]\nlength-ratio = \"off\"\n"
        ))
        .unwrap();
        assert!(config.qa.enabled);
        assert_eq!(config.qa.levels.get("length-ratio"), Some(&Level::Off));
        assert_eq!(
            config.qa.glossary,
            Some(Path::new("site").join("terms.toml"))
        );
        let message = error_of(&format!("{MINIMAL}[qa.levels]\nnumber-mismach = \"off\"\n"));
        assert!(message.starts_with("site/config.toml:5:1:"), "{message}");
        assert!(message.contains("number-mismatch"), "{message}");
        let message = error_of(&format!("{MINIMAL}[qa]\nenable = false\n"));
        assert!(message.starts_with("site/config.toml:5:1:"), "{message}");
    }

    #[test]
    fn only_project_is_required_and_defaults_apply() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.source.as_str(), "vi");
        let targets: Vec<_> = config.targets.iter().map(Lang::as_str).collect();
        assert_eq!(targets, ["en", "ko", "zh-Hans"]);
        assert_eq!(config.backend.kind, "pseudo");
        assert_eq!(config.content_dir, Path::new("site/content"));
        assert_eq!(config.memory.path, Path::new("site/.dich/memory.db"));
        assert_eq!(
            config.content.translatable_fields,
            ["title", "description", "summary"]
        );
    }

    #[test]
    fn missing_project_is_explained() {
        let message = error_of("[backend]\nkind = \"pseudo\"\n");
        assert!(message.contains("[project]"), "{message}");
        assert!(message.starts_with("site/config.toml:"), "{message}");
    }

    #[test]
    fn invalid_language_points_at_the_value() {
        let message = error_of("[project]\nsource = \"vi\"\ntargets = [\"en\", \"not a tag\"]\n");
        assert!(message.starts_with("site/config.toml:3:18:"), "{message}");
        assert!(message.contains("not a tag"), "{message}");
    }

    #[test]
    fn source_as_target_and_duplicates_are_rejected() {
        let message = error_of("[project]\nsource = \"vi\"\ntargets = [\"en\", \"vi\"]\n");
        assert!(message.contains("is the source language"), "{message}");
        let message = error_of("[project]\nsource = \"vi\"\ntargets = [\"en\", \"EN\"]\n");
        assert!(message.contains("listed twice"), "{message}");
        assert!(message.starts_with("site/config.toml:3:18:"), "{message}");
    }

    /// Issue 10: these numbers made `Duration::from_secs_f64` panic when the backend
    /// was built; they are refused where they are written.
    #[test]
    fn numbers_no_duration_can_hold_are_refused_at_their_line() {
        for (key, value) in [
            ("timeout_secs", "inf"),
            ("timeout_secs", "1e20"),
            ("connect_timeout_secs", "nan"),
            ("requests_per_second", "1e-30"),
            ("requests_per_second", "-2.0"),
        ] {
            let message = error_of(&format!(
                "{MINIMAL}[backend]\nkind = \"pseudo\"\n{key} = {value}\n"
            ));
            assert!(
                message.starts_with(&format!("site/config.toml:6:{}:", key.len() + 4)),
                "{key} = {value}: {message}"
            );
            assert!(message.contains(key), "{message}");
        }
        assert!(
            parse(&format!(
                "{MINIMAL}[backend]\ntimeout_secs = 3600\nrequests_per_second = 0.5\n"
            ))
            .is_ok()
        );
    }

    #[test]
    fn undefined_fallback_is_rejected() {
        let message = error_of(&format!("{MINIMAL}[backend]\nfallback = [\"openai\"]\n"));
        assert!(message.contains("[backends.openai]"), "{message}");
    }

    /// Issue 10, item 2: parsing is pure; `from_file` refuses a named folder that does
    /// not exist, at its key, and allows an absent default.
    #[test]
    fn from_file_refuses_a_named_folder_that_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, format!("{MINIMAL}  content_dir = \"contnet\"\n")).unwrap();
        assert!(Config::parse(&std::fs::read_to_string(&path).unwrap(), &path).is_ok());
        let err = Config::from_file(&path).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("config.toml:4:3:"), "{message}");
        assert!(message.contains("contnet"), "{message}");
        std::fs::create_dir(dir.path().join("contnet")).unwrap();
        assert!(Config::from_file(&path).is_ok());
        std::fs::write(&path, MINIMAL).unwrap();
        assert!(
            Config::from_file(&path).is_ok(),
            "absent default folders are allowed"
        );
    }

    /// Issue 14: three mistakes are reported at once, in file order, each at its
    /// place and with the likely intent.
    #[test]
    fn every_mistake_is_reported_in_one_pass() {
        let text = "[project]\nsource = \"vi\"\ntargets = [\"kr\", \"english\"]\ntagets = 1\n\n[backend]\nkind = \"pseudo\"\nconcurrency = 0\nmax_retries = \"many\"\n";
        let err = parse(text).unwrap_err();
        let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 5, "{lines:#?}");
        assert!(lines[0].starts_with("site/config.toml:3:12:"), "{lines:#?}");
        assert!(lines[0].contains("did you mean `ko`?"), "{lines:#?}");
        assert!(lines[1].starts_with("site/config.toml:3:18:"), "{lines:#?}");
        assert!(lines[1].contains("did you mean `en`?"), "{lines:#?}");
        assert!(lines[2].starts_with("site/config.toml:4:1:"), "{lines:#?}");
        assert!(lines[2].contains("did you mean `targets`?"), "{lines:#?}");
        assert!(lines[3].starts_with("site/config.toml:8:15:"), "{lines:#?}");
        assert!(lines[3].contains("concurrency"), "{lines:#?}");
        assert!(lines[4].starts_with("site/config.toml:9:15:"), "{lines:#?}");
        assert_eq!(err.to_string(), lines.join("\n"));
        // One mistake stays one error, not a list of one.
        let one = parse("[project]\nsource = \"vi\"\ntargets = [\"kr\"]\n").unwrap_err();
        assert!(matches!(one, ConfigError::Invalid { .. }), "{one:?}");
    }

    #[test]
    fn a_valid_but_unusual_chinese_tag_is_accepted_with_advice() {
        let config = parse("[project]\nsource = \"vi\"\ntargets = [\"zh-CN\"]\n").unwrap();
        let advice = config.targets[0].advice().unwrap();
        assert!(advice.contains("zh-Hans"), "{advice}");
    }

    /// Issue 14: Hugo matches lower-case language keys; Zola the key as configured.
    #[test]
    fn file_keys_follow_the_preset_and_the_overrides() {
        let zh = Lang::parse("zh-Hans").unwrap();
        let ko = Lang::parse("ko").unwrap();
        let keys = |text: &str| parse(text).unwrap().file_keys;
        let plain = "[project]\nsource = \"vi\"\ntargets = [\"ko\", \"zh-hans\"]\n";
        assert_eq!(keys(plain).key(&zh), "zh-Hans");
        let hugo = plain.replace("source", "file_keys = \"hugo\"\nsource");
        assert_eq!(keys(&hugo).key(&zh), "zh-hans");
        assert_eq!(keys(&hugo).lang("zh-hans"), Some(&zh));
        let zola = plain.replace("source", "file_keys = \"zola\"\nsource");
        assert_eq!(keys(&zola).key(&zh), "zh-hans", "as written in targets");
        let over = format!("{hugo}[file_keys]\nzh-Hans = \"zh\"\n");
        assert_eq!(
            (keys(&over).key(&zh), keys(&over).key(&ko)),
            ("zh".into(), "ko".into())
        );
        let clash = format!("{plain}[file_keys]\nzh-Hans = \"ko\"\nja = \"a.b\"\n");
        let message = error_of(&clash);
        assert!(message.contains("`ja` is not in `targets`"), "{message}");
        assert!(message.contains("both have the file key `ko`"), "{message}");
    }

    #[test]
    fn added_front_matter_follows_the_preset_unless_set() {
        let added = |text: &str| parse(text).unwrap().content.added_front_matter();
        assert_eq!(added(MINIMAL), AddedFrontMatter::Yaml);
        for preset in ["hugo", "zola"] {
            let text = MINIMAL.replace("source", &format!("file_keys = \"{preset}\"\nsource"));
            assert_eq!(added(&text), AddedFrontMatter::Toml, "{preset}");
            let set = format!("{text}[content]\nadded_front_matter = \"yaml\"\n");
            assert_eq!(added(&set), AddedFrontMatter::Yaml, "{preset}");
        }
        let message = error_of(&format!(
            "{MINIMAL}[content]\nadded_front_matter = \"json\"\n"
        ));
        assert!(message.starts_with("site/config.toml:5:"), "{message}");
        assert!(
            message.contains("toml") && message.contains("yaml"),
            "{message}"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = Config::from_file(Path::new("/nowhere/config.toml")).unwrap_err();
        assert!(matches!(err, ConfigError::NotFound { .. }));
        assert!(err.to_string().contains("/nowhere/config.toml"));
    }

    #[test]
    fn select_targets_rejects_unconfigured() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(
            config.select_targets(&["ZH-Hans".into()]).unwrap()[0].as_str(),
            "zh-Hans"
        );
        assert!(
            config
                .select_targets(&["ja".into()])
                .unwrap_err()
                .contains("ja")
        );
    }
}
