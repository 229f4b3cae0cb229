//! The README example of `docs/zego-readme-section.md`, kept compiling and passing.

use rtcmint::zego::{self, Mode, Payload, PrivilegePayload, ZegoMinter};
use rtcmint::{TokenMinter, TokenRequest};

fn readme_main() -> Result<(), rtcmint::Error> {
    let minter = ZegoMinter::new(1234567890, "fa94dd0f974cf2e293728a526b028271")?;

    // Vendor-neutral: room -> privilege payload room_id, can_publish -> publishStream.
    let issued = minter.mint(&TokenRequest::new("user1").room("room1"))?;

    // Vendor-specific: a GCM privilege token, appended to a reused buffer.
    let gcm = ZegoMinter::new(1234567890, "fa94dd0f974cf2e293728a526b028271")?.with_mode(Mode::Gcm);
    let payload = Payload::Privilege(
        PrivilegePayload::new("room1")
            .publish_stream(true)
            .stream_ids(["stream1"]),
    );
    let mut buf = String::new();
    gcm.token_into(
        "user1",
        std::time::Duration::from_secs(3600),
        &payload,
        &mut buf,
    )?;

    // Without the secret: which container is it?
    assert_eq!(zego::detect_mode(&buf), Some(Mode::Gcm));

    // With the secret: decrypt, check structure, tag and expiry.
    let decoded = zego::ZegoVerifier::new("fa94dd0f974cf2e293728a526b028271")
        .and_then(|v| v.verify_at(&issued.token, issued.issued_at))?;
    assert_eq!(decoded.claims.user_id, "user1");
    assert_eq!(
        decoded.privilege.map(|p| p.room_id),
        Some("room1".to_string())
    );
    Ok(())
}

#[test]
fn readme_example_runs() {
    assert!(readme_main().is_ok());
}
