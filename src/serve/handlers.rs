//! The routes: pages are GET, every change is a POST that passes the CSRF check, runs
//! under the project's run lock and answers with a redirect (or a page saying why
//! not, with the matching status: 409 stale, 423 locked, 422 refused, 403 forbidden).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;
use serde::Deserialize;

use crate::memory::Verdict;
use crate::pipeline::{Options, PipelineError, Project};
use crate::review::{self, Entry};

use super::article::{self, SentenceEdit};
use super::auth::{self, Access};
use super::i18n::Texts;
use super::pages::{self, Chrome, OverviewRow};
use super::ui::{self, MessageEdit};
use super::{AppState, ServeError, paths};

type Shared = Arc<AppState>;

/// The app's routes.
pub(crate) fn routes(state: Shared) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/article", get(article_page))
        .route("/article/edit", post(article_edit))
        .route("/ui", get(ui_page))
        .route("/ui/edit", post(ui_edit))
        .route("/review", post(review_post))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .with_state(state)
}

/// One request's context: its language, CSRF token and reviewer.
struct Visit<'a> {
    texts: Texts<'a>,
    csrf: String,
    /// The CSRF cookie must be set by this response.
    new_csrf: bool,
    /// The signed-in reviewer (token mode).
    who: Option<String>,
    state: &'a AppState,
}

impl<'a> Visit<'a> {
    fn new(state: &'a AppState, headers: &HeaderMap) -> Visit<'a> {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let cookie = auth::cookie(headers, auth::CSRF_COOKIE).filter(|c| c.len() == 64);
        Visit {
            texts: Texts::negotiate(&state.localizer, accept),
            new_csrf: cookie.is_none(),
            csrf: cookie.unwrap_or_else(auth::random_token),
            who: state.access.session_name(headers),
            state,
        }
    }

    fn chrome(&self) -> Chrome<'_> {
        let default_name = match &self.state.access {
            Access::Open { default_name } => default_name.as_deref(),
            Access::Tokens { .. } => None,
        };
        Chrome {
            texts: &self.texts,
            csrf: &self.csrf,
            who: self.who.as_deref(),
            default_name,
            tokens: self.state.access.needs_sign_in(),
            targets: self
                .state
                .project
                .config()
                .targets
                .iter()
                .map(|l| l.as_str().to_owned())
                .collect(),
            source: self.state.project.config().source.as_str().to_owned(),
        }
    }

