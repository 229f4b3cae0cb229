//! `POST /v1/rtc/webhooks/{vendor}`: the vendors' webhooks (LiveKit webhooks, Agora NCS, ZEGO
//! server callbacks) received, verified with [`crate::webhook`], de-duplicated and recorded in
//! the store; and the readers that answer room.get, participant.list and recording.get from
//! what they recorded.
//!
//! - **Configuration.** A vendor's endpoint is on when its webhook secret is configured:
//!   LiveKit `LIVEKIT_API_KEY` / `LIVEKIT_API_SECRET` (the key set of the tokens), Agora
//!   `AGORA_WEBHOOK_SECRET`, ZEGO `ZEGO_CALLBACK_SECRET` (each secret also as `NAME_FILE`), read
//!   with the other vendor settings ([`Vendors`](super::Vendors)). Otherwise the endpoint answers
//!   404 `webhook_not_configured`.
//! - **No bearer key.** The route sits outside the API-key layers: the vendor's signature is the
//!   authentication.
//! - **Verification.** The exact body bytes (read up to `webhook_body_limit`, never
//!   re-serialised) and the headers go to the vendor's verifier at the gateway clock. Agora's
//!   `notifyMs` and ZEGO's `timestamp` must be within `webhook_max_age` of it (ZEGO does not sign
//!   the body: the window and the nonce de-duplication bound replays).
//! - **Answers.** 200 `{"ok": true, "event_id", "duplicate"}` once the delivery is recorded
//!   (one store transaction: a 200 means it is kept; a store failure answers 503 so the vendor
//!   retries). 401 `webhook_signature_invalid` (missing or wrong proof, unknown key) and 401
//!   `webhook_expired` (token expired or not yet valid, timestamp outside the window), 400
//!   `webhook_malformed` (a proof or body that cannot be read) and 400 `body_too_large`; every
//!   error in the gateway's JSON shape, with the library's `reason`.
//! - **Duplicates.** The event id ([`Webhook::id`]; a SHA-256 of the body when the vendor sent
//!   none) is claimed in the store with the change it carries, atomically, and kept for the
//!   retention window (the idempotency TTL, at least `webhook_max_age` and 10 minutes): a
//!   redelivery, also to another instance or after a restart, is acknowledged with
//!   `"duplicate": true` and changes nothing.
//! - **Metrics.** `rtcmint_webhooks_total{vendor, outcome}` with outcome `ok`, `duplicate`,
//!   `bad_signature`, `expired`, `malformed`, `not_configured`, `error`.
//!
//! What is recorded: participants joining and leaving Agora channels and ZEGO rooms (ordered by
//! Agora's `clientSeq` / ZEGO's login and logout times, so a late event cannot undo a newer one),
//! rooms started and finished, and the status of recordings started through the gateway (LiveKit
//! egress, Agora Cloud Recording, ZEGO Cloud Recording events; a final status is never moved
//! back). LiveKit presence events and every event the library keeps as [`EventKind::Other`] are
//! acknowledged and only de-duplicated.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::too_large;
use super::ids::RoomId;
use super::store::{
    PresenceChange, PresenceEvent, RecordingChange, RecordingRecord, WebhookChange, WebhookDelivery,
};
use super::vendors::VendorConfigError;
use crate::secret::Secret;
use crate::vendor::Vendor;
use crate::webhook::{
    AgoraWebhookVerifier, Details, EventKind, Headers, LiveKitWebhookVerifier, RecordingState,
    Webhook, WebhookError, ZegoWebhookVerifier,
};

/// The webhook verifiers of the configured vendors.
#[derive(Debug, Default)]
pub struct Receivers {
    livekit: Option<LiveKitWebhookVerifier>,
    agora: Option<AgoraWebhookVerifier>,
    zego: Option<ZegoWebhookVerifier>,
}

impl Receivers {
    /// No vendor: every webhook answers 404 `webhook_not_configured`.
    #[must_use]
    pub fn none() -> Self {
        Receivers::default()
    }

    /// The verifiers of the secrets given: the LiveKit key pair (`LIVEKIT_API_KEY`,
    /// `LIVEKIT_API_SECRET`), `AGORA_WEBHOOK_SECRET`, `ZEGO_CALLBACK_SECRET`.
    pub(crate) fn from_secrets(
        livekit: Option<(String, Secret)>,
        agora: Option<Secret>,
        zego: Option<Secret>,
    ) -> Result<Self, VendorConfigError> {
        let bad = |what: &str| {
            let what = what.to_owned();
            move |e: crate::Error| VendorConfigError(format!("{what}: {e}"))
        };
        Ok(Receivers {
            livekit: livekit
                .map(|(k, s)| LiveKitWebhookVerifier::new(k, s))
                .transpose()
                .map_err(bad("LIVEKIT_API_KEY/LIVEKIT_API_SECRET"))?,
            agora: agora
                .map(AgoraWebhookVerifier::new)
                .transpose()
                .map_err(bad("AGORA_WEBHOOK_SECRET"))?,
            zego: zego
                .map(ZegoWebhookVerifier::new)
                .transpose()
                .map_err(bad("ZEGO_CALLBACK_SECRET"))?,
        })
    }

