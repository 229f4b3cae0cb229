//! `Error::Malformed` carries a `MalformedCause` callers can match (issue 11 point 7): every
//! malformed case of the three vendors' negative vectors, matched on the cause, never on the
//! message. The message still reads as before: its first words agree with the cause where the
//! format names one (Agora's `bad version` / `bad base64` / `bad zlib` / `truncated`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcmint::agora::{self, AccessToken2, AgoraVerifier};
use rtcmint::livekit::LiveKitVerifier;
use rtcmint::zego::ZegoVerifier;
use rtcmint::{Error, MalformedCause, Vendor, VerifierSet, verify_any};
use serde_json::Value;

fn load(path: &str) -> Value {
    let path = format!("{}/tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("missing string {k}"))
}

/// The cause of a malformed result, or a description of what came instead.
fn cause_of<T: std::fmt::Debug>(r: &Result<T, Error>) -> Result<MalformedCause, String> {
    match r {
        Err(Error::Malformed { cause, .. }) => Ok(*cause),
        other => Err(format!("not malformed: {other:?}")),
    }
}

/// Checks every `(id, expected cause)` row with `run`, listing every failing row.
fn check_rows(
    what: &str,
    rows: &[(&str, MalformedCause)],
    run: impl Fn(&str) -> Result<MalformedCause, String>,
) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|&(id, want)| match run(id) {
            Ok(got) if got == want => None,
            Ok(got) => Some(format!("{id}: cause {got:?}, expected {want:?}")),
            Err(e) => Some(format!("{id}: {e}, expected {want:?}")),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{what}: failing rows:\n{}",
        failures.join("\n")
    );
}

#[test]
fn agora_negative_vectors_by_cause() {
    let v = load("agora/negative_vectors.json");
    let cases = v["cases"].as_array().unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in cases {
        let id = s(case, "id");
        let token = s(case, "token");
        let cert = s(case, "verify_with_certificate");
        let (want, prefix) = match s(&case["expect"], "decode") {
            "ok" => continue,
            "bad_version" => (MalformedCause::BadVersion, "bad version"),
            "bad_base64" => (MalformedCause::BadBase64, "bad base64"),
            "bad_zlib" => (MalformedCause::BadZlib, "bad zlib"),
            "truncated" => (MalformedCause::Truncated, "truncated"),
            other => panic!("{id}: unknown decode kind {other}"),
        };
        checked += 1;
        let decoded = AccessToken2::decode(token);
        // `agora::decode` reads a "006" token as a legacy one (see `agora_legacy_006_causes`).
        let any_version = match token.starts_with("006") {
            true => Ok(want),
            false => cause_of(&agora::decode(token)),
        };
        let results = [
            ("AccessToken2::decode", cause_of(&decoded)),
            ("agora::decode", any_version),
            (
                "AccessToken2::verify_str",
                cause_of(&AccessToken2::verify_str(token, cert, None, 0)),
            ),
        ];
        for (call, got) in results {
            match got {
                Ok(got) if got == want => {}
                other => failures.push(format!("{id}: {call} gave {other:?}, expected {want:?}")),
            }
        }
        // A 006-looking token is refused by the 007 verifier before decoding.
        if !token.starts_with("006") {
            let verified = AgoraVerifier::new(cert).unwrap().verify_at(token, 0);
            if cause_of(&verified) != Ok(want) {
                failures.push(format!("{id}: AgoraVerifier gave {verified:?}"));
            }
        }
        // The message reads as before: its first words name the same check.
        let e = decoded.unwrap_err();
        let Error::Malformed { reason, .. } = &e else {
            unreachable!()
        };
        if !reason.starts_with(prefix) {
            failures.push(format!(
                "{id}: message {reason:?} does not start with {prefix:?}"
            ));
        }
        assert_eq!(e.malformed_cause(), Some(want));
        assert_eq!(e.vendor(), Some(Vendor::Agora));
    }
    assert_eq!(checked, 22);
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
}