    /// The response for a page, with the CSRF cookie when it is new and headers that
    /// keep every asset local.
    fn respond(&self, status: StatusCode, body: Markup) -> Response {
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        if self.new_csrf {
            let cookie = format!(
                "{}={}; Path=/; HttpOnly; SameSite=Strict",
                auth::CSRF_COOKIE,
                self.csrf
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
        secure(headers);
        response
    }

    /// A page saying why a request failed, with the status that fits.
    fn error(&self, error: &ServeError, back: Option<String>, kept: Option<&str>) -> Response {
        let (status, message) = match error {
            ServeError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                self.texts.with("serve-error-not-found", &[("path", what)]),
            ),
            ServeError::Invalid(reason) => (StatusCode::UNPROCESSABLE_ENTITY, reason.clone()),
            ServeError::Refused(id) => (StatusCode::UNPROCESSABLE_ENTITY, self.texts.t(id)),
            ServeError::Stale => (StatusCode::CONFLICT, self.texts.t("serve-error-stale")),
            ServeError::Locked => (StatusCode::LOCKED, self.texts.t("serve-error-locked")),
            ServeError::Forbidden(id) => (StatusCode::FORBIDDEN, self.texts.t(id)),
            ServeError::Memory(_) | ServeError::Internal(_) => {
                tracing::error!("{error}");
                (StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
            }
        };
        self.respond(
            status,
            pages::error(&self.chrome(), &message, back.as_deref(), kept),
        )
    }

    /// Sign-in redirect for a page when reviewers are configured and nobody is signed
    /// in.
    fn gate_page(&self) -> Option<Response> {
        (self.state.access.needs_sign_in() && self.who.is_none())
            .then(|| Redirect::to("/login").into_response())
    }

    /// Whether a change may go ahead: signed in (token mode) and CSRF-checked.
    fn gate_change(&self, headers: &HeaderMap, csrf: &str) -> Result<(), ServeError> {
        if self.state.access.needs_sign_in() && self.who.is_none() {
            return Err(ServeError::Forbidden("serve-error-sign-in"));
        }
        if !auth::csrf_ok(headers, csrf) {
            return Err(ServeError::Forbidden("serve-error-csrf"));
        }
        Ok(())
    }

    /// Who an edit is logged as: the signed-in reviewer, else (loopback without
    /// tokens) `DICH_REVIEWER` or `git config user.name`, else `local user`.
    fn editor(&self) -> String {
        let default_name = match &self.state.access {
            Access::Open { default_name } => default_name.clone(),
            Access::Tokens { .. } => None,
        };
        self.who
            .clone()
            .or(default_name)
            .unwrap_or_else(|| "local user".to_owned())
    }

    /// Who makes a change: the signed-in reviewer, else the name typed in the form.
    fn author(&self, typed: Option<&str>) -> Result<String, ServeError> {
        if self.state.access.needs_sign_in() {
            return self
                .who
                .clone()
                .ok_or(ServeError::Forbidden("serve-error-sign-in"));
        }
        typed
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .ok_or(ServeError::Refused("serve-error-no-name"))
    }
}

fn secure(headers: &mut HeaderMap) {
    // Nothing is fetched from anywhere else, no script runs, no other site frames us.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// Runs file and memory work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ServeError> + Send + 'static,
) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServeError::Internal(e.to_string()))?
}

fn pipeline_error(error: PipelineError) -> ServeError {
    match error {
        PipelineError::Locked(_) => ServeError::Locked,
        PipelineError::Memory(e) => ServeError::Memory(e),
        other => ServeError::Internal(other.to_string()),
    }
}

/// Every translation with its review, as `dich review list` computes them.
fn all_entries(project: &Project) -> Result<(Vec<Entry>, Vec<OverviewRow>), ServeError> {
    let status = project
        .status(&Options::default())
        .map_err(pipeline_error)?;
    let memory = review::open_memory(project)?;
    let entries = review::entries(project, &status, &memory)?;
    let manifest = review::manifest::build(project, &status, &entries);
    let titles: BTreeMap<&str, &BTreeMap<String, String>> = manifest
        .articles
        .iter()
        .map(|a| (a.source.as_str(), &a.titles))
        .collect();
    let source = project.config().source.as_str();
    let rows = entries
        .iter()
        .map(|e| {
            let titles = titles.get(e.source.as_str());
            let title = |lang: &str| titles.and_then(|t| t.get(lang)).cloned();
            OverviewRow {
                entry: e.clone(),
                source_title: title(source),
                title: title(&e.lang),
            }
        })
        .collect();
    Ok((entries, rows))
}

// ---- overview -------------------------------------------------------------------

/// The overview's filters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    /// A translation or review state.
    pub(crate) state: Option<String>,
    pub(crate) lang: Option<String>,
    /// Words of the title (or path).
    pub(crate) q: Option<String>,
}

impl Filter {
    fn keeps(&self, row: &OverviewRow) -> bool {
        fn set(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|s| !s.is_empty())
        }
        let state_ok = set(&self.state).is_none_or(|s| {
            row.entry.translation == s || row.entry.state().is_some_and(|r| r.as_str() == s)
        });
        let lang_ok = set(&self.lang).is_none_or(|l| row.entry.lang == l);
        let q_ok = set(&self.q).is_none_or(|q| {
            let q = q.to_lowercase();
            [&row.source_title, &row.title]
                .into_iter()
                .flatten()
                .chain([&row.entry.path, &row.entry.source])
                .any(|t| t.to_lowercase().contains(&q))
        });
        state_ok && lang_ok && q_ok
    }
}

