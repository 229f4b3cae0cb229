//! [`ZegoMinter`]: mints token04 with a pre-expanded AES key.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::b64::{STANDARD, encode_append};
use aes::Aes256Enc;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{Array, BlockModeEncrypt as _, InnerIvInit as _};
use aes_gcm::AeadInOut as _;

use super::key::{Schedules, ZegoKey, scrub_stack};
use super::payload::{Payload, PrivilegePayload, write_privilege};
use super::verify::ZegoVerifier;
use super::{CBC_IV_LEN, GCM_NONCE_LEN, GCM_TAG_LEN, MAX_CIPHERTEXT_LEN, MAX_USER_ID_LEN, Mode};
use super::{VERSION, claims::write_claims};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::minter::{MintedToken, TokenMinter, TokenRequest, TokenTimes};
use crate::random::{RandomSource, ThreadRandom};
use crate::secret::Secret;
use crate::vendor::Vendor;

/// The explicit inputs of one token: everything a token depends on besides the credentials and the
/// mode. With these pinned, minting is deterministic (this is how the vendor vectors are
/// reproduced). Built with [`MintInputs::new`] and the builder methods.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MintInputs<'a> {
    /// The user id (`loginRoom` user id).
    pub user_id: &'a str,
    /// The payload claim.
    pub payload: &'a Payload,
    /// Creation time `ctime`, Unix seconds.
    pub issued_at: i64,
    /// Lifetime in seconds (ZEGO's `effective_time_in_seconds`); must be positive.
    pub effective_time_secs: i64,
    /// The JSON `nonce` claim; `None` draws it from the minter's random source.
    pub nonce: Option<i64>,
    /// The CBC IV (16 bytes) or GCM nonce (12 bytes), matching the minter's mode; `None` draws it
    /// from the minter's random source.
    pub iv: Option<&'a [u8]>,
}

static IDENTITY: Payload = Payload::Identity;

impl<'a> MintInputs<'a> {
    /// Inputs for an identity token (payload `""`); set a payload with [`MintInputs::payload`].
    #[must_use]
    pub fn new(
        user_id: &'a str,
        issued_at: i64,
        effective_time_secs: i64,
        nonce: i64,
        iv: &'a [u8],
    ) -> Self {
        MintInputs {
            user_id,
            payload: &IDENTITY,
            issued_at,
            effective_time_secs,
            nonce: Some(nonce),
            iv: Some(iv),
        }
    }

    /// Inputs with the time pinned and the `nonce` claim and IV drawn from the minter's random
    /// source (pin either with [`MintInputs::nonce`] / [`MintInputs::iv`]).
    #[must_use]
    pub fn drawn(user_id: &'a str, issued_at: i64, effective_time_secs: i64) -> Self {
        MintInputs {
            user_id,
            payload: &IDENTITY,
            issued_at,
            effective_time_secs,
            nonce: None,
            iv: None,
        }
    }

    /// Pins the `nonce` claim.
    #[must_use]
    pub fn nonce(mut self, nonce: i64) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Pins the IV / GCM nonce.
    #[must_use]
    pub fn iv(mut self, iv: &'a [u8]) -> Self {
        self.iv = Some(iv);
        self
    }

    /// Sets the payload claim.
    #[must_use]
    pub fn payload(mut self, payload: &'a Payload) -> Self {
        self.payload = payload;
        self
    }
}

/// The payload in borrowed form, so the neutral request needs no intermediate allocation.
#[derive(Clone, Copy)]
enum PayloadRef<'a> {
    Empty,
    Privilege {
        room_id: &'a str,
        login_room: bool,
        publish_stream: bool,
        stream_id_list: Option<&'a [String]>,
    },
    Text(&'a str),
}

impl<'a> PayloadRef<'a> {
    fn of(p: &'a Payload) -> Self {
        match p {
            Payload::Identity => PayloadRef::Empty,
            Payload::Privilege(PrivilegePayload {
                room_id,
                login_room,
                publish_stream,
                stream_id_list,
            }) => PayloadRef::Privilege {
                room_id,
                login_room: *login_room,
                publish_stream: *publish_stream,
                stream_id_list: stream_id_list.as_deref(),
            },
            Payload::Raw(s) => PayloadRef::Text(s),
        }
    }
}

/// Per-thread scratch buffers: the payload JSON and the container being built. Reused across
/// tokens, so minting allocates nothing in steady state.
#[derive(Default)]
struct Scratch {
    payload: Vec<u8>,
    container: Vec<u8>,
}

