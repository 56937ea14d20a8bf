//! A local DeepL stand-in for the throughput benchmark, fast enough not to be the
//! limit itself (issue 15), and a trivial client that proves it.
//!
//! `serve PORT LATENCY_MS MAX_CONCURRENCY`: answers `POST /v2/translate` as DeepL
//! documents it (`/work/shared/reference/translation-apis.md`, §1): a JSON body with
//! `text` (≤ 50) and `target_lang`, the `DeepL-Auth-Key` header, 403 without it, 400
//! for a bad body, 413 beyond 128 KiB, and 429 `{"message": …}` for a request beyond
//! `MAX_CONCURRENCY` at once, as the service does when too many requests arrive. Each
//! text comes back as `TARGET:text` after `LATENCY_MS`. `GET /v3/languages` and
//! `GET /v2/usage` answer too. Statistics (requests, rejected, texts, peak concurrency)
//! are printed as JSON on SIGTERM/SIGINT and served at `GET /stats`. Loopback only.
//!
//! `client URL REQUESTS CONCURRENCY [TEXTS]`: sends `REQUESTS` requests of `TEXTS`
//! (default 50) sentences from `CONCURRENCY` tasks, one request at a time each, and
//! prints the time, the requests per second and the ratio to the ideal bound
//! (requests × latency ÷ concurrency) given in `LATENCY_MS` (environment, default 50).
//!
//! hyper directly (already in the tree through wiremock and reqwest) rather than a
//! framework: three routes do not need a router, and the benchmark needs no new crate.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// DeepL's documented request body limit.
const MAX_BODY: usize = 128 * 1024;
/// DeepL's documented limit of texts per request.
const MAX_TEXTS: usize = 50;

/// What the server counts.
#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    rejected: AtomicU64,
    texts: AtomicU64,
    characters: AtomicU64,
    active: AtomicUsize,
    peak: AtomicUsize,
}

impl Stats {
    fn json(&self) -> Value {
        json!({
            "requests": self.requests.load(Ordering::Relaxed),
            "rejected": self.rejected.load(Ordering::Relaxed),
            "texts": self.texts.load(Ordering::Relaxed),
            "characters": self.characters.load(Ordering::Relaxed),
            "peak_concurrency": self.peak.load(Ordering::Relaxed),
        })
    }
}