async fn overview(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    if let Some(redirect) = visit.gate_page() {
        return redirect;
    }
    let shared = Arc::clone(&state);
    match blocking(move || all_entries(&shared.project)).await {
        Ok((_, rows)) => {
            let rows: Vec<OverviewRow> = rows.into_iter().filter(|r| filter.keeps(r)).collect();
            visit.respond(
                StatusCode::OK,
                pages::overview(&visit.chrome(), &rows, &filter),
            )
        }
        Err(e) => visit.error(&e, None, None),
    }
}

// ---- article --------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ArticleQuery {
    path: String,
    /// What the last change did (`saved`, `approved`, `rejected`).
    done: Option<String>,
}

fn article_path(project: &Project, rel: &str) -> Result<PathBuf, ServeError> {
    let config = project.config();
    paths::resolve(&config.root, &[&config.content_dir], rel)
}

/// The review entry of the translated file `rel` (article or Fluent file).
fn entry_of(project: &Project, rel: &str) -> Result<Option<Entry>, ServeError> {
    let (entries, _) = all_entries(project)?;
    Ok(entries.into_iter().find(|e| e.path == rel))
}

async fn article_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<ArticleQuery>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    if let Some(redirect) = visit.gate_page() {
        return redirect;
    }
    let shared = Arc::clone(&state);
    let rel = query.path.clone();
    let loaded = blocking(move || {
        let project = &shared.project;
        let target = article_path(project, &rel)?;
        let memory = review::open_memory(project)?;
        let cx = article::Context {
            project,
            memory: &memory,
            checker: &shared.checker,
        };
        let view = article::view(&cx, &target)?;
        let entry = entry_of(project, &view.path)?;
        Ok((view, entry))
    })
    .await;
    match loaded {
        Ok((view, entry)) => visit.respond(
            StatusCode::OK,
            pages::article(
                &visit.chrome(),
                &view,
                entry.as_ref(),
                query.done.as_deref(),
            ),
        ),
        Err(e) => visit.error(&e, Some("/".to_owned()), None),
    }
}

#[derive(Debug, Deserialize)]
struct EditForm {
    path: String,
    unit: usize,
    sentence: usize,
    text: String,
    hash: String,
    csrf: String,
}

/// Writes the manifest again after a change, as `dich translate` does: the portal
/// reads review states and hashes from it.
fn rewrite_manifest(project: &Project) -> Result<(), ServeError> {
    review::manifest::write(project, &project.config().review.manifest)
        .map(|_| ())
        .map_err(|e| ServeError::Internal(e.to_string()))
}

fn locked(project: &Project) -> Result<std::fs::File, ServeError> {
    project.run_lock().map_err(pipeline_error)
}

async fn article_edit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<EditForm>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let back = format!("/article?path={}", encode(&form.path));
    if let Err(e) = visit.gate_change(&headers, &form.csrf) {
        return visit.error(&e, Some(back), Some(&form.text));
    }
    let author = visit.editor();
    let shared = Arc::clone(&state);
    let edit = SentenceEdit {
        unit: form.unit,
        sentence: form.sentence,
        text: form.text.clone(),
        hash: form.hash.clone(),
    };
    let rel = form.path.clone();
    let done = blocking(move || {
        let project = &shared.project;
        let target = article_path(project, &rel)?;
        let _lock = locked(project)?;
        let mut memory = project.open_memory()?;
        article::edit(project, &mut memory, &target, &edit)?;
        tracing::info!(
            "{rel}: sentence {} of block {} edited by {author}",
            edit.sentence + 1,
            edit.unit + 1
        );
        rewrite_manifest(project)
    })
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("{back}&done=saved#u{}", form.unit)).into_response(),
        Err(e) => visit.error(&e, Some(back), Some(&form.text)),
    }
}

