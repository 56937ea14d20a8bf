//! The settings of a shared (PostgreSQL) memory, from `[memory]`: where it is, who
//! this checkout and this repository are in it, what it reuses of others.

use std::time::Duration;

use secrecy::SecretString;

use crate::config::MemoryConfig;

use super::MemoryError;

/// Which entries of other repositories a shared memory reuses. A repository always
/// reuses its own; human and reviewed entries outrank machine ones in every mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Share {
    /// Every entry, machine output of any backend included.
    All,
    /// People's entries (human edits, imported memories) of every repository, but
    /// machine output only of this one: another portal may have chosen another
    /// engine, and its output should not silently become this portal's.
    #[default]
    HumanOnly,
    /// Nothing of other repositories (one database, separate memories).
    None,
}

impl Share {
    /// The name in `config.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Share::All => "all",
            Share::HumanOnly => "human-only",
            Share::None => "none",
        }
    }
}

/// How to reach a shared memory, and who this process is in it.
#[derive(Debug, Clone)]
pub struct Shared {
    /// `postgres://user@host:port/db?sslmode=…`, without the password.
    pub url: String,
    /// The password, from the environment variable `[memory] password_env` names.
    pub password: Option<SecretString>,
    /// This repository's name: machine entries are reused within it.
    pub repository: String,
    /// This checkout's id: what dich wrote, failures, reviews and approvals are kept
    /// per checkout (two clones' files differ until each runs).
    pub workspace: String,
    /// What is reused of other repositories.
    pub share: Share,
    /// How long a claim lasts without renewal.
    pub lease: Duration,
}

impl Shared {
    /// The shared memory `config` names, or `None` for the SQLite file.
    ///
    /// # Errors
    /// [`MemoryError::Settings`] for a URL with a password in it or a password
    /// variable that is not set; [`MemoryError::Folder`] when the checkout's id cannot
    /// be kept.
    pub fn from_config(config: &MemoryConfig) -> Result<Option<Shared>, MemoryError> {
        let Some(url) = &config.url else {
            return Ok(None);
        };
        let parsed: postgres::Config = url.parse().map_err(|e| {
            MemoryError::Settings(format!("url: not a PostgreSQL connection URL: {e}"))
        })?;
        if parsed.get_password().is_some() {
            return Err(MemoryError::Settings(
                "url: the password must not be in config.toml; name an environment variable with `password_env` instead".into(),
            ));
        }
        let password = match &config.password_env {
            Some(var) => Some(SecretString::from(std::env::var(var).map_err(|_| {
                MemoryError::Settings(format!(
                    "password_env: the environment variable `{var}` is not set"
                ))
            })?)),
            None => None,
        };
        Ok(Some(Shared {
            url: url.clone(),
            password,
            repository: config
                .repository
                .clone()
                .unwrap_or_else(|| "default".to_owned()),
            workspace: workspace_id(&config.path)?,
            share: config.share,
            lease: Duration::from_secs(config.lease_seconds.max(1)),
        }))
    }
}

/// This checkout's id, kept in `workspace-id` beside the memory file (created once,
/// random), so two clones of one repository are told apart in a shared memory.
fn workspace_id(memory: &std::path::Path) -> Result<String, MemoryError> {
    let file = memory.with_file_name("workspace-id");
    if let Ok(id) = std::fs::read_to_string(&file)
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_owned());
    }
    let folder_error = |source| MemoryError::Folder {
        path: file.clone(),
        source,
    };
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(folder_error)?;
    }
    let id = format!("{:032x}", rand::random::<u128>());
    crate::fs::write_atomic(&file, id.as_bytes()).map_err(|e| MemoryError::Folder {
        path: file.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(id)
}