#[test]
fn agora_legacy_006_causes() {
    let good = load("agora/legacy_006_vectors.json");
    let token = good["cases"]
        .as_array()
        .and_then(|c| c.first())
        .map(|c| s(c, "token").to_owned())
        .unwrap();
    let app_id_and_body = token.strip_prefix("006").unwrap();
    let rows: &[(&str, MalformedCause)] = &[
        ("short app id", MalformedCause::Truncated),
        ("bad base64", MalformedCause::BadBase64),
        ("cut message", MalformedCause::Truncated),
        ("bytes after the message", MalformedCause::BadLayout),
    ];
    check_rows("006", rows, |id| {
        let t = match id {
            "short app id" => "006abc".to_owned(),
            "bad base64" => format!("006{}%%%%", app_id_and_body.get(..32).unwrap()),
            "cut message" => format!("006{}AAAA", app_id_and_body.get(..32).unwrap()),
            _ => {
                // Re-encode the body with two extra bytes after the message.
                use base64::Engine as _;
                let b64 = base64::engine::general_purpose::STANDARD;
                let (app_id, body) = app_id_and_body.split_at(32);
                let mut raw = b64.decode(body).unwrap();
                raw.extend_from_slice(&[0, 0]);
                format!("006{app_id}{}", b64.encode(raw))
            }
        };
        cause_of(&agora::decode(&t))
    });
}

#[test]
fn livekit_negative_vectors_by_cause() {
    use MalformedCause as C;
    let v = load("livekit/negative_vectors.json");
    let vectors = v["vectors"].as_array().unwrap();
    let rows: &[(&str, MalformedCause)] = &[
        ("alg_none", C::BadHeader),
        ("alg_none_with_sig", C::BadHeader),
        ("alg_hs512_same_secret", C::BadHeader),
        ("alg_hs384_same_secret", C::BadHeader),
        ("alg_lowercase_hs256", C::BadHeader),
        ("header_crit_unknown", C::BadHeader),
        ("malformed_base64_payload", C::BadBase64),
        ("malformed_base64_header", C::BadBase64),
        ("two_segments", C::BadLayout),
        ("four_segments", C::BadLayout),
        ("empty_token", C::Empty),
        ("leading_space", C::BadBase64),
        ("payload_not_object", C::BadJson),
        ("payload_invalid_json", C::BadJson),
        ("payload_invalid_utf8", C::BadJson),
        ("no_exp", C::BadClaims),
        ("no_iss", C::BadClaims),
        ("exp_as_string", C::BadClaims),
        ("exp_beyond_u64", C::BadClaims),
        ("nbf_as_string", C::BadClaims),
        ("iat_not_number", C::BadClaims),
        ("video_not_object", C::BadClaims),
        ("duplicate_iss_key", C::BadClaims),
    ];
    let case = |id: &str| {
        vectors
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no vector {id}"))
    };
    check_rows("livekit", rows, |id| {
        let c = case(id);
        let verifier = LiveKitVerifier::new(s(c, "api_key"), s(c, "api_secret")).unwrap();
        let now = c["verify_at_unix"].as_i64().unwrap();
        let got = cause_of(&verifier.verify_at(s(c, "token"), now))?;
        // The neutral layer reports the same cause, or, for a token it cannot even tell is a
        // JWT (empty, not three segments, a leading space), that no format matches.
        let neutral_want = match rtcmint::detect_format(s(c, "token")) {
            Some(_) => got,
            None => C::UnknownFormat,
        };
        let set = VerifierSet::new().with_livekit(verifier);
        match cause_of(&verify_any(s(c, "token"), &set, now)) {
            Ok(neutral) if neutral == neutral_want => Ok(got),
            other => Err(format!(
                "verify_any gave {other:?}, expected {neutral_want:?}"
            )),
        }
    });
    // Every vector the verifier refuses as malformed is in the table.
    for c in vectors {
        let id = s(c, "id");
        let verifier = LiveKitVerifier::new(s(c, "api_key"), s(c, "api_secret"));
        let Ok(verifier) = verifier else { continue };
        let got = verifier.verify_at(s(c, "token"), c["verify_at_unix"].as_i64().unwrap());
        if matches!(got, Err(Error::Malformed { .. })) {
            assert!(
                rows.iter().any(|(r, _)| *r == id),
                "{id} is malformed but not in the table"
            );
        }
    }
}