/// The server's settings and counters.
struct Server {
    latency: Duration,
    limit: usize,
    stats: Stats,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let numbers: Vec<u64> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    let result = match (args.first().map(String::as_str), numbers.as_slice()) {
        (Some("serve"), [port, latency, limit]) => runtime.block_on(serve(
            u16::try_from(*port).unwrap_or(0),
            Duration::from_millis(*latency),
            usize::try_from(*limit).unwrap_or(1),
        )),
        (Some("client"), [requests, concurrency, rest @ ..]) if args.len() >= 4 => {
            let texts = rest.first().copied().unwrap_or(MAX_TEXTS as u64);
            runtime.block_on(client(&args[1], *requests, *concurrency, texts))
        }
        _ => Err(
            "usage: mock_deepl serve PORT LATENCY_MS MAX_CONCURRENCY\n       \
                  mock_deepl client URL REQUESTS CONCURRENCY [TEXTS]"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// Serves until SIGTERM or SIGINT, then prints the statistics.
async fn serve(port: u16, latency: Duration, limit: usize) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let server = Arc::new(Server {
        latency,
        limit: limit.max(1),
        stats: Stats::default(),
    });
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // Small answers go out at once, not after Nagle's delay.
                let _ = stream.set_nodelay(true);
                let server = Arc::clone(&server);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let server = Arc::clone(&server);
                        async move { Ok::<_, Infallible>(server.answer(request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = terminate.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    println!("{}", server.stats.json());
    Ok(())
}

impl Server {
    /// One request, routed.
    async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let path = request.uri().path().to_owned();
        match (request.method().as_str(), path.as_str()) {
            ("GET", "/stats") => reply(StatusCode::OK, &self.stats.json()),
            ("GET", "/v3/languages") => {
                let langs: Vec<Value> = ["vi", "en", "ko", "zh-Hans"]
                    .iter()
                    .map(|lang| {
                        json!({"lang": lang, "name": lang, "usable_as_source": true,
                               "usable_as_target": true, "status": "stable",
                               "features": {"tag_handling": {"status": "stable"},
                                            "glossary": {"status": "stable"}}})
                    })
                    .collect();
                reply(StatusCode::OK, &Value::Array(langs))
            }
            ("GET", "/v2/usage") => {
                let used = self.stats.characters.load(Ordering::Relaxed);
                reply(
                    StatusCode::OK,
                    &json!({"character_count": used, "character_limit": 1_000_000_000_000_u64}),
                )
            }
            ("POST", "/v2/translate") => self.translate(request).await,
            _ => error(StatusCode::NOT_FOUND, "Not found"),
        }
    }

    /// `POST /v2/translate`: checks, the concurrency cap, the latency, the echo.
    async fn translate(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let arrived = Instant::now();
        let authorised = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("DeepL-Auth-Key "));
        let Ok(body) = request.into_body().collect().await.map(|b| b.to_bytes()) else {
            return error(StatusCode::BAD_REQUEST, "Unreadable body");
        };
        if !authorised {
            return error(StatusCode::FORBIDDEN, "Authorization failed");
        }
        if body.len() > MAX_BODY {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
        }
        let stats = &self.stats;
        let active = stats.active.fetch_add(1, Ordering::SeqCst) + 1;
        let _leave = Leave(&stats.active);
        if active > self.limit {
            stats.rejected.fetch_add(1, Ordering::Relaxed);
            return error(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
        }
        stats.peak.fetch_max(active, Ordering::Relaxed);
        let parsed: Value = serde_json::from_slice(&body).unwrap_or_default();
        let (Some(texts), Some(target)) =
            (parsed["text"].as_array(), parsed["target_lang"].as_str())
        else {
            return error(
                StatusCode::BAD_REQUEST,
                "Value for 'text' or 'target_lang' missing",
            );
        };
        if texts.len() > MAX_TEXTS {
            return error(StatusCode::BAD_REQUEST, "Too many texts");
        }
        let target = target.to_uppercase();
        let mut characters = 0;
        let translations: Vec<Value> = texts
            .iter()
            .map(|text| {
                let text = text.as_str().unwrap_or_default();
                characters += text.chars().count() as u64;
                json!({"detected_source_language": "VI", "text": format!("{target}:{text}")})
            })
            .collect();
        stats.requests.fetch_add(1, Ordering::Relaxed);
        stats.texts.fetch_add(texts.len() as u64, Ordering::Relaxed);
        stats.characters.fetch_add(characters, Ordering::Relaxed);
        // The answer is built first and held back to the latency counted from the
        // request's arrival, so that the mock's own work is not added to it.
        let answer = reply(StatusCode::OK, &json!({ "translations": translations }));
        hold_until(arrived + self.latency).await;
        answer
    }
}

/// Waits until `deadline`, to within a few tens of microseconds. tokio's timer rounds
/// every deadline up to its next millisecond tick and wakes on the tick after: about
/// 1 ms more per request than the latency asked for, 2 % of a 50 ms latency, which
/// the benchmark would charge to the client. So tokio sleeps until shortly before,
/// and a thread of the blocking pool (which the OS wakes precisely) sleeps the rest.
async fn hold_until(deadline: Instant) {
    if let Some(coarse) = deadline.checked_sub(Duration::from_millis(2)) {
        tokio::time::sleep_until(coarse.into()).await;
    }
    let rest = deadline.saturating_duration_since(Instant::now());
    if !rest.is_zero() {
        // A failed join only means the runtime is shutting down: nothing to wait for.
        let _ = tokio::task::spawn_blocking(move || std::thread::sleep(rest)).await;
    }
}

/// Counts a request out of the active ones when its answer is ready (or refused).
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn reply(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert("content-type", "application/json".parse().expect("static"));
    headers.insert("x-trace-id", "mock".parse().expect("static"));
    response
}

/// DeepL's error body: `{"message": …}`.
fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    reply(status, &json!({ "message": message }))
}

/// The trivial client: `requests` requests from `concurrency` tasks, one at a time each.
async fn client(url: &str, requests: u64, concurrency: u64, texts: u64) -> Result<(), String> {
    let latency_ms: f64 = std::env::var("LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50.0);
    let http = reqwest::Client::new();
    let url = format!("{}/v2/translate", url.trim_end_matches('/'));
    // Sentences of the benchmark's size (about 100 characters each).
    let text: Vec<String> = (0..texts)
        .map(|i| format!("Câu thứ {i} của bài báo, dài khoảng một trăm ký tự như một câu tin tức bình thường ở Việt Nam."))
        .collect();
    let body = json!({"text": text, "source_lang": "VI", "target_lang": "EN-US"}).to_string();
    let next = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (http, url, body) = (http.clone(), url.clone(), body.clone());
            let (next, refused) = (Arc::clone(&next), Arc::clone(&refused));
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let sent = http
                        .post(&url)
                        .header("Authorization", "DeepL-Auth-Key bench")
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                        }
                        _ => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())?;
    }
    let took = started.elapsed().as_secs_f64();
    let ideal = requests as f64 * latency_ms / 1000.0 / concurrency.max(1) as f64;
    println!(
        "requests {requests}  concurrency {concurrency}  texts/request {texts}  refused {}  \
         time {took:.3} s  {:.0} requests/s  ideal {ideal:.3} s  {:.1} % of ideal",
        refused.load(Ordering::Relaxed),
        requests as f64 / took,
        100.0 * ideal / took
    );
    Ok(())
}
