//! The `command` backend: an external program speaking JSON Lines on stdin/stdout.
//!
//! Protocol (one line each way per batch, UTF-8):
//! - request: `{"source":"vi","target":"en","segments":[{"id":0,"text":"…","context":null}]}`
//! - answer: `{"translations":["…", …]}` (one per segment, in order) or `{"error":"…"}`.
//!
//! The program is started on the first batch and kept running: models that take long
//! to load pay that once. Batches are sent one at a time; when the program exits,
//! answers garbage or times out, it is killed and started again for the next batch.
//! Anything it writes to stderr goes to dich's stderr.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command as Process};
use tokio::sync::Mutex;

use super::codes::Codes;
use super::driver::{self, Basics, Wire, configured_limits};
use super::{Batch, Billing, Shared, Translator};
use crate::config::BackendConfig;
use crate::error::BackendError;
use crate::lang::Lang;

/// An external translation program; see the module docs.
#[derive(Debug)]
pub struct Command {
    basics: Basics,
    program: Vec<String>,
    timeout: Duration,
    running: Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Registry entry.
///
/// # Errors
/// [`BackendError::Config`] when `command` is empty.
pub fn create(
    name: &str,
    config: &BackendConfig,
    _shared: &Shared,
) -> Result<Arc<dyn Translator>, BackendError> {
    if config.command.is_empty() {
        return Err(BackendError::Config {
            backend: name.to_owned(),
            message: "`command` is empty; set it to the program and its arguments, e.g. command = [\"python3\", \"mt.py\"]".to_owned(),
        });
    }
    Ok(Arc::new(Command {
        basics: Basics::new(
            name,
            config,
            Codes::new(name, config, tag, tag),
            configured_limits(config, 100, 20_000, true, true),
        ),
        program: config.command.clone(),
        timeout: Duration::from_secs_f64(config.timeout_secs.max(0.001)),
        running: Mutex::new(None),
    }))
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
    fn spawn(&self) -> Result<Running, BackendError> {
        let (program, args) = self
            .program
            .split_first()
            .ok_or_else(|| BackendError::Config {
                backend: self.basics.name.clone(),
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
                backend: self.basics.name.clone(),
                message: format!("cannot start `{program}`: {e}"),
            })?;
        let broken = || self.broken("the program's pipes are not available".to_owned());
        let stdin = child.stdin.take().ok_or_else(broken)?;
        let stdout = child.stdout.take().ok_or_else(broken)?;
        Ok(Running {
            _child: child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    fn broken(&self, message: String) -> BackendError {
        BackendError::Connection {
            backend: self.basics.name.clone(),
            message,
        }
    }

    async fn exchange(&self, running: &mut Running, line: &str) -> Result<String, BackendError> {
        let io = |e: std::io::Error| self.broken(format!("the program's pipe failed: {e}"));
        running.stdin.write_all(line.as_bytes()).await.map_err(io)?;
        running.stdin.write_all(b"\n").await.map_err(io)?;
        running.stdin.flush().await.map_err(io)?;
        let mut answer = String::new();
        let read = running.stdout.read_line(&mut answer).await.map_err(io)?;
        if read == 0 {
            return Err(self.broken("the program exited without answering".to_owned()));
        }
        Ok(answer)
    }
}

#[async_trait]
impl Wire for Command {
    super::driver::wire_identity!();

    async fn request(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        let (source, target) = self.basics.codes.pair(&batch.source, &batch.target)?;
        let segments: Vec<_> = batch
            .segments
            .iter()
            .enumerate()
            .map(|(id, s)| json!({"id": id, "text": s.text, "context": s.context}))
            .collect();
        let line = json!({"source": source, "target": target, "segments": segments}).to_string();
        let mut slot = self.running.lock().await;
        let mut running = match slot.take() {
            Some(r) => r,
            None => self.spawn()?,
        };
        let answer = tokio::time::timeout(self.timeout, self.exchange(&mut running, &line))
            .await
            .map_err(|_| BackendError::Timeout {
                backend: self.basics.name.clone(),
                after: self.timeout,
            })??;
        let parsed: Answer = super::http::parse_json(&self.basics.name, &answer)?;
        // Only a program that answered properly is kept for the next batch.
        *slot = Some(running);
        match (parsed.translations, parsed.error) {
            (_, Some(error)) => Err(BackendError::Rejected {
                backend: self.basics.name.clone(),
                status: None,
                message: error,
            }),
            (Some(translations), None) => Ok(translations),
            (None, None) => Err(BackendError::InvalidResponse {
                backend: self.basics.name.clone(),
                message: "answer has neither `translations` nor `error`".to_owned(),
            }),
        }
    }
}

#[async_trait]
impl Translator for Command {
    super::driver::wire_basics!();

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        driver::translate(self, batch).await
    }

    fn billing(&self) -> Billing {
        if self.basics.price.is_some() {
            Billing::Characters
        } else {
            Billing::Free
        }
    }
}