/// Buffers above this capacity are released after use, so one huge token does not pin memory.
const SCRATCH_KEEP: usize = 16 * 1024;

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch { payload: Vec::new(), container: Vec::new() })
    };
}

/// Mints ZEGOCLOUD token04 for one `(app_id, server secret)`.
///
/// Built once per credential set: the AES-256 key schedule (and the GCM hash key) are expanded in
/// [`ZegoMinter::new`], and minting takes `&self`, so one minter serves every thread. The IV /
/// nonce (raw random bytes) and the `nonce` claim (a random non-negative 31-bit integer) come from
/// the [`RandomSource`] (default [`ThreadRandom`], the thread-local CSPRNG), and the time from the
/// [`Clock`] (default [`SystemClock`]).
///
/// The mode defaults to [`Mode::Cbc`], the one every public official generator emits; switch with
/// [`ZegoMinter::with_mode`] (see the [module docs](super) for the trade-off).
///
/// # [`TokenMinter`] mapping
///
/// | neutral field | token04 |
/// |---|---|
/// | `identity` | `user_id` (non-empty, at most 64 bytes by default) |
/// | `ttl` | `expire = ctime + ttl` (whole seconds, ≥ 1) |
/// | `issued_at` / clock | `ctime` |
/// | `room = Some(r)` | privilege payload `{"room_id":r,"privilege":{"1":1,"2":can_publish},"stream_id_list":null}` |
/// | `room = None`, `can_publish = true` | identity token (payload `""`): no room or publish restriction |
/// | `room = None`, `can_publish = false` | privilege payload with `room_id ""` (any room) and `"2":0` |
/// | `can_publish_data = true`, `can_subscribe = true` | nothing to write: token04 does not restrict them |
///
/// Refused with [`Error::Unsupported`] (token04 has no place for them): `display_name` (pass the
/// user name to `loginRoom` instead), `metadata`, `is_admin = true`, `can_subscribe = false` and
/// `can_publish_data = false`. The privilege payload is only enforced once ZEGO support enables
/// the privilege check for the AppID.
pub struct ZegoMinter {
    app_id: u32,
    key: ZegoKey,
    keys: Box<Schedules<Aes256Enc>>,
    mode: Mode,
    max_user_id_len: usize,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
}

impl fmt::Debug for ZegoMinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZegoMinter")
            .field("app_id", &self.app_id)
            .field("mode", &self.mode)
            .field("max_user_id_len", &self.max_user_id_len)
            .field("clock", &self.clock)
            .field("random", &self.random)
            .finish_non_exhaustive()
    }
}

impl ZegoMinter {
    /// A minter for `app_id` (the console AppID) and the 32-character ServerSecret.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when `app_id` is 0 or the secret is not exactly 32 ASCII
    /// characters.
    pub fn new(app_id: u32, server_secret: impl Into<Secret>) -> Result<Self> {
        if app_id == 0 {
            return Err(Error::credentials(
                Vendor::Zego,
                "app id",
                "must be the non-zero AppID from the ZEGO console, got 0",
            ));
        }
        let key = ZegoKey::new(&server_secret.into())?;
        let keys = Schedules::new(&key);
        Ok(ZegoMinter {
            app_id,
            key,
            keys,
            mode: Mode::default(),
            max_user_id_len: MAX_USER_ID_LEN,
            clock: Arc::new(SystemClock),
            random: Arc::new(ThreadRandom),
        })
    }

    crate::clock::with_clock!("Uses `clock` for the issue time.");

    crate::random::with_random!("Uses `random` for the IV / GCM nonce and the `nonce` claim.");

