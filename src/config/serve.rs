//! `[serve]`: who may use `dich serve` from another machine (issue 13). Each reviewer
//! is a name and the environment variable holding that person's access token: the
//! token itself never sits in the repository (invariant 5).

use serde::Deserialize;

/// `[serve]`: the review web app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeConfig {
    /// `[[serve.reviewers]]`: the people who may sign in with a token. Without any,
    /// `dich serve` binds loopback addresses only.
    pub reviewers: Vec<ServeReviewer>,
}

/// One `[[serve.reviewers]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeReviewer {
    /// The name recorded with every change this person makes (as `dich review
    /// approve --by`).
    pub name: String,
    /// The environment variable that holds this person's token.
    pub token_env: String,
}
