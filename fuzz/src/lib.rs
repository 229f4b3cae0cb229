//! Shared helpers of the fuzz targets.

use rtcmint::zego::{MintInputs, Mode, Payload, ZegoMinter, ZegoVerifier};

/// The server secret and app id of the shared ZEGO vectors.
pub const ZEGO_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
/// The app id of most ZEGO vectors.
pub const ZEGO_APP_ID: u32 = 1_234_567_890;
/// The vectors' `now_unix`.
pub const ZEGO_NOW: i64 = 1_700_000_000;

/// The ZEGO token04 target body for one container mode.
///
/// * A UTF-8 input starting with `04` is a token: decode, verify, inspect must not panic; a token
///   that decodes is re-minted from its claims (same user id, payload, times, nonce, IV) and must
///   decode to the same claims.
/// * Any other input is mint material: `user_id NUL payload`; a successful mint must decode (with
///   the verifier, at the issue time) to exactly those inputs. This drives the claims JSON writer
///   and parser with arbitrary strings, which mutated ciphertext alone would never reach.
pub fn zego_target(mode: Mode, data: &[u8]) {
    let verifier = ZegoVerifier::new(ZEGO_SECRET).expect("valid secret");
    let minter = ZegoMinter::new(ZEGO_APP_ID, ZEGO_SECRET)
        .expect("valid credentials")
        .with_mode(mode)
        .with_max_user_id_len(usize::MAX);
    let iv: &[u8] = match mode {
        Mode::Cbc => b"0123456789abcdef",
        Mode::Gcm => b"0123456789ab",
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.starts_with("04") {
        let _ = rtcmint::zego::inspect(text);
        let _ = rtcmint::zego::detect_mode(text);
        let _ = verifier.verify_at(text, ZEGO_NOW);
        let Ok(d) = verifier.decode(text) else {
            return;
        };
        assert_eq!(d.authenticated, d.mode == Mode::Gcm);
        assert_eq!(d.expires_at, d.container.expire);
        let _ = serde_json_check::to_string(&d).expect("serialises");
        if d.mode != mode || d.claims.app_id != u64::from(ZEGO_APP_ID) {
            return;
        }
        let payload = Payload::Raw(d.claims.payload_str().to_owned());
        let Ok(iv) = hex_decode(&d.container.iv_hex) else {
            return;
        };
        let inputs = MintInputs::new(
            &d.claims.user_id,
            d.claims.ctime,
            d.claims.expire.wrapping_sub(d.claims.ctime),
            d.claims.nonce,
            &iv,
        )
        .payload(&payload);
        let mut again = String::new();
        if minter.mint_with(&inputs, &mut again).is_ok() {
            let back = verifier.decode(&again).expect("re-minted token decodes");
            assert_eq!(back.claims.user_id, d.claims.user_id);
            assert_eq!(back.claims.payload_str(), d.claims.payload_str());
            assert_eq!(
                (back.claims.nonce, back.claims.ctime, back.claims.expire),
                (d.claims.nonce, d.claims.ctime, d.claims.expire)
            );
        }
    } else {
        let (user_id, payload) = text.split_once('\0').unwrap_or((text, ""));
        let payload = Payload::Raw(payload.to_owned());
        let inputs = MintInputs::new(user_id, ZEGO_NOW, 3600, 123_456_789, iv).payload(&payload);
        let mut token = String::new();
        if minter.mint_with(&inputs, &mut token).is_ok() {
            let back = verifier
                .verify_at(&token, ZEGO_NOW)
                .expect("a minted token verifies");
            assert_eq!(back.mode, mode);
            assert_eq!(back.claims.user_id, user_id);
            assert_eq!(
                back.claims.payload_str(),
                match &payload {
                    Payload::Raw(p) => p.as_str(),
                    _ => unreachable!(),
                }
            );
            assert_eq!(back.claims.app_id, u64::from(ZEGO_APP_ID));
            assert_eq!(back.expires_at, ZEGO_NOW + 3600);
            assert!(rtcmint::decode_any(&token, Some(ZEGO_SECRET)).is_ok());
        }
    }
}

fn hex_decode(s: &str) -> Result<Vec<u8>, ()> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return Err(());
    }
    b.chunks(2)
        .map(|p| {
            let h = std::str::from_utf8(p).map_err(|_| ())?;
            u8::from_str_radix(h, 16).map_err(|_| ())
        })
        .collect()
}
