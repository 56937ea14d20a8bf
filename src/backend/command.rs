//! The `command` backend: an external program speaking JSON Lines on stdin/stdout.
//!
//! Protocol (one line each way per batch, UTF-8):
//! - request: `{"source":"vi","target":"en","segments":[{"id":0,"text":"…","context":null}]}`
//! - answer: `{"translations":["…", …]}` (one per segment, in order) or `{"error":"…"}`.
//!
//! The program is started on the first batch and kept running: models that take long
//! to load pay that once. Batches are sent one at a time; when the program exits,
//! answers garbage or times out, it is killed and started again. Like every backend it
//! goes through a [`Guard`]: a program that died or timed out is retried with backoff,
//! and one that keeps failing opens the circuit breaker.
//! Anything it writes to stderr goes to dich's stderr.

use std::process::Stdio;
use std::time::Duration;

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command as Process};
use tokio::sync::Mutex;

use super::codes::Builtin;
use super::limit::Guard;
use super::meter::{Charge, Meter};
use super::{BackendError, Billing, BuildContext, Call, Limits, Protocol};
use crate::config::BackendConfig;
use crate::lang::Lang;

/// The keys of a `command` table beyond the common ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The program and its arguments, e.g. `["python3", "mt.py"]` (required).
    #[serde(default)]
    pub command: Vec<String>,
}

/// An external translation program; see the module docs.
#[derive(Debug)]
pub struct Command {
    program: Vec<String>,
    timeout: Duration,
    /// A configured price makes the program's characters billed.
    priced: bool,
    /// Concurrency, rate limits, retries and the circuit breaker, as for every backend.
    guard: Guard,
    running: Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

#[async_trait]
impl Protocol for Command {
    type Options = Options;

    fn meter(&self) -> Option<Arc<Meter>> {
        Some(self.guard.meter())
    }

    const LIMITS: Limits = Limits {
        max_segments: 100,
        max_chars: 20_000,
        keeps_tags: true,
        accepts_context: true,
    };
    const SOURCE_CODE: Builtin = tag;

    /// # Errors
    /// [`BackendError::Config`] when `command` is empty.
    fn new(
        name: &str,
        config: &BackendConfig,
        options: Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError> {
        if options.command.is_empty() {
            return Err(BackendError::Config {
                backend: name.to_owned(),
                message: "`command` is empty; set it to the program and its arguments, e.g. command = [\"python3\", \"mt.py\"]".to_owned(),
            });
        }
        Ok(Command {
            program: options.command,
            timeout: super::retry::timeout(config.timeout_secs),
            priced: config.price_per_million.is_some(),
            guard: Guard::new(name, config, context.backoff()),
            running: Mutex::new(None),
        })
    }

    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError> {
        let backend = call.backend;
        let segments: Vec<_> = call
            .batch
            .segments
            .iter()
            .enumerate()
            .map(|(id, s)| json!({"id": id, "text": &*s.text, "context": s.context.as_deref()}))
            .collect();
        let line =
            json!({"source": call.source, "target": call.target, "segments": segments}).to_string();
        self.guard
            .run(Charge::text(call.batch.chars(), &call.batch.target), || {
                self.exchange_once(backend, &line)
            })
            .await
    }

    fn billing(&self) -> Billing {
        if self.priced {
            Billing::Characters
        } else {
            Billing::Free
        }
    }
}

/// The program gets BCP 47 tags (or the `languages` overrides).
fn tag(lang: &Lang) -> Option<String> {
    Some(lang.to_string())
}

#[derive(Deserialize)]
struct Answer {
    translations: Option<Vec<String>>,
    error: Option<String>,
}

impl Command {
    /// Sends one request line to the program (started when it is not running) and
    /// reads its answer; a program that failed is dropped, so the next attempt starts
    /// it again.
    async fn exchange_once(&self, backend: &str, line: &str) -> Result<Vec<String>, BackendError> {
        let mut slot = self.running.lock().await;
        let mut running = match slot.take() {
            Some(r) => r,
            None => self.spawn(backend)?,
        };
        let answer = tokio::time::timeout(self.timeout, exchange(backend, &mut running, line))
            .await
            .map_err(|_| BackendError::Timeout {
                backend: backend.to_owned(),
                after: self.timeout,
            })??;
        let parsed: Answer = super::http::parse_json_text(backend, &answer)?;
        // Only a program that answered properly is kept for the next batch.
        *slot = Some(running);
        match (parsed.translations, parsed.error) {
            (_, Some(error)) => Err(BackendError::Rejected {
                backend: backend.to_owned(),
                status: None,
                message: error,
            }),
            (Some(translations), None) => Ok(translations),
            (None, None) => Err(BackendError::InvalidResponse {
                backend: backend.to_owned(),
                message: "answer has neither `translations` nor `error`".to_owned(),
            }),
        }
    }

    fn spawn(&self, backend: &str) -> Result<Running, BackendError> {
        let (program, args) = self
            .program
            .split_first()
            .ok_or_else(|| BackendError::Config {
                backend: backend.to_owned(),
                message: "`command` is empty".to_owned(),
            })?;
        let mut child = Process::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| BackendError::Config {
                backend: backend.to_owned(),
                message: format!("cannot start `{program}`: {e}"),
            })?;
        let broken = || broken(backend, "the program's pipes are not available".to_owned());
        let stdin = child.stdin.take().ok_or_else(broken)?;
        let stdout = child.stdout.take().ok_or_else(broken)?;
        Ok(Running {
            _child: child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }
}

fn broken(backend: &str, message: String) -> BackendError {
    BackendError::Connection {
        backend: backend.to_owned(),
        message,
    }
}

/// Writes one request line and reads one answer line.
async fn exchange(
    backend: &str,
    running: &mut Running,
    line: &str,
) -> Result<String, BackendError> {
    let io = |e: std::io::Error| broken(backend, format!("the program's pipe failed: {e}"));
    running.stdin.write_all(line.as_bytes()).await.map_err(io)?;
    running.stdin.write_all(b"\n").await.map_err(io)?;
    running.stdin.flush().await.map_err(io)?;
    let mut answer = String::new();
    let read = running.stdout.read_line(&mut answer).await.map_err(io)?;
    if read == 0 {
        return Err(broken(
            backend,
            "the program exited without answering".to_owned(),
        ));
    }
    Ok(answer)
}