    /// Selects the container mode ([`Mode::Cbc`] by default).
    #[must_use]
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Changes the `user_id` length limit (default [`MAX_USER_ID_LEN`] = 64 bytes, the SDK/server
    /// limit for RTC). Raise it only for products with other limits or to reproduce vectors with
    /// longer ids; an empty `user_id` is always refused.
    #[must_use]
    pub fn with_max_user_id_len(mut self, max_bytes: usize) -> Self {
        self.max_user_id_len = max_bytes;
        self
    }

    /// The AppID.
    #[must_use]
    pub fn app_id(&self) -> u32 {
        self.app_id
    }

    /// The container mode this minter emits.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// A verifier for tokens of the same secret (and app id).
    #[must_use]
    pub fn verifier(&self) -> ZegoVerifier {
        ZegoVerifier::from_key(&self.key)
            .with_expected_app_id(self.app_id)
            .with_clock(Arc::clone(&self.clock))
    }

    /// Mints a token for `user_id` valid for `ttl` (whole seconds) from now, reading the clock
    /// and the random source.
    ///
    /// # Errors
    /// As [`ZegoMinter::token_into`].
    pub fn token(&self, user_id: &str, ttl: Duration, payload: &Payload) -> Result<MintedToken> {
        let mut out = String::new();
        let times = self.token_into(user_id, ttl, payload, &mut out)?;
        Ok(MintedToken::new(out, times))
    }

    /// Appends a token for `user_id` valid for `ttl` (whole seconds) from now to `out` and returns
    /// its times. Allocates nothing in steady state when `out` has room (scratch buffers are
    /// thread-local and reused). On error `out` is left as it was.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty or too long `user_id`, a lifetime under one second
    /// or overflowing, or a token whose ciphertext would exceed 65535 bytes; [`Error::Clock`] when
    /// the clock fails.
    pub fn token_into(
        &self,
        user_id: &str,
        ttl: Duration,
        payload: &Payload,
        out: &mut String,
    ) -> Result<TokenTimes> {
        let ttl = ttl_secs(ttl)?;
        let now = self.clock.now()?;
        let (nonce, iv) = self.draw();
        self.encode_parts(
            user_id,
            PayloadRef::of(payload),
            now,
            ttl,
            nonce,
            drawn_iv(self.mode, &iv),
            out,
        )
    }

    /// Mints a token from explicit inputs (see [`MintInputs`]).
    ///
    /// # Errors
    /// As [`ZegoMinter::encode_into`].
    pub fn encode(&self, inputs: &MintInputs<'_>) -> Result<MintedToken> {
        let mut out = String::new();
        let times = self.encode_into(inputs, &mut out)?;
        Ok(MintedToken::new(out, times))
    }

    /// Appends a token built from explicit inputs to `out` and returns its times. With the nonce
    /// and IV pinned it is deterministic: this is the path the vendor vectors use; what is not
    /// pinned comes from the minter's random source.
    ///
    /// # Errors
    /// As [`ZegoMinter::token_into`] (a non-positive `effective_time_secs` is refused), plus
    /// [`Error::InvalidRequest`] (field `iv`) when the IV length does not match the mode (16 for
    /// CBC, 12 for GCM).
    pub fn encode_into(&self, inputs: &MintInputs<'_>, out: &mut String) -> Result<TokenTimes> {
        let (drawn_nonce, drawn_iv) = match (inputs.nonce, inputs.iv) {
            (Some(_), Some(_)) => (0, [0; 16]),
            _ => self.draw(),
        };
        let drawn_iv = self::drawn_iv(self.mode, &drawn_iv);
        self.encode_parts(
            inputs.user_id,
            PayloadRef::of(inputs.payload),
            inputs.issued_at,
            inputs.effective_time_secs,
            inputs.nonce.unwrap_or(drawn_nonce),
            inputs.iv.unwrap_or(drawn_iv),
            out,
        )
    }

    /// A random non-negative 31-bit `nonce` claim and 16 random IV bytes, in one draw.
    fn draw(&self) -> (i64, [u8; 16]) {
        let mut bytes = [0u8; 20];
        self.random.fill(&mut bytes);
        let [n0, n1, n2, n3, iv @ ..] = bytes;
        (i64::from(u32::from_le_bytes([n0, n1, n2, n3]) >> 1), iv)
    }

    #[allow(clippy::too_many_arguments)]
    fn encode_parts(
        &self,
        user_id: &str,
        payload: PayloadRef<'_>,
        issued_at: i64,
        effective_time_secs: i64,
        nonce: i64,
        iv: &[u8],
        out: &mut String,
    ) -> Result<TokenTimes> {
        if user_id.is_empty() {
            return Err(Error::request(
                Vendor::Zego,
                "user_id",
                "must not be empty (it must equal the userID passed to loginRoom)",
            ));
        }
        if user_id.len() > self.max_user_id_len {
            return Err(Error::request(
                Vendor::Zego,
                "user_id",
                format!(
                    "is {} bytes; ZEGO allows at most {} bytes (UTF-8)",
                    user_id.len(),
                    self.max_user_id_len
                ),
            ));
        }
        if effective_time_secs <= 0 {
            return Err(Error::request(
                Vendor::Zego,
                "effective_time_secs",
                format!(
                    "must be a positive number of seconds, got {effective_time_secs} (0 or less would be an already-expired token)"
                ),
            ));
        }
        let expire = issued_at.checked_add(effective_time_secs).ok_or_else(|| {
            Error::request(
                Vendor::Zego,
                "effective_time_secs",
                "issue time + lifetime overflows a 64-bit Unix time",
            )
        })?;
        if let PayloadRef::Text(text) = payload {
            // What the decoder refuses is not minted (identity and typed payloads cannot repeat
            // a key).
            super::payload::refuse_duplicate_keys_in_request(text)?;
        }
        if iv.len() != self.mode.iv_len() {
            return Err(Error::request(
                Vendor::Zego,
                "iv",
                format!(
                    "{} needs a {}-byte IV/nonce, got {} bytes",
                    self.mode,
                    self.mode.iv_len(),
                    iv.len()
                ),
            ));
        }
        let mut with_scratch =
            |s: &mut Scratch| self.build(s, user_id, payload, issued_at, expire, nonce, iv, out);
        let result = SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => {
                let r = with_scratch(&mut s);
                if s.container.capacity() > SCRATCH_KEEP {
                    s.container = Vec::new();
                }
                if s.payload.capacity() > SCRATCH_KEEP {
                    s.payload = Vec::new();
                }
                r
            }
            // Re-entered from inside a mint (a custom clock or random source that mints): use
            // fresh buffers rather than fail.
            Err(_) => with_scratch(&mut Scratch::default()),
        });
        result.map(|()| TokenTimes::new(issued_at, expire))
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        scratch: &mut Scratch,
        user_id: &str,
        payload: PayloadRef<'_>,
        issued_at: i64,
        expire: i64,
        nonce: i64,
        iv: &[u8],
        out: &mut String,
    ) -> Result<()> {
        let Scratch {
            payload: pbuf,
            container: buf,
        } = scratch;
        let payload_bytes: &[u8] = match payload {
            PayloadRef::Empty => b"",
            PayloadRef::Text(s) => s.as_bytes(),
            PayloadRef::Privilege {
                room_id,
                login_room,
                publish_stream,
                stream_id_list,
            } => {
                pbuf.clear();
                write_privilege(pbuf, room_id, login_room, publish_stream, stream_id_list);
                pbuf
            }
        };

        buf.clear();
        buf.extend_from_slice(&expire.to_be_bytes());
        // iv.len() is 12 or 16 (checked by the caller), so the cast is exact.
        buf.extend_from_slice(&(iv.len() as u16).to_be_bytes());
        buf.extend_from_slice(iv);
        let ctlen_at = buf.len();
        buf.extend_from_slice(&[0, 0]);
        let pt_at = buf.len();
        write_claims(
            buf,
            self.app_id,
            user_id,
            nonce,
            issued_at,
            expire,
            payload_bytes,
        );
        let pt_len = buf.len() - pt_at;
        let ct_len = match self.mode {
            Mode::Cbc => (pt_len / 16 + 1) * 16,
            Mode::Gcm => pt_len + GCM_TAG_LEN,
        };
        if ct_len > MAX_CIPHERTEXT_LEN {
            return Err(Error::request(
                Vendor::Zego,
                "payload",
                format!(
                    "the token would carry {ct_len} bytes of ciphertext, more than the 65535 its 16-bit length field can describe; shorten the payload or user_id"
                ),
            ));
        }
        let internal = || Error::Internal {
            what: "ZEGO encryption with checked lengths failed",
        };
        match self.mode {
            Mode::Cbc => {
                let iv: [u8; CBC_IV_LEN] = iv.try_into().map_err(|_| internal())?;
                buf.resize(pt_at + ct_len, 0);
                let region = buf.get_mut(pt_at..).ok_or_else(internal)?;
                let enc =
                    cbc::Encryptor::<&Aes256Enc>::inner_iv_init(&self.keys.cbc, &Array::from(iv));
                let written = enc.encrypt_padded::<Pkcs7>(region, pt_len).map(<[u8]>::len);
                scrub_stack();
                let written = written.map_err(|_| internal())?;
                if written != ct_len {
                    return Err(internal());
                }
            }
            Mode::Gcm => {
                let nonce: [u8; GCM_NONCE_LEN] = iv.try_into().map_err(|_| internal())?;
                let region = buf.get_mut(pt_at..).ok_or_else(internal)?;
                let tag =
                    self.keys
                        .gcm
                        .encrypt_inout_detached(&Array::from(nonce), &[], region.into());
                scrub_stack();
                let tag = tag.map_err(|_| internal())?;
                buf.extend_from_slice(&tag);
                buf.push(1);
            }
        }
        // ct_len <= 65535 was checked above.
        let ct16 = u16::try_from(ct_len).map_err(|_| internal())?;
        if let Some(slot) = buf.get_mut(ctlen_at..ctlen_at + 2) {
            slot.copy_from_slice(&ct16.to_be_bytes());
        }
        out.reserve(VERSION.len() + buf.len().div_ceil(3) * 4);
        out.push_str(VERSION);
        encode_append(&*STANDARD, buf, out);
        Ok(())
    }
}

