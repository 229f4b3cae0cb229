//! Placeholder until the vendor module lands.

use clap::{Args, Subcommand};
use rtcmint::{Error, IssuedToken};
use serde_json::Value;

use crate::util::{CliError, CliResult};

#[derive(Args, Debug, Clone, Default)]
#[group(id = "zego_verify_creds")]
pub struct VerifyCreds {}

#[derive(Args, Debug, Clone, Default)]
#[group(id = "zego_batch_creds")]
pub struct BatchCreds {}

impl BatchCreds {
    pub fn minter_if_given(&self) -> CliResult<Option<Box<dyn rtcmint::TokenMinter>>> {
        Ok(None)
    }
}

#[derive(Subcommand, Debug)]
pub enum Cmd {}

impl Cmd {
    pub fn run(&self) -> CliResult<(IssuedToken, bool)> {
        match *self {}
    }
}

pub fn secret_source<'a>(
    flag: Option<&'a str>,
    file: Option<&'a std::path::PathBuf>,
) -> crate::util::SecretSource<'a> {
    crate::util::SecretSource {
        flag,
        flag_name: "--server-secret",
        file,
        file_flag_name: "--server-secret-file",
        env: "ZEGO_SERVER_SECRET",
    }
}

pub fn decoded_json(_token: &str, _secret: Option<rtcmint::Secret>) -> CliResult<Value> {
    Err(CliError::runtime("not yet"))
}

pub fn verify(_c: &VerifyCreds, _token: &str, _now: i64) -> CliResult<Result<Value, Error>> {
    Err(CliError::runtime("not yet"))
}