    /// Applies the gateway's settings: the Agora/ZEGO timestamp window and the body limit.
    #[must_use]
    pub(crate) fn configure(self, max_age: Duration, max_body: usize) -> Self {
        Receivers {
            livekit: self.livekit.map(|v| v.with_max_body(max_body)),
            agora: self
                .agora
                .map(|v| v.with_max_age(max_age).with_max_body(max_body)),
            zego: self
                .zego
                .map(|v| v.with_max_age(max_age).with_max_body(max_body)),
        }
    }

    /// Whether `vendor`'s endpoint is on.
    #[must_use]
    pub fn enabled(&self, vendor: Vendor) -> bool {
        match vendor {
            Vendor::LiveKit => self.livekit.is_some(),
            Vendor::Agora => self.agora.is_some(),
            Vendor::Zego => self.zego.is_some(),
        }
    }

    /// The vendors whose endpoint is on.
    #[must_use]
    pub fn vendors(&self) -> Vec<Vendor> {
        [Vendor::LiveKit, Vendor::Agora, Vendor::Zego]
            .into_iter()
            .filter(|v| self.enabled(*v))
            .collect()
    }

    fn verify(
        &self,
        vendor: Vendor,
        body: &[u8],
        headers: &HttpHeaders<'_>,
        now: i64,
    ) -> Option<Result<Webhook, WebhookError>> {
        Some(match vendor {
            Vendor::LiveKit => self.livekit.as_ref()?.verify_at(body, headers, now),
            Vendor::Agora => self.agora.as_ref()?.verify_at(body, headers, now),
            Vendor::Zego => self.zego.as_ref()?.verify_at(body, headers, now),
        })
    }
}

/// The request's header map as the verifiers read it.
struct HttpHeaders<'a>(&'a HeaderMap);

impl Headers for HttpHeaders<'_> {
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        self.0
            .get_all(name)
            .iter()
            .map(axum::http::HeaderValue::as_bytes)
            .collect()
    }
}

/// The variable that turns `vendor`'s endpoint on.
fn secret_variable(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::LiveKit => "LIVEKIT_API_KEY and LIVEKIT_API_SECRET",
        Vendor::Agora => "AGORA_WEBHOOK_SECRET",
        Vendor::Zego => "ZEGO_CALLBACK_SECRET",
    }
}

/// How long event ids are kept: the idempotency TTL, at least the timestamp window and 10
/// minutes (a LiveKit token lives 5 minutes plus a minute of leeway).
pub(crate) fn retention(state: &AppState) -> i64 {
    let c = &state.config;
    let d = c
        .idempotency_ttl
        .max(c.webhook_max_age)
        .max(Duration::from_secs(600));
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// A refused delivery: the gateway's error JSON, counted.
fn refuse(state: &AppState, vendor: Vendor, e: &WebhookError) -> Response {
    let (status, code, outcome) = match (e, e.kind()) {
        (WebhookError::TooLarge { max, .. }, _) => {
            state.metrics.webhook(vendor, "malformed");
            return too_large(*max).into_response();
        }
        (_, crate::ErrorKind::Signature) => (
            StatusCode::UNAUTHORIZED,
            "webhook_signature_invalid",
            "bad_signature",
        ),
        (_, crate::ErrorKind::Time) => (StatusCode::UNAUTHORIZED, "webhook_expired", "expired"),
        _ => (StatusCode::BAD_REQUEST, "webhook_malformed", "malformed"),
    };
    state.metrics.webhook(vendor, outcome);
    tracing::warn!(vendor = %vendor, reason = e.reason(), "webhook refused");
    let mut response = ApiError::new(status, code, e.to_string())
        .with("vendor", vendor.as_str())
        .with("reason", e.reason())
        .into_response();
    // The gateway's 401 names its bearer scheme; a webhook's proof is the vendor's signature.
    response.headers_mut().remove(header::WWW_AUTHENTICATE);
    response
}

/// `POST /v1/rtc/webhooks/{vendor}`.
pub(crate) async fn receive(
    State(state): State<Arc<AppState>>,
    Path(vendor): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let Ok(vendor) = vendor.parse::<Vendor>() else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "route_not_found",
            "no such webhook endpoint: the vendors are livekit, agora and zego",
        )
        .into_response();
    };
    let receivers = &state.vendors.webhooks;
    if !receivers.enabled(vendor) {
        state.metrics.webhook(vendor, "not_configured");
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "webhook_not_configured",
            format!(
                "{vendor} webhooks are not configured on this gateway (set {})",
                secret_variable(vendor)
            ),
        )
        .with("vendor", vendor.as_str())
        .into_response();
    }
    let limit = state.config.webhook_body_limit;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        state.metrics.webhook(vendor, "malformed");
        return too_large(limit).into_response();
    };
    let now = match state.now() {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    let hook = match receivers.verify(vendor, &bytes, &HttpHeaders(&headers), now) {
        Some(Ok(hook)) => hook,
        Some(Err(e)) => return refuse(&state, vendor, &e),
        None => return ApiError::internal("webhook verifier vanished").into_response(),
    };
    let event_id = hook.id.clone().unwrap_or_else(|| body_digest(&bytes));
    let delivery = WebhookDelivery {
        vendor,
        event_id: event_id.clone(),
        received_at: now,
        expires_at: now.saturating_add(retention(&state)),
        change: change_of(&hook, now),
    };
    match state.store.record_webhook(&delivery).await {
        Ok(fresh) => {
            state
                .metrics
                .webhook(vendor, if fresh { "ok" } else { "duplicate" });
            tracing::debug!(vendor = %vendor, event = %hook.name, duplicate = !fresh, "webhook recorded");
            Json(json!({"ok": true, "event_id": event_id, "duplicate": !fresh})).into_response()
        }
        Err(e) => {
            state.metrics.webhook(vendor, "error");
            tracing::error!(vendor = %vendor, error = %e, "cannot record a webhook");
            ApiError::from(e).into_response()
        }
    }
}