/// Maps the neutral request's permissions onto the payload (see [`ZegoMinter`]'s table).
fn neutral_payload(request: &TokenRequest) -> Result<PayloadRef<'_>> {
    let unsupported =
        |field: &'static str, why: &'static str| Err(Error::unsupported(Vendor::Zego, field, why));
    if request.display_name.is_some() {
        return unsupported(
            "display_name",
            "token04 has no display name; pass the user name to loginRoom (ZegoUser.userName) instead",
        );
    }
    if request.metadata.is_some() {
        return unsupported(
            "metadata",
            "token04 has no participant metadata; use room extra info or stream extra info instead",
        );
    }
    if request.is_admin {
        return unsupported(
            "is_admin",
            "token04 has no administrator privilege (only loginRoom and publishStream)",
        );
    }
    if !request.can_subscribe {
        return unsupported(
            "can_subscribe",
            "token04 cannot forbid playing streams (its privileges are loginRoom and publishStream only)",
        );
    }
    if !request.can_publish_data {
        return unsupported(
            "can_publish_data",
            "token04 cannot forbid data messages (its privileges are loginRoom and publishStream only)",
        );
    }
    Ok(match (&request.room, request.can_publish) {
        (None, true) => PayloadRef::Empty,
        (Some(room), publish) => PayloadRef::Privilege {
            room_id: room,
            login_room: true,
            publish_stream: publish,
            stream_id_list: None,
        },
        (None, false) => PayloadRef::Privilege {
            room_id: "",
            login_room: true,
            publish_stream: false,
            stream_id_list: None,
        },
    })
}

