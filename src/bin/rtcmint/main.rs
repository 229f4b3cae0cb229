//! `rtcmint`: mint, decode and verify LiveKit, Agora and ZEGOCLOUD join tokens from the command
//! line.
//!
//! Exit codes: 0 valid / done, 1 runtime error, 2 usage error (bad flags, missing or invalid
//! credentials, a request the vendor refuses), 3 bad signature or wrong key, 4 expired or not yet
//! valid, 5 malformed token; for `room`, `participant` and `recording` also 6 auth refused,
//! 7 not found, 8 unsupported, 9 other vendor error, 10 outcome unknown (see `remote.rs`).

// `println!` / `eprintln!` panic when the write fails (a closed pipe): the CLI writes through
// `emit` and `util::stderr_line`, which do not.
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod agora;
mod batch;
mod flags;
mod inspect;
mod livekit;
mod remote;
mod remote_config;
mod serve;
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
        cmd: util::TokenCmd<livekit::Mint>,
    },
    /// Agora AccessToken2 ("007").
    Agora {
        #[command(subcommand)]
        cmd: util::TokenCmd<agora::Mint>,
    },
    /// ZEGOCLOUD token04.
    Zego {
        #[command(subcommand)]
        cmd: util::TokenCmd<zego::Mint>,
    },
    /// Decode any supported token (vendor detected from the token) and print it as JSON.
    Decode(inspect::DecodeArgs),
    /// Verify a token with the vendor's credentials. Exit 0 valid, 3 bad signature or wrong
    /// key, 4 expired or not yet valid, 5 malformed.
    Verify(Box<inspect::VerifyArgs>),
    /// Mint tokens from JSON Lines requests, streaming (`batch --help` shows the request schema).
    #[command(long_about = batch::SCHEMA)]
    Batch(Box<batch::BatchArgs>),
    /// Rooms on a vendor's server API: create, get, list, delete.
    Room(Box<remote::RoomCmd>),
    /// Participants of a room: list, kick.
    Participant(Box<remote::ParticipantCmd>),
    /// Server-side composite recordings: start, stop.
    Recording(Box<remote::RecordingCmd>),
    /// Serve the HTTP gateway (`/v1/rtc/...`); see `rtcmint serve --help`.
    Serve(Box<serve::ServeArgs>),
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
    emit(&inspect::to_pretty(v)?)
}

fn print_issued((issued, json): (rtcmint::IssuedToken, bool)) -> CliResult<()> {
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
            cmd: util::TokenCmd::Mint(m),
        } => print_issued(m.run()?)?,
        Cmd::Agora {
            cmd: util::TokenCmd::Mint(m),
        } => print_issued(m.run()?)?,
        Cmd::Zego {
            cmd: util::TokenCmd::Mint(m),
        } => print_issued(m.run()?)?,
        Cmd::Decode(args) => print_json(&inspect::decode(&args)?)?,
        Cmd::Verify(args) => {
            let (out, code) = inspect::verify(&args)?;
            match out {
                inspect::VerifyOutput::Json(j) => print_json(&j)?,
                inspect::VerifyOutput::Text(t) => emit(&t)?,
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
        Cmd::Room(c) => c.run()?,
        Cmd::Participant(c) => c.run()?,
        Cmd::Recording(c) => c.run()?,
        Cmd::Serve(args) => serve::run(*args)?,
        Cmd::Completions { shell } => {
            let mut cmd = util::harden_secret_flags(flags::uniform(Cli::command()));
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "rtcmint", &mut script);
            emit(String::from_utf8_lossy(&script).trim_end())?;
        }
    }
    Ok(0)
}

