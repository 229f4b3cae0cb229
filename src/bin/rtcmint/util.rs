//! Shared CLI plumbing: errors and exit codes, argument parsing (secret flags), credentials,
//! bounded reads, time formatting.

use std::ffi::OsString;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::{Arg, Command, FromArgMatches};

use rtcmint::{Error, ErrorKind, Secret};

/// Exit codes (part of the CLI contract).
pub const EXIT_RUNTIME: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_SIGNATURE: u8 = 3;
pub const EXIT_TIME: u8 = 4;
pub const EXIT_MALFORMED: u8 = 5;

/// `--vendor` (and `serve --default-vendor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VendorArg {
    /// LiveKit.
    Livekit,
    /// Agora.
    Agora,
    /// ZEGOCLOUD.
    Zego,
}

impl From<VendorArg> for rtcmint::Vendor {
    fn from(v: VendorArg) -> Self {
        match v {
            VendorArg::Livekit => rtcmint::Vendor::LiveKit,
            VendorArg::Agora => rtcmint::Vendor::Agora,
            VendorArg::Zego => rtcmint::Vendor::Zego,
        }
    }
}

/// The token commands of one vendor (`rtcmint livekit|agora|zego …`). The help of `mint` is
/// the doc comment of the vendor's `Mint` type.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCmd<M: clap::Args> {
    Mint(Box<M>),
}

/// A free-form value with suggestions: shell completions offer the listed values, any text is
/// accepted (`recording start --layout`: LiveKit also takes its template names).
#[derive(Debug, Clone, Copy)]
pub struct Suggested(pub &'static [&'static str]);

impl clap::builder::TypedValueParser for Suggested {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().map(|v| clap::builder::PossibleValue::new(*v)),
        ))
    }
}

/// A CLI failure: one line for stderr and an exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_RUNTIME,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit code for a library error.
pub fn exit_code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::Credentials | ErrorKind::Request => EXIT_USAGE,
        ErrorKind::Signature => EXIT_SIGNATURE,
        ErrorKind::Time => EXIT_TIME,
        ErrorKind::Malformed => EXIT_MALFORMED,
        _ => EXIT_RUNTIME,
    }
}

/// A verdict that is not valid, without `--json`: `invalid: <why>` with the verdict's exit code
/// (`verify`, `webhook verify`).
pub fn invalid(code: u8, why: &dyn fmt::Display) -> CliError {
    CliError {
        code,
        message: format!("invalid: {why}"),
    }
}

/// The `failure` field of a `--json` verdict (`verify`, `webhook verify`) for an exit code.
pub fn failure_kind(code: u8) -> &'static str {
    match code {
        EXIT_SIGNATURE => "signature",
        EXIT_TIME => "time",
        EXIT_MALFORMED => "malformed",
        _ => "error",
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError {
            code: exit_code(&e),
            message: e.to_string(),
        }
    }
}

pub type CliResult<T> = Result<T, CliError>;

