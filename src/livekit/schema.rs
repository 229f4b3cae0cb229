//! The keys LiveKit claims may hold ([`Shape`]s), for refusing unknown keys in minter input and
//! listing them when decoding.

use crate::fields::{Field, Shape};

static VIDEO: Shape = Shape::Object(&[
    Field::leaf("roomCreate"),
    Field::leaf("roomList"),
    Field::leaf("roomRecord"),
    Field::leaf("roomAdmin"),
    Field::leaf("roomJoin"),
    Field::leaf("room"),
    Field::leaf("destinationRoom"),
    Field::leaf("canPublish"),
    Field::leaf("canSubscribe"),
    Field::leaf("canPublishData"),
    Field::leaf("canPublishSources"),
    Field::leaf("canUpdateOwnMetadata"),
    Field::leaf("ingressAdmin"),
    Field::leaf("hidden"),
    Field::leaf("recorder"),
    Field::leaf("agent"),
    Field::leaf("canSubscribeMetrics"),
    Field::leaf("canManageAgentSession"),
]);

static SIP: Shape = Shape::Object(&[Field::leaf("admin"), Field::leaf("call")]);

static AGENT: Shape = Shape::Object(&[
    Field::leaf("admin"),
    Field::leaf("simulationAdmin"),
    Field::leaf("databaseAdmin"),
    Field::leaf("dispatchAdmin"),
]);

static AGENT_ENDPOINT: Shape = Shape::Object(&[
    Field::leaf("call"),
    Field::leaf("agentName"),
    Field::leaf("deployment"),
]);

static AGENT_THREAD: Shape = Shape::Object(&[
    Field::leaf("all"),
    Field::leaf("scope"),
    Field::leaf("threadIds"),
    Field::leaf("list"),
    Field::leaf("create"),
    Field::leaf("write"),
    Field::leaf("read"),
    Field::leaf("delete"),
]);

static INFERENCE: Shape = Shape::Object(&[Field::leaf("perform")]);

static OBSERVABILITY: Shape = Shape::Object(&[Field::leaf("write")]);

/// `RoomAgentDispatch` in proto3 JSON (lowerCamel or proto field names).
pub(crate) static AGENT_DISPATCH: Shape = Shape::Object(&[
    Field::proto("agentName", "agent_name"),
    Field::leaf("metadata"),
    Field::proto("restartPolicy", "restart_policy"),
    Field::leaf("deployment"),
    Field::nested("attributes", None, &Shape::StringMap),
]);

static AGENTS: Shape = Shape::Array(&AGENT_DISPATCH);

/// `RoomEgress`: the three egress messages are kept verbatim.
static EGRESS: Shape = Shape::Object(&[
    Field::nested("room", None, &Shape::Raw),
    Field::nested("participant", None, &Shape::Raw),
    Field::nested("tracks", None, &Shape::Raw),
]);

/// `RoomConfiguration` in proto3 JSON (lowerCamel or proto field names).
pub(crate) static ROOM_CONFIG: Shape = Shape::Object(&[
    Field::leaf("name"),
    Field::proto("emptyTimeout", "empty_timeout"),
    Field::proto("departureTimeout", "departure_timeout"),
    Field::proto("maxParticipants", "max_participants"),
    Field::nested("egress", None, &EGRESS),
    Field::proto("minPlayoutDelay", "min_playout_delay"),
    Field::proto("maxPlayoutDelay", "max_playout_delay"),
    Field::proto("syncStreams", "sync_streams"),
    Field::nested("agents", None, &AGENTS),
    Field::leaf("metadata"),
    Field::nested("tags", None, &Shape::StringMap),
]);

/// The registered claims (and `sub`): refused in grant JSON, where their own clearer error
/// fires, and known to decoders.
const REGISTERED: [Field; 5] = [
    Field::leaf("iss"),
    Field::leaf("nbf"),
    Field::leaf("exp"),
    Field::leaf("iat"),
    Field::leaf("sub"),
];

/// What decoders also know: `jti`, `aud`, and Go's duplicate `identity`.
const DECODER_ONLY: [Field; 3] = [
    Field::leaf("jti"),
    Field::leaf("aud"),
    Field::leaf("identity"),
];

/// The grant claims.
const GRANTS: [Field; 15] = [
    Field::leaf("name"),
    Field::leaf("kind"),
    Field::leaf("kindDetails"),
    Field::nested("video", None, &VIDEO),
    Field::nested("sip", None, &SIP),
    Field::nested("agent", None, &AGENT),
    Field::nested("agentEndpoint", None, &AGENT_ENDPOINT),
    Field::nested("agentThread", None, &AGENT_THREAD),
    Field::nested("inference", None, &INFERENCE),
    Field::nested("observability", None, &OBSERVABILITY),
    Field::leaf("sha256"),
    Field::leaf("metadata"),
    Field::nested("attributes", None, &Shape::StringMap),
    Field::leaf("roomPreset"),
    Field::nested("roomConfig", None, &ROOM_CONFIG),
];

/// `parts` one after the other (evaluated at compile time: a wrong `N` does not compile).
#[allow(clippy::indexing_slicing)]
const fn concat<const N: usize>(parts: &[&[Field]]) -> [Field; N] {
    let mut out = [Field::leaf(""); N];
    let mut n = 0;
    let mut rest = parts;
    while let [part, more @ ..] = rest {
        let mut fields = *part;
        while let [field, tail @ ..] = fields {
            out[n] = *field;
            n += 1;
            fields = tail;
        }
        rest = more;
    }
    assert!(n == N, "concat: N is not the total length");
    out
}

static GRANTS_IN_FIELDS: [Field; 20] = concat(&[&REGISTERED, &GRANTS]);
static CLAIMS_FIELDS: [Field; 23] = concat(&[&REGISTERED, &DECODER_ONLY, &GRANTS]);

/// The claims a minter accepts in grant JSON (`ClaimGrants::from_json`). The registered claims
/// are listed so that their own, clearer error fires.
pub(crate) static GRANTS_IN: Shape = Shape::Object(&GRANTS_IN_FIELDS);

/// Every claim a decoder knows: the grant claims, the JWT registered claims, and Go's duplicate
/// `identity`.
pub(crate) static CLAIMS: Shape = Shape::Object(&CLAIMS_FIELDS);

/// The JOSE header parameters a decoder knows.
pub(crate) static HEADER: Shape = Shape::Object(&[
    Field::leaf("alg"),
    Field::leaf("typ"),
    Field::leaf("kid"),
    Field::leaf("cty"),
    Field::leaf("crit"),
]);
