//! ZEGOCLOUD token04 vendor vectors: byte-exact minting, decoding, negative verdicts and the
//! reference generators' input validation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcmint::zego::{self, MintInputs, Mode, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
use rtcmint::{Error, Vendor};
use serde_json::Value;

/// The one loader: a vector file from `tests/vectors/zego/`.
fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/zego/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn i(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} is not an integer"))
}

/// Runs `check` on every case, collects failures by id, and reports how many passed.
fn run_all(file: &str, cases: &[Value], check: impl Fn(&Value) -> Result<(), String>) {
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        if let Err(why) = check(case) {
            failures.push(format!("{id}: {why}"));
        }
    }
    println!(
        "{file}: {}/{} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{file} failures:\n{}",
        failures.join("\n")
    );
}

fn golden(file: &str, mode: Mode) {
    let doc = load(file);
    assert_eq!(doc["mode"], mode.as_str());
    let cases = doc["vectors"].as_array().unwrap();
    assert_eq!(cases.len() as u64, doc["count"].as_u64().unwrap());
    run_all(file, cases, |case| {
        let inp = &case["inputs"];
        let exp = &case["expected"];
        let secret = s(inp, "server_secret");
        let app_id = u32::try_from(i(inp, "app_id")).map_err(|e| e.to_string())?;
        let iv = hex::decode(s(inp, "iv_hex")).map_err(|e| e.to_string())?;
        let payload_text = s(inp, "payload");
        let payload = if payload_text.is_empty() {
            Payload::Identity
        } else {
            Payload::Raw(payload_text.to_owned())
        };
        let minter = ZegoMinter::new(app_id, secret)
            .map_err(|e| e.to_string())?
            .with_mode(mode)
            .with_max_user_id_len(256);
        let inputs = MintInputs::new(
            s(inp, "user_id"),
            i(inp, "now_unix"),
            i(inp, "effective_time_in_seconds"),
            i(inp, "nonce"),
            &iv,
        )
        .payload(&payload);
        let mut token = String::from("keep:");
        let expire = minter
            .encode_into(&inputs, &mut token)
            .map_err(|e| format!("mint: {e}"))?
            .expires_at;
        let want = s(case, "token");
        if token.strip_prefix("keep:") != Some(want) {
            return Err(format!("minted\n  {token}\nwant\n  {want}"));
        }
        if expire != i(exp, "expire") {
            return Err(format!("mint returned expire {expire}"));
        }

        // The typed privilege builder reproduces the compact payloads byte for byte.
        if let Ok(p) = PrivilegePayload::parse(payload_text)
            && p.to_json() == payload_text
        {
            {
                let typed = Payload::Privilege(p);
                let mut t = String::new();
                minter
                    .encode_into(&inputs.payload(&typed), &mut t)
                    .map_err(|e| e.to_string())?;
                if t != want {
                    return Err("typed privilege payload minted a different token".into());
                }
            }
        }

        // Decode and verify at the pinned time.
        let d = zego::ZegoVerifier::new(secret)
            .and_then(|v| v.verify_at(want, i(inp, "now_unix")))
            .map_err(|e| format!("verify: {e}"))?;
        let checks: [(&str, bool); 10] = [
            ("plaintext", d.plaintext == s(exp, "plaintext")),
            ("mode", d.mode == mode && exp["mode"] == mode.as_str()),
            (
                "mode_byte",
                d.container.mode_byte.map(u64::from) == exp["mode_byte"].as_u64(),
            ),
            (
                "expire",
                d.container.expire == i(exp, "expire") && d.expires_at == i(exp, "expire"),
            ),
            ("iv_len", d.container.iv_len as i64 == i(exp, "iv_len")),
            (
                "ciphertext_len",
                d.container.ciphertext_len as i64 == i(exp, "ciphertext_len"),
            ),
            (
                "binary_len",
                d.container.binary_len as i64 == i(exp, "binary_len"),
            ),
            ("iv_hex", d.container.iv_hex == s(inp, "iv_hex")),
            (
                "claims",
                serde_json::to_value(&d.claims).unwrap() == exp["claims"],
            ),
            ("authenticated", d.authenticated == (mode == Mode::Gcm)),
        ];
        if let Some((what, _)) = checks.iter().find(|(_, ok)| !ok) {
            return Err(format!("decoded {what} differs: {d:?}"));
        }
        match (&exp["payload_json"], &d.privilege) {
            (Value::Null, None) => {}
            (want_json, Some(p)) => {
                let parsed = PrivilegePayload::parse(&serde_json::to_string(want_json).unwrap())
                    .map_err(|e| e.to_string())?;
                if &parsed != p {
                    return Err(format!("privilege {p:?} != {want_json}"));
                }
            }
            (want_json, None) => return Err(format!("privilege payload not parsed: {want_json}")),
        }
        let warned_long = d.warnings.contains(&zego::DecodeWarning::UserIdTooLong);
        let warned_json = d.warnings.contains(&zego::DecodeWarning::PayloadNotJson);
        let exp_warn = exp["decoder_warnings"].to_string();
        if warned_long != exp_warn.contains("longer than 64")
            || warned_json != exp_warn.contains("not JSON")
        {
            return Err(format!("warnings {:?} vs {exp_warn}", d.warnings));
        }
        if zego::detect_mode(want) != Some(mode) {
            return Err("detect_mode".into());
        }
        // One second past expiry is expired.
        match zego::ZegoVerifier::new(secret).and_then(|v| v.verify_at(want, i(exp, "expire") + 1))
        {
            Err(Error::Expired { expired_at, .. }) if expired_at == i(exp, "expire") => Ok(()),
            other => Err(format!("verify after expiry: {other:?}")),
        }
    });
}

