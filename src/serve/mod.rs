//! `dich serve`: the local review web app (issue 13). A content team reads, corrects
//! and approves translations in the browser, over the files they already have.
//!
//! - `handlers`: the routes (overview, article, Fluent strings, edits, verdicts,
//!   sign-in); `pages`: the HTML (maud, escaped, inline CSS, no script needed);
//! - `article` and `ui`: what the pages show and the one edit each allows, through the
//!   same pieces as the pipeline (status, review states, the memory, atomic writes);
//! - `auth`: tokens, sessions and CSRF; `paths`: browser paths kept inside the content
//!   and locales folders; `i18n`: the app's own strings, in Fluent.
//!
//! Invariants: binds loopback unless reviewers with tokens are configured; changes are
//! POST only, CSRF-checked, made under the run lock (never beside a `dich translate`),
//! refused when the form saw an older file, and record who made them.

mod article;
mod auth;
mod handlers;
mod i18n;
mod pages;
mod paths;
mod preview;
mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use secrecy::SecretString;

use crate::memory::MemoryError;
use crate::pipeline::Project;

/// Why one request failed; each maps to an HTTP status and a message on the page.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Not a file of this project (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// A file that cannot be read as what it should be (422), the reason as text.
    #[error("{0}")]
    Invalid(String),
    /// A change refused for a reason the user can fix (422); the UI message id.
    #[error("refused: {0}")]
    Refused(&'static str),
    /// The form showed an older file than the one on disk (409).
    #[error("the file changed since the form was shown")]
    Stale,
    /// `dich translate` holds the run lock (423).
    #[error("a dich translate run holds the project's lock")]
    Locked,
    /// Not allowed: CSRF, a path outside the folders, not signed in (403); the UI
    /// message id.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The memory failed (500).
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// Anything else that is not the user's to fix (500).
    #[error("{0}")]
    Internal(String),
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A non-loopback address without `[[serve.reviewers]]`.
    #[error(
        "refusing to bind {0} without access tokens: anyone on that network could change the translations. Bind 127.0.0.1 (the default), or list reviewers under [[serve.reviewers]] in the config, each with the environment variable holding their token (see docs/serve.md)"
    )]
    NeedsTokens(SocketAddr),
    /// A reviewer's token variable is unset or empty.
    #[error(
        "reviewer `{name}`: the environment variable `{env}` (its token_env) is not set or empty; set it to that person's token"
    )]
    MissingToken {
        /// The reviewer.
        name: String,
        /// The variable.
        env: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// Everything a request handler needs, shared.
pub(crate) struct AppState {
    pub(crate) project: Project,
    pub(crate) access: auth::Access,
    pub(crate) localizer: dich_runtime::Localizer,
    pub(crate) checker: crate::qa::Checker,
}

/// How people are let in, from the config and the environment.
fn access(project: &Project) -> Result<auth::Access, StartError> {
    let configured = &project.config().serve.reviewers;
    if configured.is_empty() {
        return Ok(auth::Access::Open {
            default_name: crate::review::reviewer(None, &project.config().root),
        });
    }
    let mut reviewers = Vec::new();
    for reviewer in configured {
        let token = std::env::var(&reviewer.token_env)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| StartError::MissingToken {
                name: reviewer.name.clone(),
                env: reviewer.token_env.clone(),
            })?;
        reviewers.push(auth::Reviewer {
            name: reviewer.name.clone(),
            token: SecretString::from(token),
        });
    }
    Ok(auth::Access::Tokens {
        reviewers,
        sessions: std::sync::Mutex::default(),
    })
}

fn state(project: Project, access: auth::Access) -> Arc<AppState> {
    // The glossary was checked when the project was loaded.
    let checker = project.config().qa.checker().unwrap_or_default();
    Arc::new(AppState {
        project,
        access,
        localizer: i18n::localizer(),
        checker,
    })
}

/// The app's routes over `project`, with access as the config and environment say.
///
/// # Errors
/// [`StartError::MissingToken`] when a reviewer's token variable is unset.
pub fn router(project: Project) -> Result<Router, StartError> {
    let access = access(&project)?;
    Ok(handlers::routes(state(project, access)))
}

/// Serves `project` on `bind` until Ctrl-C. `ready` is called with the bound address
/// (the port is chosen when `bind`'s is 0) before the first request is accepted.
///
/// # Errors
/// [`StartError`]: a non-loopback address without reviewers, a reviewer's token
/// missing, an address that cannot be bound.
pub async fn serve(
    project: Project,
    bind: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), StartError> {
    if !bind.ip().is_loopback() && project.config().serve.reviewers.is_empty() {
        return Err(StartError::NeedsTokens(bind));
    }
    let app = router(project)?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| StartError::Bind { addr: bind, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr: bind, source })?;
    ready(addr);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(StartError::Serve)
}