#[test]
fn zego_negative_vectors_by_cause() {
    use MalformedCause as C;
    let doc = load("zego/negative.json");
    let vectors = doc["vectors"].as_array().unwrap();
    let rows: &[(&str, MalformedCause)] = &[
        ("empty", C::Empty),
        ("prefix_only", C::Truncated),
        ("missing_prefix", C::BadVersion),
        ("prefix_05", C::BadVersion),
        ("prefix_03", C::BadVersion),
        ("b64_bad_char", C::BadBase64),
        ("b64_missing_padding", C::BadBase64),
        ("b64_urlsafe_alphabet", C::BadBase64),
        ("trailing_newline", C::BadBase64),
        ("truncated_string", C::Truncated),
        ("truncated_binary", C::Truncated),
        ("trailing_garbage", C::BadLayout),
        ("mode_byte_unknown", C::BadLayout),
        // 17 IV bytes are taken, so the ciphertext length is read from the wrong place.
        ("ivlen_17", C::Truncated),
        ("ctlen_too_long", C::Truncated),
        ("cbc_ct_not_block_multiple", C::BadLayout),
        ("cbc_mode_byte_1", C::BadLayout),
        ("gcm_mode_byte_removed", C::BadLayout),
        ("gcm_mode_byte_0", C::BadLayout),
        ("cbc_header_expire_plus_1d", C::Inconsistent),
        ("gcm_header_expire_plus_1d", C::Inconsistent),
        // Authenticated (GCM) plaintexts of the wrong shape; in CBC they stay opaque.
        ("pt_json_array", C::BadClaims),
        ("pt_missing_user_id", C::BadClaims),
        ("pt_app_id_string", C::BadClaims),
        ("pt_nonce_string", C::BadClaims),
        ("pt_expire_float", C::BadClaims),
        ("pt_payload_object", C::BadClaims),
    ];
    let case = |id: &str| {
        vectors
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no vector {id}"))
    };
    check_rows("zego", rows, |id| {
        let c = case(id);
        let verifier = ZegoVerifier::new(s(c, "server_secret")).unwrap();
        let got = cause_of(&verifier.verify_at(s(c, "token"), c["now_unix"].as_i64().unwrap()))?;
        // Reading only the container (no secret) gives the same cause for layout defects.
        if !matches!(got, C::Inconsistent | C::BadClaims) {
            let container = cause_of(&rtcmint::zego::decode_container(s(c, "token")))?;
            if container != got {
                return Err(format!("decode_container gave {container:?}"));
            }
        }
        Ok(got)
    });
    // Every vector refused as malformed is in the table.
    let mut missing = Vec::new();
    for c in vectors {
        let id = s(c, "id");
        let Ok(verifier) = ZegoVerifier::new(s(c, "server_secret")) else {
            continue;
        };
        let got = verifier.verify_at(s(c, "token"), c["now_unix"].as_i64().unwrap());
        if let Err(Error::Malformed { cause, .. }) = got
            && !rows.iter().any(|(r, _)| *r == id)
        {
            missing.push(format!("{id} ({cause:?})"));
        }
    }
    assert!(
        missing.is_empty(),
        "malformed but not in the table: {missing:?}"
    );
}

#[test]
fn unknown_format_and_the_cause_names() {
    let e = rtcmint::decode_any("hello", None).unwrap_err();
    assert!(matches!(
        e,
        Error::Malformed {
            vendor: None,
            cause: MalformedCause::UnknownFormat,
            ..
        }
    ));
    assert_eq!(
        e.malformed_cause().map(MalformedCause::as_str),
        Some("unknown_format")
    );
    // Other kinds of error have no malformed cause.
    let sig = Error::SignatureMismatch {
        vendor: Vendor::Agora,
    };
    assert_eq!(sig.malformed_cause(), None);
    assert_eq!(MalformedCause::BadBase64.to_string(), "bad_base64");
}