#[test]
fn token04_cbc_python() {
    golden("token04_cbc_python.json", Mode::Cbc);
}

#[test]
fn token04_gcm_python() {
    golden("token04_gcm_python.json", Mode::Gcm);
}

/// The class of error we return, named like the vector file's `error_kind`.
fn class(e: &Error) -> &'static str {
    match e {
        Error::Malformed { .. } => "format",
        Error::SignatureMismatch { .. } => "crypto",
        Error::Expired { .. } => "expired",
        Error::InvalidCredentials { .. } => "credentials",
        _ => "other",
    }
}

#[test]
fn negative() {
    let doc = load("negative.json");
    let cases = doc["vectors"].as_array().unwrap();
    assert_eq!(cases.len() as u64, doc["count"].as_u64().unwrap());
    run_all("negative.json", cases, |case| {
        let id = s(case, "id");
        let exp = &case["expected"];
        let got = zego::ZegoVerifier::new(s(case, "server_secret"))
            .and_then(|v| v.verify_at(s(case, "token"), i(case, "now_unix")));
        // Our classification: layout problems are Malformed; wrong key, bad padding, tag failure
        // and CBC garbage plaintext are the opaque SignatureMismatch; well-encrypted claims of the
        // wrong shape and an altered outer expire are Malformed.
        let want_class: &[&str] = match (id, exp["error_kind"].as_str()) {
            // A 31-char secret is refused before any decryption.
            ("cbc_secret_31_chars", _) => &["credentials"],
            // Layout checks happen before decryption here (IV length per mode, block multiple).
            (
                "cbc_ct_not_block_multiple"
                | "cbc_mode_byte_1"
                | "gcm_mode_byte_removed"
                | "gcm_mode_byte_0",
                _,
            ) => &["format"],
            (_, Some("format")) => &["format"],
            (_, Some("crypto")) => &["crypto"],
            (_, Some("plaintext")) => &["format", "crypto"],
            (_, Some("expired")) => &["expired"],
            _ => &[],
        };
        match (s(exp, "outcome"), &got) {
            ("valid", Ok(_)) => Ok(()),
            ("valid_but_altered", Ok(d)) => {
                if serde_json::to_value(&d.claims).unwrap() == exp["altered_claims"] {
                    Ok(())
                } else {
                    Err(format!("altered claims differ: {:?}", d.claims))
                }
            }
            ("expired", Err(e @ Error::Expired { .. })) => {
                assert_eq!(e.vendor(), Some(Vendor::Zego));
                Ok(())
            }
            ("reject", Err(e)) if want_class.contains(&class(e)) => Ok(()),
            (outcome, got) => Err(format!("expected {outcome} ({want_class:?}), got {got:?}")),
        }
    });
}