/// Prints one line on standard error. Unlike `eprintln!` (denied in the CLI: it panics when
/// the write fails), a closed or broken stderr drops the line.
pub fn stderr_line(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Prints `warning: <text>` on standard error ([`stderr_line`]).
pub fn warn(text: &str) {
    stderr_line(&format!("warning: {text}"));
}

// ---------------------------------------------------------------------------------------------
// Secret flags
// ---------------------------------------------------------------------------------------------

/// The marker of a flag whose value is a secret: `#[arg(long, value_name = "SECRET")]`.
///
/// Every flag that takes a secret (API secret, app certificate, server secret, webhook key,
/// password, …) in any subcommand is declared with exactly this value name, and nothing else is.
/// [`parse_args`] then makes each such flag take any value (hyphen-leading included), hides env
/// values in help, and redacts the value from every clap error. `tests/secret_flags.rs` and the
/// unit tests in `main.rs` walk the whole command tree, so a new secret flag is covered as soon as
/// it carries the marker, and a flag whose name looks secret without it fails the tests.
pub const SECRET_VALUE_NAME: &str = "SECRET";

/// Whether `arg` carries the secret marker ([`SECRET_VALUE_NAME`]).
pub fn is_secret_arg(arg: &Arg) -> bool {
    arg.get_value_names()
        .is_some_and(|names| names.iter().any(|n| n == SECRET_VALUE_NAME))
}

/// Applies the secret-flag rules to every marked flag of `cmd` and of all its subcommands.
pub fn harden_secret_flags(cmd: Command) -> Command {
    cmd.mut_args(|a| {
        if is_secret_arg(&a) {
            a.allow_hyphen_values(true).hide_env_values(true)
        } else {
            a
        }
    })
    .mut_subcommands(harden_secret_flags)
}

/// Every spelling (`--long`, aliases, `-s`) of every secret flag in the tree.
fn secret_spellings(cmd: &Command, out: &mut Vec<String>) {
    for a in cmd.get_arguments().filter(|a| is_secret_arg(a)) {
        for long in a.get_all_aliases().unwrap_or_default() {
            out.push(format!("--{long}"));
        }
        out.extend(a.get_long().map(|l| format!("--{l}")));
        for short in a.get_all_short_aliases().unwrap_or_default() {
            out.push(format!("-{short}"));
        }
        out.extend(a.get_short().map(|s| format!("-{s}")));
    }
    for sub in cmd.get_subcommands() {
        secret_spellings(sub, out);
    }
}

/// The values given to secret flags on this command line (`--flag VALUE`, `--flag=VALUE`,
/// `-sVALUE`), whichever subcommand they belong to.
fn secret_values(cmd: &Command, args: &[OsString]) -> Vec<String> {
    let mut spellings = Vec::new();
    secret_spellings(cmd, &mut spellings);
    let mut values = Vec::new();
    let mut take_next = false;
    for arg in args {
        let arg = arg.to_string_lossy();
        if std::mem::take(&mut take_next) {
            values.push(arg.into_owned());
            continue;
        }
        for sp in &spellings {
            if *arg == **sp {
                take_next = true;
            } else if let Some(rest) = arg.strip_prefix(sp.as_str()) {
                // `--flag=VALUE`, or a short flag's attached `-sVALUE` / `-s=VALUE`.
                let long = sp.starts_with("--");
                match rest.strip_prefix('=') {
                    Some(v) => values.push(v.to_owned()),
                    None if !long => values.push(rest.to_owned()),
                    None => {}
                }
            }
        }
    }
    values.retain(|v| !v.is_empty());
    values
}

/// Words that make a flag name look like it takes a secret. A flag whose name contains one must
/// carry the marker unless it names a file or an environment variable (`…-file`, `…-env`); the
/// unit tests in `main.rs` enforce it over the whole command tree.
#[cfg(test)]
pub const SECRET_WORDS: [&str; 12] = [
    "secret",
    "certificate",
    "password",
    "passwd",
    "passphrase",
    "private",
    "credential",
    "signing-key",
    "webhook-key",
    "bearer",
    "database-url",
    "dsn",
];

/// Whether a long flag name (without `--`) looks like it takes a secret ([`SECRET_WORDS`]).
#[cfg(test)]
pub fn looks_secret(long: &str) -> bool {
    let long = long.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| long.contains(w))
}

/// A command line clap refused (or `--help` / `--version`), with the secrets it held.
pub struct ParseFailure {
    error: clap::Error,
    secrets: Vec<String>,
}

impl ParseFailure {
    /// The message as plain text, every secret value replaced by `[redacted]`.
    pub fn text(&self) -> String {
        let mut text = self.error.render().to_string();
        for s in &self.secrets {
            text = text.replace(s.as_str(), "[redacted]");
        }
        text
    }

    /// The message as clap rendered it, before redaction.
    #[cfg(test)]
    pub fn unredacted(&self) -> String {
        self.error.render().to_string()
    }

