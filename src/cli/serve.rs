//! `dich serve`: the review web app on loopback (tokens required for any other
//! address); see docs/serve.md.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use clap::Args;

use super::Exit;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on: `IP`, `IP:PORT` or `:PORT` (default 127.0.0.1 on a free
    /// port). Any address but loopback needs `[[serve.reviewers]]` in the config.
    #[arg(long, value_parser = parse_bind)]
    bind: Option<SocketAddr>,
}

/// `127.0.0.1`, `0.0.0.0:8080`, `[::1]:8080`, `:8080`.
fn parse_bind(text: &str) -> Result<SocketAddr, String> {
    if let Some(port) = text.strip_prefix(':') {
        let port = port
            .parse()
            .map_err(|_| format!("`{port}` is not a port"))?;
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    text.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 0))
        .map_err(|_| format!("`{text}` is not an address (e.g. 127.0.0.1, 0.0.0.0:8080, :8080)"))
}

pub(crate) async fn execute(config_path: &Path, args: ServeArgs) -> anyhow::Result<Exit> {
    let project = super::load_project(config_path)?;
    let bind = args
        .bind
        .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0));
    let result = dich::serve::serve(project, bind, |addr| {
        // The URL is the command's output: scripts (and the tests) read it.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "http://{addr}/");
        let _ = out.flush();
        if addr.ip().is_unspecified() {
            tracing::info!(
                "listening on every address: open http://<this machine's address>:{}/",
                addr.port()
            );
        }
        tracing::info!("press Ctrl-C to stop");
    })
    .await;
    match result {
        Ok(()) => Ok(Exit::Ok),
        Err(e @ dich::serve::StartError::NeedsTokens(_))
        | Err(e @ dich::serve::StartError::MissingToken { .. }) => {
            Err(super::output::UsageError(e.to_string()).into())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_addresses_are_read_as_people_write_them() {
        let local = |port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
        assert_eq!(parse_bind(":8080"), Ok(local(8080)));
        assert_eq!(parse_bind("127.0.0.1"), Ok(local(0)));
        assert_eq!(
            parse_bind("0.0.0.0:9000").map(|a| a.to_string()),
            Ok("0.0.0.0:9000".to_owned())
        );
        assert_eq!(
            parse_bind("[::1]:8080").map(|a| a.ip().is_loopback()),
            Ok(true)
        );
        assert!(parse_bind("localhost:80").is_err());
        assert!(parse_bind(":http").is_err());
    }
}
