//! Who is asking, and whether a change really comes from our own form.
//!
//! - **Access**: with `[[serve.reviewers]]` configured, every page needs a signed-in
//!   reviewer: the token (from the environment variable the config names) is compared
//!   in constant time, and a random session id in an `HttpOnly` cookie stands for it
//!   afterwards. Without reviewers the server binds loopback only (see `mod.rs`) and
//!   the person types their name in each form, as `dich review approve --by` does.
//! - **Cross-site request forgery**: a random token in a `SameSite=Strict` cookie must
//!   come back in a hidden field of every POST (double submit, compared in constant
//!   time), and the request's `Origin` (else `Referer`) must be this server.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::header;
use rand::Rng as _;
use secrecy::{ExposeSecret as _, SecretString};
use subtle::ConstantTimeEq as _;

/// The cookie holding the CSRF token.
pub(crate) const CSRF_COOKIE: &str = "dich_csrf";
/// The cookie holding the session id (token mode).
pub(crate) const SESSION_COOKIE: &str = "dich_session";

/// One reviewer who may sign in.
pub(crate) struct Reviewer {
    pub(crate) name: String,
    pub(crate) token: SecretString,
}

/// How people are let in.
pub(crate) enum Access {
    /// Loopback without tokens: anyone on this machine; names come from the forms.
    Open {
        /// `DICH_REVIEWER` or `git config user.name`, to prefill the name fields.
        default_name: Option<String>,
    },
    /// Reviewers sign in with their token.
    Tokens {
        reviewers: Vec<Reviewer>,
        /// Session id → reviewer name.
        sessions: Mutex<HashMap<String, String>>,
    },
}

impl Access {
    /// The reviewer whose token is `token`, comparing every token in constant time (no
    /// early exit, so timing tells nothing about which one matched or how much).
    pub(crate) fn sign_in(&self, token: &str) -> Option<String> {
        let Access::Tokens {
            reviewers,
            sessions,
        } = self
        else {
            return None;
        };
        let mut found = None;
        for reviewer in reviewers {
            let same: bool = reviewer
                .token
                .expose_secret()
                .as_bytes()
                .ct_eq(token.as_bytes())
                .into();
            if same {
                found = Some(reviewer.name.clone());
            }
        }
        let name = found?;
        let session = random_token();
        sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(session.clone(), name);
        Some(session)
    }

    /// The signed-in reviewer of this request (token mode), `None` when signed out.
    pub(crate) fn session_name(&self, headers: &HeaderMap) -> Option<String> {
        let Access::Tokens { sessions, .. } = self else {
            return None;
        };
        let session = cookie(headers, SESSION_COOKIE)?;
        sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&session)
            .cloned()
    }

    /// Ends the session of this request, if any (signing out).
    pub(crate) fn sign_out(&self, headers: &HeaderMap) {
        if let (Access::Tokens { sessions, .. }, Some(session)) =
            (self, cookie(headers, SESSION_COOKIE))
        {
            sessions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&session);
        }
    }

    /// True when pages need a signed-in reviewer.
    pub(crate) fn needs_sign_in(&self) -> bool {
        matches!(self, Access::Tokens { .. })
    }
}

/// 32 random bytes from the thread's cryptographically secure generator, as hex.
pub(crate) fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value of cookie `name` in the request, if sent.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Whether a POST may change something: its CSRF field matches the cookie, and it
/// comes from a page of this server (`Origin`, else `Referer`, names the `Host`).
pub(crate) fn csrf_ok(headers: &HeaderMap, field: &str) -> bool {
    let Some(expected) = cookie(headers, CSRF_COOKIE) else {
        return false;
    };
    let same: bool = expected.as_bytes().ct_eq(field.as_bytes()).into();
    same && same_origin(headers)
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    from.and_then(|url| url.split_once("://"))
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .is_some_and(|authority| authority == host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn csrf_needs_the_cookie_the_field_and_our_origin() {
        let good = [
            (header::HOST, "127.0.0.1:8080"),
            (header::COOKIE, "a=b; dich_csrf=abc"),
            (header::ORIGIN, "http://127.0.0.1:8080"),
        ];
        assert!(csrf_ok(&headers(&good), "abc"));
        assert!(!csrf_ok(&headers(&good), "abd"), "wrong field");
        assert!(!csrf_ok(&headers(&good[..2]), "abc"), "no origin");
        let evil = [
            (header::HOST, "127.0.0.1:8080"),
            (header::COOKIE, "dich_csrf=abc"),
            (header::ORIGIN, "http://evil.example"),
        ];
        assert!(!csrf_ok(&headers(&evil), "abc"));
        let referer = [
            (header::HOST, "127.0.0.1:8080"),
            (header::COOKIE, "dich_csrf=abc"),
            (header::REFERER, "http://127.0.0.1:8080/article?path=x"),
        ];
        assert!(csrf_ok(&headers(&referer), "abc"));
    }

    #[test]
    fn a_token_signs_in_its_reviewer_only() {
        let access = Access::Tokens {
            reviewers: vec![
                Reviewer {
                    name: "An".into(),
                    token: SecretString::from("token-of-an-0001"),
                },
                Reviewer {
                    name: "Bình".into(),
                    token: SecretString::from("token-of-binh-002"),
                },
            ],
            sessions: Mutex::default(),
        };
        assert!(access.sign_in("token-of-an-000").is_none());
        assert!(access.sign_in("").is_none());
        let session = access.sign_in("token-of-binh-002").unwrap();
        let cookie = format!("{SESSION_COOKIE}={session}");
        let who = access.session_name(&headers(&[(header::COOKIE, &cookie)]));
        assert_eq!(who.as_deref(), Some("Bình"));
        let forged = headers(&[(header::COOKIE, "dich_session=0000")]);
        assert_eq!(access.session_name(&forged), None);
        access.sign_out(&headers(&[(header::COOKIE, &cookie)]));
        let after = access.session_name(&headers(&[(header::COOKIE, &cookie)]));
        assert_eq!(after, None, "a signed-out session is gone");
    }
}