    /// Prints the message (styled when no secret had to be redacted) and returns the exit code.
    pub fn print(&self) -> u8 {
        use std::io::Write as _;
        let text = self.text();
        // Write errors (a closed pipe: `rtcmint --help | head -1`) are ignored.
        if text == self.error.render().to_string() {
            let _ = self.error.print();
        } else if self.error.use_stderr() {
            let _ = std::io::stderr().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
        u8::try_from(self.error.exit_code()).unwrap_or(EXIT_USAGE)
    }
}

/// Parses `args` (program name first) against `cmd` with the secret-flag rules applied
/// ([`SECRET_VALUE_NAME`]). Every failure carries the secrets to redact from its message.
pub fn parse_args<T: FromArgMatches>(cmd: Command, args: Vec<OsString>) -> Result<T, ParseFailure> {
    let mut cmd = harden_secret_flags(cmd);
    let parsed = cmd
        .try_get_matches_from_mut(&args)
        .and_then(|mut m| T::from_arg_matches_mut(&mut m).map_err(|e| e.format(&mut cmd)));
    parsed.map_err(|error| ParseFailure {
        secrets: secret_values(&cmd, &args),
        error,
    })
}

// ---------------------------------------------------------------------------------------------
// Bounded reads
// ---------------------------------------------------------------------------------------------

/// The largest token the CLI reads (from an argument or standard input): 2 MiB. No vendor's
/// decoder accepts more (LiveKit refuses a JWT over 1 MiB, an Agora payload inflates to at most
/// 1 MiB, whose stored-block base64 is about 1.4 MiB; a ZEGO ciphertext is at most 64 KiB).
pub const MAX_TOKEN_BYTES: usize = 2 << 20;

/// The largest secret file the CLI reads: 64 KiB (vendor secrets are 32 to a few hundred bytes).
pub const MAX_SECRET_FILE_BYTES: usize = 64 << 10;

/// Why [`read_bounded`] stopped.
#[derive(Debug)]
pub enum BoundedReadError {
    /// The input holds more than the limit (nothing past `limit + 1` bytes was read).
    TooLarge { limit: usize },
    /// The read itself failed.
    Io(std::io::Error),
}

/// Reads all of `r`, but never more than `limit` bytes: the read stops at `limit + 1` bytes and
/// reports [`BoundedReadError::TooLarge`], so memory stays flat whatever the input (`/dev/zero`,
/// a 2 GB pipe). Every input the CLI reads whole (tokens, secret files) goes through here. The
/// buffer is allocated once (`limit + 1` bytes at most, growing by doubling from `initial`) and
/// zeroized when dropped: the bytes may be a secret.
pub fn read_bounded(
    r: impl std::io::Read,
    limit: usize,
    initial: usize,
) -> Result<zeroize::Zeroizing<Vec<u8>>, BoundedReadError> {
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(initial.min(limit.saturating_add(1))));
    let mut r = r.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1));
    let mut chunk = zeroize::Zeroizing::new([0u8; 8192]);
    loop {
        let n = match r.read(&mut chunk[..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(BoundedReadError::Io(e)),
        };
        let got = chunk.get(..n).unwrap_or_default();
        if buf.len() + got.len() > buf.capacity() {
            // Grow by hand so the old allocation is wiped, not freed with a copy of the bytes.
            let want = (buf.len() + got.len()).max(buf.capacity().saturating_mul(2));
            let mut bigger = Vec::with_capacity(want.min(limit.saturating_add(1)));
            bigger.extend_from_slice(&buf);
            *buf = bigger;
        }
        buf.extend_from_slice(got);
        if buf.len() > limit {
            return Err(BoundedReadError::TooLarge { limit });
        }
    }
    Ok(buf)
}

/// Reads a secret file, dropping trailing newlines (as `echo secret > file` writes).
///
/// At most [`MAX_SECRET_FILE_BYTES`] are read; an empty file, a file that is not UTF-8 and a
/// larger file are usage errors naming the file (and `via`, the env variable that named it, if
/// any). A regular file that its group or others may read or write gets a warning, as ssh does.
pub fn read_secret_file(path: &Path, via: Option<&str>) -> CliResult<Secret> {
    let name = match via {
        Some(env) => format!("secret file {} (from {env})", path.display()),
        None => format!("secret file {}", path.display()),
    };
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {name}: {e}")))?;
    warn_if_exposed(&file, &name);
    let bytes = read_bounded(file, MAX_SECRET_FILE_BYTES, 256).map_err(|e| match e {
        BoundedReadError::TooLarge { limit } => CliError::usage(format!(
            "{name} is larger than {limit} bytes; it cannot be a secret"
        )),
        BoundedReadError::Io(e) => CliError::usage(format!("cannot read {name}: {e}")),
    })?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(CliError::usage(format!("{name} is not valid UTF-8")));
    };
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() {
        return Err(CliError::usage(format!("{name} is empty")));
    }
    Ok(Secret::new(text))
}

/// Warns when a regular file holding a secret may be read or written by its group or others.
#[cfg(unix)]
fn warn_if_exposed(file: &std::fs::File, name: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.permissions().mode() & 0o077 != 0
    {
        warn(&format!(
            "{name} is accessible by others (mode {:04o}); restrict it with chmod 600",
            meta.permissions().mode() & 0o7777
        ));
    }
}

#[cfg(not(unix))]
fn warn_if_exposed(_file: &std::fs::File, _name: &str) {}

/// Where a secret comes from, in order: the flag (with a warning), the file flag, the env
/// variable, the `_FILE` env variable.
pub struct SecretSource<'a> {
    pub flag: Option<&'a str>,
    pub flag_name: &'a str,
    pub file: Option<&'a PathBuf>,
    pub file_flag_name: &'a str,
    pub env: &'a str,
}

