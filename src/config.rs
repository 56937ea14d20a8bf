//! `config.toml`: the schema, its defaults, and validation with precise errors.
//!
//! Only `[project]` is required. Every error names the file, the line and column of
//! the offending value, and what to do; all paths in the file are relative to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::ConfigError;
use crate::lang::Lang;

/// The name of the configuration file dich looks for by default.
pub const DEFAULT_FILE: &str = "config.toml";

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
}

impl Default for ContentConfig {
    fn default() -> Self {
        ContentConfig {
            translatable_fields: ["title", "description", "summary"]
                .map(String::from)
                .to_vec(),
            protect: Vec::new(),
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

/// `[backend]` or `[backends.<name>]`: one translation backend.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendConfig {
    /// Which implementation: `pseudo`, `deepl`, `google`, … (see `dich::backend::kinds`).
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
    /// Model name (`openai`).
    pub model: Option<String>,
    /// Formality (`deepl`).
    pub formality: Option<String>,
    /// Region (`azure`).
    pub region: Option<String>,
    /// Whether the service may be sent tags (`deepl`: unset = ask the service).
    pub tag_handling: Option<bool>,
    /// Program and arguments (`command`).
    pub command: Vec<String>,
    /// Price per million characters (tokens for `openai`), for `--dry-run` estimates.
    pub price_per_million: Option<f64>,
    /// Sampling temperature (`openai`).
    pub temperature: Option<f64>,
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
            model: None,
            formality: None,
            region: None,
            tag_handling: None,
            command: Vec::new(),
            price_per_million: None,
            temperature: None,
        }
    }
}

/// `[memory]`: the translation memory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MemoryConfig {
    /// SQLite file, relative to the config file.
    pub path: PathBuf,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            path: PathBuf::from(".dich/memory.db"),
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
}

/// `[budget]`: spending limits.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BudgetConfig {
    /// Refuse to start a run whose estimated cost exceeds this.
    pub max_cost: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    project: RawProject,
    #[serde(default)]
    content: ContentConfig,
    #[serde(default)]
    segmentation: SegmentationConfig,
    backend: Option<Spanned<BackendConfig>>,
    #[serde(default)]
    backends: BTreeMap<String, Spanned<BackendConfig>>,
    #[serde(default)]
    memory: MemoryConfig,
    #[serde(default)]
    check: CheckConfig,
    #[serde(default)]
    budget: BudgetConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    source: Spanned<String>,
    targets: Spanned<Vec<Spanned<String>>>,
    #[serde(default = "default_content_dir")]
    content_dir: PathBuf,
    #[serde(default = "default_locales_dir")]
    locales_dir: PathBuf,
}

fn default_content_dir() -> PathBuf {
    PathBuf::from("content")
}