fn main() -> ExitCode {
    let cli: Cli = match util::parse_args(
        flags::uniform(Cli::command()),
        std::env::args_os().collect(),
    ) {
        Ok(cli) => cli,
        Err(failure) => return ExitCode::from(failure.print()),
    };
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

    use std::ffi::OsString;

    #[test]
    fn clap_definition_is_consistent() {
        util::harden_secret_flags(flags::uniform(Cli::command())).debug_assert();
    }

    /// Every (subcommand path, secret flag long name) in the tree.
    fn secret_flags(
        cmd: &clap::Command,
        path: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, String)>,
    ) {
        for a in cmd.get_arguments().filter(|a| util::is_secret_arg(a)) {
            if let Some(long) = a.get_long() {
                out.push((path.clone(), long.to_owned()));
            }
        }
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_owned());
            secret_flags(sub, path, out);
            path.pop();
        }
    }

    fn all_args(cmd: &clap::Command, out: &mut Vec<(String, clap::Arg)>) {
        for a in cmd.get_arguments() {
            out.push((cmd.get_name().to_owned(), a.clone()));
        }
        for sub in cmd.get_subcommands() {
            all_args(sub, out);
        }
    }

    #[test]
    fn every_boolean_flag_takes_one_form() {
        let mut args = Vec::new();
        all_args(&flags::uniform(Cli::command()), &mut args);
        let bools: Vec<_> = args
            .iter()
            .filter(|(_, a)| flags::is_bool_flag(a))
            .collect();
        // The walk sees switches and value-taking booleans alike.
        for known in ["json", "admin", "can-publish", "join", "login-room"] {
            assert!(
                bools.iter().any(|(_, a)| a.get_long() == Some(known)),
                "--{known} is not seen as a boolean"
            );
        }
        for (cmd, a) in bools {
            let long = a.get_long().unwrap_or_default();
            assert!(a.is_require_equals_set(), "{cmd} --{long}");
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            assert_eq!(values, ["true", "false"], "{cmd} --{long}");
        }
    }

    #[test]
    fn bare_equals_and_space_forms_of_a_boolean() {
        let parse = |argv: &[&str]| {
            let argv: Vec<OsString> = ["rtcmint", "livekit", "mint"]
                .iter()
                .chain(argv)
                .map(OsString::from)
                .collect();
            util::parse_args::<Cli>(flags::uniform(Cli::command()), argv)
        };
        assert!(parse(&["--admin", "--json"]).is_ok());
        assert!(parse(&["--admin=false", "--can-publish=false", "--join"]).is_ok());
        assert!(parse(&["--can-publish"]).is_ok());
        // The space form is refused, not read as a positional or a value.
        assert!(parse(&["--can-publish", "false"]).is_err());
        assert!(parse(&["--admin", "false"]).is_err());
        assert!(parse(&["--admin=yes"]).is_err());
    }

    #[test]
    fn enum_valued_flags_complete_their_values() {
        let mut cmd = util::harden_secret_flags(flags::uniform(Cli::command()));
        let mut script = Vec::new();
        clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "rtcmint", &mut script);
        let script = String::from_utf8(script).unwrap();
        for (flag, values) in [
            (
                "--kind",
                "standard ingress egress sip agent connector bridge",
            ),
            (
                "--can-publish-sources",
                "camera microphone screen_share screen_share_audio",
            ),
            ("--can-publish", "true false"),
            ("--mode", "cbc gcm"),
        ] {
            assert!(
                script.contains(&format!("{flag})"))
                    && script.contains(&format!("compgen -W \"{values}\"")),
                "{flag} does not complete {values}"
            );
        }
        // Every flag with a fixed set of values (clap's possible values) offers them.
        let mut args = Vec::new();
        all_args(&cmd, &mut args);
        for (c, a) in &args {
            let values: Vec<_> = a
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            if !values.is_empty() && !a.is_hide_possible_values_set() {
                assert!(
                    script.contains(&values.join(" ")),
                    "{c} --{:?}: {values:?} not in the completions",
                    a.get_long()
                );
            }
        }
    }

    #[test]
    fn flags_that_look_secret_carry_the_marker() {
        let mut args = Vec::new();
        all_args(&Cli::command(), &mut args);
        let mut unmarked = Vec::new();
        for (cmd, a) in &args {
            let Some(long) = a.get_long() else { continue };
            let takes_value = a.get_num_args().is_none_or(|n| n.takes_values());
            let names_a_path = long.ends_with("-file") || long.ends_with("-env");
            if takes_value && !names_a_path && util::looks_secret(long) && !util::is_secret_arg(a) {
                unmarked.push(format!("{cmd} --{long}"));
            }
        }
        assert!(
            unmarked.is_empty(),
            "secret-looking flags without value_name = \"SECRET\": {unmarked:?}"
        );
    }

    #[test]
    fn secret_flags_take_any_value_and_never_echo() {
        let mut flags = Vec::new();
        secret_flags(&Cli::command(), &mut Vec::new(), &mut flags);
        // The walk finds the flags that exist today (and any added later).
        for known in ["api-secret", "app-certificate", "server-secret"] {
            assert!(
                flags.iter().any(|(_, f)| f == known),
                "{known} not found in {flags:?}"
            );
        }
        let canary = "--g7canary-XYZ";
        for (path, flag) in &flags {
            for form in [
                vec![format!("--{flag}"), canary.to_owned()],
                vec![format!("--{flag}={canary}")],
            ] {
                let mut argv: Vec<OsString> = vec!["rtcmint".into()];
                argv.extend(path.iter().map(OsString::from));
                argv.extend(form.iter().map(OsString::from));
                argv.push("--no-such-flag-here".into());
                let failure = match util::parse_args::<Cli>(Cli::command(), argv.clone()) {
                    Ok(_) => panic!("{argv:?} parsed"),
                    Err(f) => f,
                };
                // clap itself takes the value (no "unexpected argument" for it, no echo) ...
                let raw = failure.unredacted();
                assert!(raw.contains("--no-such-flag-here"), "{argv:?}: {raw}");
                assert!(!raw.contains(canary), "{argv:?} leaks: {raw}");
                // ... and the printed message is redacted anyway.
                assert!(!failure.text().contains(canary));
            }
        }
    }

    #[test]
    fn a_secret_in_any_clap_error_is_redacted() {
        // A secret flag whose value parser refuses the value: clap quotes the value in "invalid
        // value"; the printed message never shows it.
        #[derive(Parser, Debug)]
        struct T {
            #[arg(long, value_name = "SECRET", value_parser = clap::value_parser!(u8))]
            key: Option<u8>,
        }
        for argv in [
            ["t", "--key", "--s3cr3t-value"],
            ["t", "--key=--s3cr3t-value", "x"],
        ] {
            let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
            let failure = match util::parse_args::<T>(T::command(), argv) {
                Ok(_) => panic!("parsed"),
                Err(f) => f,
            };
            let raw = failure.unredacted();
            assert!(
                raw.contains("--s3cr3t-value"),
                "the case must exercise redaction: {raw}"
            );
            let text = failure.text();
            assert!(text.contains("invalid value '[redacted]'"), "{text}");
            assert!(!text.contains("s3cr3t"), "{text}");
        }
    }
}