// ---- verdicts -------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ReviewForm {
    /// The translated file (article or Fluent file).
    path: String,
    /// `approve` or `reject`.
    verdict: String,
    #[serde(default)]
    reason: String,
    /// The reviewer's name (loopback mode without tokens).
    name: Option<String>,
    csrf: String,
}

async fn review_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<ReviewForm>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let back = if form.path.ends_with(".ftl") {
        let lang = form.path.split('/').rev().nth(1).unwrap_or("");
        format!("/ui?lang={}", encode(lang))
    } else {
        format!("/article?path={}", encode(&form.path))
    };
    if let Err(e) = visit.gate_change(&headers, &form.csrf) {
        return visit.error(&e, Some(back), None);
    }
    let by = match visit.author(form.name.as_deref()) {
        Ok(by) => by,
        Err(e) => return visit.error(&e, Some(back), None),
    };
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approved,
        "reject" if !form.reason.trim().is_empty() => Verdict::Rejected,
        "reject" => {
            return visit.error(
                &ServeError::Refused("serve-error-no-reason"),
                Some(back),
                None,
            );
        }
        _ => {
            return visit.error(
                &ServeError::Refused("serve-error-verdict"),
                Some(back),
                None,
            );
        }
    };
    let shared = Arc::clone(&state);
    let rel = form.path.clone();
    let reason = form.reason.trim().to_owned();
    let done = blocking(move || {
        let project = &shared.project;
        let config = project.config();
        paths::resolve(
            &config.root,
            &[&config.content_dir, &config.locales_dir],
            &rel,
        )?;
        let _lock = locked(project)?;
        let entry = entry_of(project, &rel)?.ok_or(ServeError::NotFound(rel.clone()))?;
        let mut memory = project.open_memory()?;
        let outcomes =
            review::give_verdict(project, &mut memory, &[entry], (verdict, &by, &reason))
                .map_err(|e| ServeError::Internal(e.to_string()))?;
        if let Some(refused) = outcomes.into_iter().find_map(|o| o.refused) {
            return Err(ServeError::Invalid(refused));
        }
        tracing::info!("{rel}: {} by {by}", verdict.as_str());
        rewrite_manifest(project)
    })
    .await;
    let word = match verdict {
        Verdict::Approved => "approved",
        _ => "rejected",
    };
    match done {
        Ok(()) => Redirect::to(&format!("{back}&done={word}")).into_response(),
        Err(e) => visit.error(&e, Some(back), None),
    }
}

// ---- Fluent strings -------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct UiQuery {
    lang: String,
    done: Option<String>,
}

/// The reference folder and the target folder of `lang`, when it is a target.
fn locale_dirs(project: &Project, lang: &str) -> Result<(PathBuf, PathBuf), ServeError> {
    let config = project.config();
    let target = config
        .targets
        .iter()
        .find(|l| l.as_str() == lang)
        .ok_or_else(|| ServeError::NotFound(lang.to_owned()))?;
    Ok((
        config.locales_dir.join(config.source.as_str()),
        config.locales_dir.join(target.as_str()),
    ))
}

/// A page of every reference file of the UI strings, in `lang`.
fn ui_files(project: &Project, lang: &str) -> Result<Vec<pages::UiSection>, ServeError> {
    let (reference_dir, target_dir) = locale_dirs(project, lang)?;
    let files = crate::fluent::ftl_files(&reference_dir)
        .map_err(|e| ServeError::Internal(e.to_string()))?;
    let (entries, _) = all_entries(project)?;
    let mut sections = Vec::new();
    for file in files {
        let reference = reference_dir.join(&file);
        let rel = file
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let target = target_dir.join(&rel);
        let path = project.display_path(&target);
        sections.push(pages::UiSection {
            file: ui::file(&rel, &reference, &target)?,
            entry: entries.iter().find(|e| e.path == path).cloned(),
            path,
        });
    }
    Ok(sections)
}