impl SecretSource<'_> {
    /// Resolves the secret, or `None` if no source has it.
    pub fn resolve(&self) -> CliResult<Option<Secret>> {
        if let Some(s) = self.flag {
            warn(&format!(
                "a secret given with {} is visible to other users of this machine (ps, shell history); prefer {} or {}",
                self.flag_name, self.env, self.file_flag_name
            ));
            return Ok(Some(Secret::new(s)));
        }
        if let Some(p) = self.file {
            return read_secret_file(p, None).map(Some);
        }
        if let Some(v) = std::env::var_os(self.env) {
            let v = v
                .into_string()
                .map_err(|_| CliError::usage(format!("{} is not valid UTF-8", self.env)))?;
            return Ok(Some(Secret::new(v)));
        }
        let file_env = format!("{}_FILE", self.env);
        if let Some(p) = std::env::var_os(&file_env) {
            return read_secret_file(Path::new(&p), Some(&file_env)).map(Some);
        }
        Ok(None)
    }

    /// Resolves the secret or fails with a usage error naming every way to pass it.
    pub fn require(&self) -> CliResult<Secret> {
        self.resolve()?.ok_or_else(|| {
            CliError::usage(format!(
                "missing secret: set {env}, {env}_FILE, {file} PATH or {flag}",
                env = self.env,
                file = self.file_flag_name,
                flag = self.flag_name
            ))
        })
    }
}

/// For `batch`: a vendor's minter, built by `build` from its id (`id`, else the variable
/// `id_env`) and secret when both are given, `None` when neither is, and a usage error naming
/// what is missing when only one is.
pub fn optional_minter<M>(
    vendor: &str,
    (id, id_flag, id_env): (Option<&String>, &str, &str),
    secret: &SecretSource<'_>,
    build: impl FnOnce(String, Secret) -> CliResult<M>,
) -> CliResult<Option<M>> {
    let id = id.cloned().or_else(|| std::env::var(id_env).ok());
    match (id, secret.resolve()?) {
        (None, None) => Ok(None),
        (Some(i), Some(s)) => build(i, s).map(Some),
        (None, Some(_)) => Err(CliError::usage(format!(
            "{vendor} secret given without its id: pass {id_flag} or set {id_env}"
        ))),
        (Some(_), None) => Err(CliError::usage(format!(
            "{vendor} id given without its secret: set {env}, {env}_FILE or pass {file}",
            env = secret.env,
            file = secret.file_flag_name
        ))),
    }
}

/// A non-secret value from a flag or an env variable.
pub fn require_value(flag: Option<String>, flag_name: &str, env: &str) -> CliResult<String> {
    flag.or_else(|| std::env::var(env).ok())
        .ok_or_else(|| CliError::usage(format!("missing {flag_name}: pass it or set {env}")))
}

/// RFC 3339 UTC text for Unix seconds, e.g. `2026-01-01T00:00:00Z`.
pub fn utc(unix: i64) -> String {
    rtcmint::time::utc(unix)
}

fn malformed(message: impl Into<String>) -> CliError {
    CliError {
        code: EXIT_MALFORMED,
        message: message.into(),
    }
}

/// Reads a token argument: `-` means standard input. Surrounding whitespace is trimmed (a
/// trailing newline from `echo` or a file is common). A token is at most [`MAX_TOKEN_BYTES`]
/// (standard input is read with that bound); an empty, larger or non-UTF-8 token is malformed
/// (exit 5), however it was given.
pub fn read_token(arg: &std::ffi::OsStr) -> CliResult<String> {
    let too_large = || {
        malformed(format!(
            "malformed token: larger than {MAX_TOKEN_BYTES} bytes"
        ))
    };
    let not_utf8 = || malformed("malformed token: not valid UTF-8");
    let raw: String = if arg == "-" {
        let bytes =
            read_bounded(std::io::stdin().lock(), MAX_TOKEN_BYTES, 4096).map_err(|e| match e {
                BoundedReadError::TooLarge { .. } => too_large(),
                BoundedReadError::Io(e) => {
                    CliError::runtime(format!("cannot read the token from stdin: {e}"))
                }
            })?;
        std::str::from_utf8(&bytes)
            .map_err(|_| not_utf8())?
            .to_owned()
    } else {
        if arg.len() > MAX_TOKEN_BYTES {
            return Err(too_large());
        }
        arg.to_str().ok_or_else(not_utf8)?.to_owned()
    };
    let t = raw.trim();
    if t.is_empty() {
        return Err(malformed("malformed token: empty"));
    }
    Ok(t.to_owned())
}

/// Parses a `--now` / `--issued-at` value.
pub fn parse_unix(s: &str) -> Result<i64, String> {
    s.parse::<i64>()
        .map_err(|_| format!("{s:?} is not a Unix time in whole seconds"))
}

/// Parses a `--valid-for` value.
pub fn parse_valid_for(s: &str) -> Result<std::time::Duration, String> {
    rtcmint::parse_duration(s).map_err(|e| e.to_string())
}

/// Parses a `k=v` pair.
pub fn parse_kv(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("{s:?} is not KEY=VALUE"))
}
