//! Test support for the PostgreSQL store: a fresh schema per test on the server
//! `DICH_TEST_POSTGRES_URL` names (`.ci/run` starts one). Without it the test is
//! skipped with a visible `SKIPPED` line on stderr, and fails when `CI` is set, so a
//! CI without a server can never pass silently.

use std::io::Write as _;

/// The variable naming the test server, e.g. `postgres://dich@127.0.0.1:55432/postgres`.
pub const URL_VAR: &str = "DICH_TEST_POSTGRES_URL";

/// A URL for a new, empty schema on the test server (its own tables, isolated from
/// every other test), or `None` when no server is configured (after printing why).
///
/// # Panics
/// When `CI` is set and no server is configured, or the server refuses the schema:
/// a test run that should reach PostgreSQL must fail, not skip.
pub fn schema_url(test: &str) -> Option<String> {
    let Ok(url) = std::env::var(URL_VAR) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: {URL_VAR} is not set, but CI is: the PostgreSQL tests must run in CI"
        );
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no PostgreSQL ({URL_VAR} is not set; .ci/run sets it)"
        );
        return None;
    };
    let schema = format!("dich_test_{:016x}", rand::random::<u64>());
    let created = std::thread::spawn({
        let (url, schema) = (url.clone(), schema.clone());
        move || -> Result<(), postgres::Error> {
            let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
            client.batch_execute(&format!("CREATE SCHEMA {schema}"))
        }
    })
    .join();
    match created {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{test}: cannot create a schema on {url}: {e}"),
        Err(_) => panic!("{test}: the schema thread panicked"),
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}