/// A lifetime in whole seconds, at least one.
/// The part of a 16-byte random draw that `mode` uses: all of it as the CBC IV, the first 12
/// bytes as the GCM nonce.
fn drawn_iv(mode: Mode, iv: &[u8; 16]) -> &[u8] {
    match mode {
        Mode::Cbc => iv,
        Mode::Gcm => {
            let [nonce @ .., _, _, _, _] = iv;
            nonce
        }
    }
}

fn ttl_secs(ttl: Duration) -> Result<i64> {
    match i64::try_from(ttl.as_secs()) {
        Ok(0) => Err(Error::request(
            Vendor::Zego,
            "ttl",
            "must be at least 1 second (0 would be an already-expired token)",
        )),
        Ok(s) => Ok(s),
        Err(_) => Err(Error::request(
            Vendor::Zego,
            "ttl",
            "is too large for a token04 expiry",
        )),
    }
}

impl TokenMinter for ZegoMinter {
    fn vendor(&self) -> Vendor {
        Vendor::Zego
    }

    /// See the mapping table on [`ZegoMinter`].
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a field token04 cannot express, [`Error::InvalidRequest`] as
    /// [`ZegoMinter::token_into`], [`Error::Clock`].
    fn mint_into(&self, request: &TokenRequest, out: &mut String) -> Result<TokenTimes> {
        let payload = neutral_payload(request)?;
        let ttl = request.ttl_secs(Vendor::Zego)?;
        let ttl = i64::try_from(ttl).map_err(|_| {
            Error::request(Vendor::Zego, "ttl", "is too large for a token04 expiry")
        })?;
        let now = request.resolve_issued_at(self.clock.as_ref())?;
        let (nonce, iv) = self.draw();
        self.encode_parts(
            &request.identity,
            payload,
            now,
            ttl,
            nonce,
            drawn_iv(self.mode, &iv),
            out,
        )
    }
}
