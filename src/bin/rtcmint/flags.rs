//! One form for every flag of a kind, applied to the whole command tree (so a flag added later
//! follows it without remembering to):
//!
//! - **Booleans** are `--flag` (true) or `--flag=true` / `--flag=false`, everywhere. Switches
//!   (`--json`, `--admin`) and value-taking booleans (`--can-publish`, marked with
//!   `value_name = "BOOL"`) are both rewritten to that form; `--flag false` (with a space) is
//!   refused with clap's "equal sign is needed" error instead of being read two ways.
//! - Their values (`true`, `false`) show in shell completions like every enum-valued flag's.

use clap::{Arg, ArgAction, Command};

/// Whether `a` is a boolean flag (a switch or a flag marked `value_name = "BOOL"`).
pub fn is_bool_flag(a: &Arg) -> bool {
    matches!(a.get_action(), ArgAction::SetTrue)
        || a.get_value_names()
            .is_some_and(|n| n.iter().any(|v| v.as_str() == "BOOL"))
}

fn uniform_bool(a: Arg) -> Arg {
    if !is_bool_flag(&a) || a.get_long().is_none() {
        return a;
    }
    let switch = matches!(a.get_action(), ArgAction::SetTrue);
    let a = a
        .action(ArgAction::Set)
        .num_args(0..=1)
        .require_equals(true)
        .default_missing_value("true")
        .value_name("BOOL")
        .value_parser(clap::value_parser!(bool));
    if switch {
        a.default_value("false").hide_default_value(true)
    } else {
        a
    }
}

/// Applies the rules above to `cmd` and every subcommand.
pub fn uniform(cmd: Command) -> Command {
    cmd.mut_args(uniform_bool).mut_subcommands(uniform)
}