/// `sha256:<hex>` of the body: the event id of a delivery that names none (a retry resends the
/// same bytes).
fn body_digest(body: &[u8]) -> String {
    use sha2::Digest as _;
    let mut id = String::from("sha256:");
    crate::hex::push(&sha2::Sha256::digest(body), &mut id);
    id
}

/// The gateway's status word for a recording state; `None` when the event does not say.
fn status_word(state: RecordingState) -> Option<&'static str> {
    Some(match state {
        RecordingState::Starting => "starting",
        RecordingState::Active => "active",
        RecordingState::Ending => "stopping",
        RecordingState::Complete => "complete",
        RecordingState::Failed => "failed",
        _ => return None,
    })
}

/// What `hook` changes in the store.
fn change_of(hook: &Webhook, now: i64) -> WebhookChange {
    let at = hook.occurred_at_ms.map_or(now, |ms| ms.div_euclid(1000));
    match hook.kind {
        EventKind::RecordingStarted | EventKind::RecordingUpdated | EventKind::RecordingEnded => {
            let Some(rec) = hook.recording.as_ref().filter(|r| !r.id.is_empty()) else {
                return WebhookChange::Nothing;
            };
            let Some(status) = status_word(rec.state) else {
                return WebhookChange::Nothing;
            };
            WebhookChange::Recording(RecordingChange {
                vendor_recording_id: rec.id.clone(),
                status: status.to_owned(),
                output_uri: output_uri(hook),
                at,
            })
        }
        EventKind::RoomStarted
        | EventKind::RoomFinished
        | EventKind::ParticipantJoined
        | EventKind::ParticipantLeft
            if hook.vendor != Vendor::LiveKit =>
        {
            presence_of(hook, at).map_or(WebhookChange::Nothing, WebhookChange::Presence)
        }
        _ => WebhookChange::Nothing,
    }
}

/// A presence change of an Agora or ZEGO event (LiveKit has a live API for presence).
fn presence_of(hook: &Webhook, at: i64) -> Option<PresenceChange> {
    let room = hook.room.as_deref().filter(|r| !r.is_empty())?;
    let room_id = RoomId::new(hook.vendor, room).to_string();
    let occurred_ms = hook.occurred_at_ms.unwrap_or(at.saturating_mul(1000));
    // Agora: the user account when sent (what a string-identity token carries), else the uid;
    // order by clientSeq. ZEGO: the user id; order by login/logout time.
    let (identity, display_name, seq) = match &hook.details {
        Details::Agora(e) => (
            e.payload
                .account
                .clone()
                .or_else(|| hook.participant.clone()),
            None,
            e.payload.client_seq.unwrap_or(occurred_ms),
        ),
        Details::Zego(e) => {
            let text = |k: &str| {
                e.fields.get(k).and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
            };
            let seq = text("login_time")
                .or_else(|| text("logout_time"))
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or(occurred_ms);
            (
                hook.participant.clone(),
                text("user_nickname").filter(|n| !n.is_empty()),
                seq,
            )
        }
        _ => return None,
    };
    let event = match hook.kind {
        EventKind::RoomStarted => PresenceEvent::RoomStarted,
        EventKind::RoomFinished => PresenceEvent::RoomFinished,
        EventKind::ParticipantJoined => PresenceEvent::Joined {
            identity: identity.filter(|i| !i.is_empty())?,
            display_name,
            seq,
        },
        EventKind::ParticipantLeft => PresenceEvent::Left {
            identity: identity.filter(|i| !i.is_empty())?,
            seq,
        },
        _ => return None,
    };
    Some(PresenceChange { room_id, at, event })
}