#[test]
fn generator_errors() {
    let doc = load("generator_errors.json");
    let cases = doc["cases"].as_array().unwrap();
    run_all("generator_errors.json", cases, |case| {
        let id = s(case, "id");
        let inp = &case["inputs"];
        let payload_text = match &inp["payload_repeat"] {
            Value::Object(r) => r["char"]
                .as_str()
                .unwrap()
                .repeat(r["count"].as_u64().unwrap() as usize),
            _ => s(inp, "payload").to_owned(),
        };
        let payload = if payload_text.is_empty() {
            Payload::Identity
        } else {
            Payload::Raw(payload_text)
        };
        for (mode, iv_key) in [(Mode::Cbc, "iv"), (Mode::Gcm, "gcm_nonce")] {
            let result = u32::try_from(i(inp, "app_id"))
                .map_err(|e| e.to_string())
                .and_then(|app_id| {
                    ZegoMinter::new(app_id, s(inp, "server_secret")).map_err(|e| format!("{e:?}"))
                })
                .and_then(|m| {
                    let m = m.with_mode(mode);
                    let inputs = MintInputs::new(
                        s(inp, "user_id"),
                        i(inp, "now_unix"),
                        i(inp, "effective_time_in_seconds"),
                        i(inp, "nonce"),
                        s(inp, iv_key).as_bytes(),
                    )
                    .payload(&payload);
                    let mut out = String::new();
                    m.encode_into(&inputs, &mut out)
                        .map(|_| out)
                        .map_err(|e| format!("{e:?}"))
                });
            let ok = match (id, &result) {
                ("err_appid_zero", Err(e)) => {
                    e.contains("InvalidCredentials") && e.contains("app id")
                }
                (
                    "err_secret_31"
                    | "err_secret_33"
                    | "err_secret_16"
                    | "err_secret_24"
                    | "err_secret_32_nonascii"
                    | "err_secret_32chars_nonascii",
                    Err(e),
                ) => e.contains("InvalidCredentials") && e.contains("server secret"),
                ("err_user_empty" | "err_user_65", Err(e)) => {
                    e.contains("InvalidRequest") && e.contains("user_id")
                }
                ("err_ttl_zero" | "err_ttl_negative", Err(e)) => {
                    e.contains("InvalidRequest") && e.contains("effective_time_secs")
                }
                ("err_payload_70k", Err(e)) => e.contains("InvalidRequest") && e.contains("65535"),
                // 40 000 bytes fit the unsigned 16-bit length: a valid token that decodes back.
                ("err_payload_40k", Ok(token)) => {
                    let d = ZegoVerifier::new(s(inp, "server_secret"))
                        .unwrap()
                        .verify_at(token, i(inp, "now_unix"))
                        .unwrap();
                    d.container.ciphertext_len == if mode == Mode::Cbc { 40112 } else { 40125 }
                        && d.claims.payload_str() == payload_str(&payload)
                }
                _ => false,
            };
            if !ok {
                return Err(format!("{mode}: unexpected {result:?}"));
            }
        }
        Ok(())
    });
}

fn payload_str(p: &Payload) -> &str {
    match p {
        Payload::Raw(s) => s,
        _ => "",
    }
}