async fn ui_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<UiQuery>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    if let Some(redirect) = visit.gate_page() {
        return redirect;
    }
    let shared = Arc::clone(&state);
    let lang = query.lang.clone();
    match blocking(move || ui_files(&shared.project, &lang)).await {
        Ok(sections) => visit.respond(
            StatusCode::OK,
            pages::ui(
                &visit.chrome(),
                &query.lang,
                &sections,
                query.done.as_deref(),
            ),
        ),
        Err(e) => visit.error(&e, Some("/".to_owned()), None),
    }
}

#[derive(Debug, Deserialize)]
struct UiEditForm {
    lang: String,
    /// The file's path inside the locale folder.
    file: String,
    id: String,
    value: String,
    hash: String,
    csrf: String,
}

/// The reference file `file` and its target in `lang`, both kept inside their locale
/// folders (a target that exists is resolved too, so a symbolic link cannot lead out).
fn ui_paths(project: &Project, lang: &str, file: &str) -> Result<(PathBuf, PathBuf), ServeError> {
    let config = project.config();
    let (reference_dir, target_dir) = locale_dirs(project, lang)?;
    let reference_rel = format!(
        "{}/{}/{file}",
        project.display_path(&config.locales_dir),
        config.source
    );
    paths::resolve(&config.root, &[&reference_dir], &reference_rel)?;
    let target = target_dir.join(file);
    if target.exists() {
        let target_rel = project.display_path(&target);
        paths::resolve(&config.root, &[&target_dir], &target_rel)?;
    }
    Ok((reference_dir.join(file), target))
}

async fn ui_edit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<UiEditForm>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let back = format!("/ui?lang={}", encode(&form.lang));
    if let Err(e) = visit.gate_change(&headers, &form.csrf) {
        return visit.error(&e, Some(back), Some(&form.value));
    }
    let shared = Arc::clone(&state);
    let edit = MessageEdit {
        id: form.id.clone(),
        value: form.value.clone(),
        hash: form.hash.clone(),
    };
    let (lang, file) = (form.lang.clone(), form.file.clone());
    let who = visit.editor();
    let done = blocking(move || {
        let project = &shared.project;
        let (reference, target) = ui_paths(project, &lang, &file)?;
        let _lock = locked(project)?;
        ui::edit(&reference, &target, &edit)?;
        tracing::info!("{lang}/{file}: message `{}` edited by {who}", edit.id);
        rewrite_manifest(project)
    })
    .await;
    match done {
        Ok(()) => {
            Redirect::to(&format!("{back}&done=saved#m-{}", encode(&form.id))).into_response()
        }
        Err(e) => visit.error(&e, Some(back), Some(&form.value)),
    }
}

// ---- sign-in --------------------------------------------------------------------

async fn login_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    visit.respond(StatusCode::OK, pages::login(&visit.chrome(), false))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    token: String,
    csrf: String,
}

async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    if !auth::csrf_ok(&headers, &form.csrf) {
        return visit.error(&ServeError::Forbidden("serve-error-csrf"), None, None);
    }
    match state.access.sign_in(form.token.trim()) {
        Some(session) => {
            let mut response = Redirect::to("/").into_response();
            let cookie = format!(
                "{}={session}; Path=/; HttpOnly; SameSite=Strict",
                auth::SESSION_COOKIE
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        None => {
            tracing::warn!("a sign-in with an unknown token was refused");
            visit.respond(StatusCode::FORBIDDEN, pages::login(&visit.chrome(), true))
        }
    }
}

#[derive(Debug, Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    if !auth::csrf_ok(&headers, &form.csrf) {
        return visit.error(&ServeError::Forbidden("serve-error-csrf"), None, None);
    }
    state.access.sign_out(&headers);
    let mut response = Redirect::to("/login").into_response();
    let cookie = format!("{}=; Path=/; Max-Age=0", auth::SESSION_COOKIE);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
#[path = "handlers_tests.rs"]
mod tests;