/// Where a LiveKit egress wrote its file, read from the verified body
/// (`egressInfo.fileResults[0].location`, else `egressInfo.file.location`).
fn output_uri(hook: &Webhook) -> Option<String> {
    if hook.vendor != Vendor::LiveKit {
        return None;
    }
    let body: Value = serde_json::from_str(hook.raw()).ok()?;
    let info = body.get("egressInfo").or_else(|| body.get("egress_info"))?;
    let first = info
        .get("fileResults")
        .or_else(|| info.get("file_results"))
        .and_then(|r| r.get(0))
        .or_else(|| info.get("file"))?;
    first
        .get("location")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Readers: room.get, room.list, participant.list, recording.get/stop

/// Where occupancy and participants come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Source {
    /// Webhooks when the vendor's endpoint is on and the store has heard of the room, else
    /// the vendor's API.
    Auto,
    /// The store only.
    Webhooks,
    /// The vendor's API only.
    VendorApi,
}

/// What the webhooks say about a room: `Some((occupancy, as_of))` when they may answer.
pub(crate) async fn presence(
    state: &AppState,
    vendor: Vendor,
    room_id: &str,
    source: Source,
) -> ApiResult<Option<(u32, i64)>> {
    if source == Source::VendorApi
        || vendor == Vendor::LiveKit
        || !state.vendors.webhooks.enabled(vendor)
    {
        return Ok(None);
    }
    Ok(state
        .store
        .room_presence(room_id)
        .await?
        .map(|p| (p.occupancy, p.as_of)))
}

/// participant.list from the webhooks, when they may answer (as [`presence`]).
pub(crate) async fn participant_page(
    state: &AppState,
    id: &RoomId,
    room_id: &str,
    source: Source,
    cursor: Option<&str>,
    limit: u32,
) -> ApiResult<Option<Value>> {
    let Some((_, as_of)) = presence(state, id.vendor, room_id, source).await? else {
        return Ok(None);
    };
    let mut page = state
        .store
        .list_participants(room_id, cursor, limit.saturating_add(1))
        .await?;
    let next_cursor = if page.len() > limit as usize {
        page.truncate(limit as usize);
        page.last().map(|p| p.identity.clone())
    } else {
        None
    };
    let items: Vec<Value> = page
        .iter()
        .map(|p| json!({"identity": p.identity, "display_name": p.display_name, "joined_at": p.joined_at}))
        .collect();
    Ok(Some(json!({
        "items": items,
        "next_cursor": next_cursor,
        "source": "webhooks",
        "as_of": as_of,
    })))
}

/// The answer of a stored recording.
fn stored_json(rec: &RecordingRecord) -> Value {
    json!({
        "recording": rec.id,
        "room": (!rec.room_id.is_empty()).then_some(rec.room_id.as_str()),
        "vendor": rec.vendor.as_str(),
        "status": rec.status,
        "output_uri": rec.output_uri,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "status_source": if rec.webhook_at.is_some() { "webhooks" } else { "gateway" },
        "status_at": rec.webhook_at.unwrap_or(rec.updated_at),
    })
}

/// `GET /v1/rtc/recording/get/{recording}`: the stored record (no vendor call).
pub(crate) async fn recording_get(
    State(state): State<Arc<AppState>>,
    Path(recording): Path<String>,
) -> ApiResult<Json<Value>> {
    super::ids::parse_recording_id(&recording).map_err(|e| ApiError::field("recording", e))?;
    let rec = state
        .store
        .get_recording(&recording)
        .await?
        .ok_or_else(|| ApiError::not_found("recording", &recording))?;
    Ok(Json(stored_json(&rec)))
}

/// For a stop the vendor refused: the stored record when a webhook already reported the
/// recording finished (so stopping it twice is not an error).
pub(crate) async fn ended_by_webhook(state: &AppState, id: &str) -> Option<Value> {
    let rec = state.store.get_recording(id).await.ok().flatten()?;
    let ended = rec.webhook_at.is_some()
        && super::store::FINAL_RECORDING_STATUSES.contains(&rec.status.as_str());
    ended.then(|| stored_json(&rec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_digests_are_prefixed_hex() {
        let d = body_digest(b"abc");
        assert_eq!(
            d,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(status_word(RecordingState::Ending), Some("stopping"));
        assert_eq!(status_word(RecordingState::Unknown), None);
    }
}
