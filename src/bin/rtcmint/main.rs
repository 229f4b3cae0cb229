//! `rtcmint`: mint, decode and verify LiveKit, Agora and ZEGOCLOUD join tokens from the command
//! line.
//!
//! Exit codes: 0 valid / done, 1 runtime error, 2 usage error (bad flags, missing or invalid
//! credentials, a request the vendor refuses), 3 bad signature or wrong key, 4 expired or not yet
//! valid, 5 malformed token.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod agora;
mod batch;
mod inspect;
mod livekit;
mod util;
mod webhook;
mod zego;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::util::{CliError, CliResult};

/// Mint, decode and verify real-time-communication join tokens (LiveKit, Agora, ZEGOCLOUD)
/// locally.
#[derive(Parser, Debug)]
#[command(name = "rtcmint", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// LiveKit access tokens (HS256 JWT).
    Livekit {
        #[command(subcommand)]
        cmd: livekit::Cmd,
    },
    /// Agora AccessToken2 ("007").
    Agora {
        #[command(subcommand)]
        cmd: agora::Cmd,
    },
    /// ZEGOCLOUD token04.
    Zego {
        #[command(subcommand)]
        cmd: zego::Cmd,
    },
    /// Decode any supported token (vendor detected from the token) and print it as JSON.
    Decode(inspect::DecodeArgs),
    /// Verify a token with the vendor's credentials. Exit 0 valid, 3 bad signature or wrong
    /// key, 4 expired or not yet valid, 5 malformed.
    Verify(Box<inspect::VerifyArgs>),
    /// Mint tokens from JSON Lines requests (see `rtcmint::batch` docs for the schema).
    Batch(Box<batch::BatchArgs>),
    /// Verify webhooks (server callbacks) from LiveKit, Agora and ZEGO.
    Webhook {
        #[command(subcommand)]
        cmd: webhook::Cmd,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Writes one line to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::runtime(format!("cannot write output: {e}"))),
    }
}

fn print_json(v: &serde_json::Value) -> CliResult<()> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| CliError::runtime(format!("cannot format JSON: {e}")))?;
    emit(&text)
}

fn print_issued(issued: &rtcmint::IssuedToken, json: bool) -> CliResult<()> {
    if json {
        let v = serde_json::json!({
            "vendor": issued.vendor.as_str(),
            "token": issued.token,
            "identity": issued.identity,
            "room": issued.room,
            "issued_at": issued.issued_at,
            "expires_at": issued.expires_at,
        });
        print_json(&v)
    } else {
        emit(&issued.token)
    }
}

fn run(cli: Cli) -> CliResult<u8> {
    match cli.cmd {
        Cmd::Livekit {
            cmd: livekit::Cmd::Mint(m),
        } => {
            let (issued, json) = m.run()?;
            print_issued(&issued, json)?;
        }
        Cmd::Agora { cmd } => {
            let (issued, json) = cmd.run()?;
            print_issued(&issued, json)?;
        }
        Cmd::Zego { cmd } => {
            let (issued, json) = cmd.run()?;
            print_issued(&issued, json)?;
        }
        Cmd::Decode(args) => print_json(&inspect::decode(&args)?)?,
        Cmd::Verify(args) => {
            let (json, code) = inspect::verify(&args)?;
            if let Some(j) = json {
                print_json(&j)?;
            }
            return Ok(code);
        }
        Cmd::Webhook {
            cmd: webhook::Cmd::Verify(args),
        } => {
            let (json, code) = webhook::verify(&args)?;
            if let Some(j) = json {
                print_json(&j)?;
            }
            return Ok(code);
        }
        Cmd::Batch(args) => {
            let summary = batch::run(&args)?;
            if summary.failed > 0 {
                return Ok(util::EXIT_RUNTIME);
            }
        }
        Cmd::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "rtcmint", &mut script);
            emit(String::from_utf8_lossy(&script).trim_end())?;
        }
    }
    Ok(0)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "rtcmint: {e}");
            e.code
        }
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
