//! Placeholder until the vendor module lands.

use clap::{Args, Subcommand};
use rtcmint::{Error, IssuedToken, TokenFormat};
use serde_json::Value;

use crate::util::{CliError, CliResult};

#[derive(Args, Debug, Clone, Default)]
#[group(id = "agora_verify_creds")]
pub struct VerifyCreds {}

#[derive(Args, Debug, Clone, Default)]
#[group(id = "agora_batch_creds")]
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

pub fn decoded_json(_format: TokenFormat, _token: &str) -> CliResult<Value> {
    Err(CliError::runtime("not yet"))
}

pub fn verify(
    _c: &VerifyCreds,
    _format: TokenFormat,
    _token: &str,
    _now: i64,
) -> CliResult<Result<Value, Error>> {
    Err(CliError::runtime("not yet"))
}