fn default_locales_dir() -> PathBuf {
    PathBuf::from("locales")
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
        Config::parse(&text, path)
    }

    /// Parses and validates config text; `path` is used for error messages and to
    /// resolve relative paths.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] with line and column.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = Locator { text, path };
        let raw: RawConfig = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
        let source = at.lang(&raw.project.source)?;
        let targets = at.targets(&raw.project.targets, &source)?;
        let (backend, backends) = at.backends(raw.backend, raw.backends)?;
        for pattern in &raw.content.protect {
            if let Err(e) = regex::Regex::new(pattern) {
                return Err(ConfigError::Other {
                    path: path.to_owned(),
                    message: format!(
                        "[content] protect: `{pattern}` is not a valid regular expression: {e}"
                    ),
                });
            }
        }
        // A config in the current folder has an empty root, so paths print as
        // `content/…` rather than `./content/…`.
        let root = path.parent().map(Path::to_owned).unwrap_or_default();
        Ok(Config {
            path: path.to_owned(),
            content_dir: root.join(&raw.project.content_dir),
            locales_dir: root.join(&raw.project.locales_dir),
            memory: MemoryConfig {
                path: root.join(&raw.memory.path),
            },
            segmentation: SegmentationConfig {
                rules: raw.segmentation.rules.map(|r| root.join(r)),
            },
            root,
            source,
            targets,
            content: raw.content,
            backend,
            backends,
            check: raw.check,
            budget: raw.budget,
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

fn join(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(Lang::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns byte offsets of the config text into `file:line:col` errors.
struct Locator<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Locator<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(self.text, offset);
        ConfigError::Invalid {
            path: self.path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let mut message = e.message().to_owned();
        if message.contains("missing field `project`") {
            message.push_str(" (every config needs a [project] table with `source` and `targets`)");
        }
        self.error(offset, message)
    }

    fn lang(&self, tag: &Spanned<String>) -> Result<Lang, ConfigError> {
        Lang::parse(tag.get_ref()).map_err(|e| self.error(tag.span().start, e.to_string()))
    }

    fn targets(
        &self,
        targets: &Spanned<Vec<Spanned<String>>>,
        source: &Lang,
    ) -> Result<Vec<Lang>, ConfigError> {
        if targets.get_ref().is_empty() {
            return Err(self.error(
                targets.span().start,
                "`targets` is empty: list at least one language to translate into, e.g. [\"en\"]",
            ));
        }
        let mut out: Vec<Lang> = Vec::new();
        for tag in targets.get_ref() {
            let lang = self.lang(tag)?;
            if &lang == source {
                return Err(self.error(
                    tag.span().start,
                    format!("`{lang}` is the source language; remove it from `targets`"),
                ));
            }
            if out.contains(&lang) {
                return Err(self.error(
                    tag.span().start,
                    format!("`{lang}` is listed twice in `targets`; remove the duplicate"),
                ));
            }
            out.push(lang);
        }
        Ok(out)
    }

    fn backends(
        &self,
        default: Option<Spanned<BackendConfig>>,
        named: BTreeMap<String, Spanned<BackendConfig>>,
    ) -> Result<(BackendConfig, BTreeMap<String, BackendConfig>), ConfigError> {
        let mut all: Vec<(&str, &Spanned<BackendConfig>)> =
            named.iter().map(|(n, b)| (n.as_str(), b)).collect();
        if let Some(b) = &default {
            all.push(("backend", b));
        }
        for (_, backend) in &all {
            self.check_backend(backend)?;
        }
        for (name, backend) in &all {
            for fallback in &backend.get_ref().fallback {
                if !named.contains_key(fallback) && fallback != &backend_kind(&default) {
                    return Err(self.error(
                        backend.span().start,
                        format!(
                            "`{name}` falls back to `{fallback}`, which is not defined; add a [backends.{fallback}] table"
                        ),
                    ));
                }
            }
        }
        let default = default.map(Spanned::into_inner).unwrap_or_default();
        let named = named
            .into_iter()
            .map(|(n, b)| (n, b.into_inner()))
            .collect();
        Ok((default, named))
    }

    fn check_backend(&self, backend: &Spanned<BackendConfig>) -> Result<(), ConfigError> {
        let b = backend.get_ref();
        let at = backend.span().start;
        if !crate::backend::kinds().contains(&b.kind.as_str()) {
            let at = find_value(self.text, at, "kind", &b.kind).unwrap_or(at);
            return Err(self.error(
                at,
                format!(
                    "unknown backend kind `{}`; valid kinds are: {}",
                    b.kind,
                    crate::backend::kinds().join(", ")
                ),
            ));
        }
        if b.concurrency == 0 {
            return Err(self.error(at, "`concurrency` must be at least 1"));
        }
        if b.timeout_secs <= 0.0 || b.connect_timeout_secs <= 0.0 {
            return Err(self.error(at, "timeouts must be positive numbers of seconds"));
        }
        if let Some(Some(bad)) = [b.max_segments_per_request, b.max_chars_per_request]
            .iter()
            .find(|limit| **limit == Some(0))
        {
            return Err(self.error(at, format!("batch limits must be at least 1, not {bad}")));
        }
        for tag in b.languages.keys() {
            if let Err(e) = Lang::parse(tag) {
                return Err(self.error(at, format!("in `languages`: {e}")));
            }
        }
        Ok(())
    }
}

fn backend_kind(default: &Option<Spanned<BackendConfig>>) -> String {
    default
        .as_ref()
        .map(|b| b.get_ref().kind.clone())
        .unwrap_or_else(|| "pseudo".to_owned())
}

/// Finds `key = "value"` after `from`, to point an error at the value itself.
fn find_value(text: &str, from: usize, key: &str, value: &str) -> Option<usize> {
    let rest = text.get(from..)?;
    let key_at = rest.find(&format!("{key} "))?;
    let value_at = rest[key_at..].find(value)?;
    Some(from + key_at + value_at.saturating_sub(1))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
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

    #[test]
    fn unknown_keys_are_rejected_with_position() {
        let message = error_of(&format!(
            "{MINIMAL}[backend]\nkind = \"pseudo\"\nconcurency = 3\n"
        ));
        assert!(message.contains("concurency"), "{message}");
        assert!(message.starts_with("site/config.toml:6:1:"), "{message}");
    }

    #[test]
    fn unknown_backend_kind_lists_valid_ones() {
        let message = error_of(&format!("{MINIMAL}[backend]\nkind = \"babelfish\"\n"));
        assert!(message.contains("babelfish"), "{message}");
        assert!(message.contains("pseudo"), "{message}");
        assert!(message.starts_with("site/config.toml:5:"), "{message}");
    }

    #[test]
    fn undefined_fallback_is_rejected() {
        let message = error_of(&format!("{MINIMAL}[backend]\nfallback = [\"openai\"]\n"));
        assert!(message.contains("[backends.openai]"), "{message}");
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

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\nđc", 5), (2, 2));
    }
}
