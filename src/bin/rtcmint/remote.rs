//! `rtcmint room …`, `rtcmint participant …`, `rtcmint recording …`: the vendors' server APIs
//! (`rtcmint::remote`) from the command line.
//!
//! Exit codes beyond the token ones: 6 the vendor refused the credentials or permissions, 7 not
//! found, 8 unsupported (the message says whether the vendor lacks it or rtcmint does not
//! implement it), 9 any other vendor error, 10 the outcome is unknown (a recording may have
//! started: the message and `--json` output say how to find and stop it). Transport failures and
//! timeouts are 1, bad flags and configuration 2.

use clap::{Args, Subcommand};
use rtcmint::Vendor;
use rtcmint::remote::{
    CreateRoomRequest, Page, PageRequest, Participant, Recording, RecordingId, RecordingRequest,
    RemoteError, Room, RoomService,
};
use serde_json::{Value, json};

use crate::remote_config::{Operation, RemoteArgs};
use crate::util::{CliError, CliResult, EXIT_RUNTIME, EXIT_USAGE, Suggested};

/// The vendor refused the credentials or permissions.
pub const EXIT_AUTH: u8 = 6;
/// The room, participant or recording does not exist.
pub const EXIT_NOT_FOUND: u8 = 7;
/// The vendor lacks the operation, or rtcmint does not implement it.
pub const EXIT_UNSUPPORTED: u8 = 8;
/// Any other error answer from the vendor.
pub const EXIT_VENDOR: u8 = 9;
/// The vendor may or may not have done it.
pub const EXIT_UNKNOWN_OUTCOME: u8 = 10;

/// The layouts `recording start --layout` completes (LiveKit also takes template names).
const LAYOUTS: [&str; 5] = [
    "grid",
    "speaker",
    "single-speaker",
    "vertical",
    "horizontal",
];

/// Most pages `participant list` fetches before it stops (and says so).
const MAX_PAGES: usize = 1000;

/// `rtcmint room`.
#[derive(Args, Debug)]
pub struct RoomCmd {
    #[command(subcommand)]
    cmd: RoomOp,
    #[command(flatten)]
    remote: RemoteArgs,
}

#[derive(Subcommand, Debug)]
enum RoomOp {
    /// Create a room (LiveKit). Agora and ZEGO have no room object: the record is synthesized
    /// without a network call, and settings they cannot hold are refused.
    Create {
        /// The room name.
        name: String,
        /// Participant cap (LiveKit; 0 = unlimited).
        #[arg(long, value_name = "N")]
        max_participants: Option<u32>,
        /// How long an empty room stays open (LiveKit), e.g. `300`, `5m`.
        #[arg(long, value_name = "DURATION", value_parser = parse_secs)]
        empty_timeout: Option<u32>,
        /// Room metadata (LiveKit), a JSON document.
        #[arg(long, value_name = "JSON", value_parser = parse_json_text)]
        metadata: Option<String>,
    },
    /// Show one room (exit 7 when it does not exist).
    Get {
        /// The room name.
        name: String,
    },
    /// List active rooms, one page.
    List {
        /// Page size (capped at the vendor's maximum).
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
        /// Continue after a previous page (its `next_cursor`).
        #[arg(long, value_name = "C")]
        cursor: Option<String>,
    },
    /// Delete a room (Agora: evicts everyone; they may rejoin).
    Delete {
        /// The room name.
        name: String,
    },
}

/// `rtcmint participant`.
#[derive(Args, Debug)]
pub struct ParticipantCmd {
    #[command(subcommand)]
    cmd: ParticipantOp,
    #[command(flatten)]
    remote: RemoteArgs,
}

#[derive(Subcommand, Debug)]
enum ParticipantOp {
    /// List the participants of a room (all pages).
    List {
        /// The room.
        room: String,
    },
    /// Remove a participant (LiveKit identity, Agora numeric uid, ZEGO user id).
    Kick {
        /// The room.
        room: String,
        /// The participant.
        identity: String,
    },
}

/// `rtcmint recording`.
#[derive(Args, Debug)]
pub struct RecordingCmd {
    #[command(subcommand)]
    cmd: RecordingOp,
    #[command(flatten)]
    remote: RemoteArgs,
}

#[derive(Subcommand, Debug)]
enum RecordingOp {
    /// Start a composite recording of a room; prints the recording id that `recording stop`
    /// takes. Agora and ZEGO upload to the storage in {AGORA,ZEGO}_STORAGE_{VENDOR, REGION,
    /// BUCKET, ACCESS_KEY, SECRET_KEY, ENDPOINT}.
    Start {
        /// The room.
        room: String,
        /// Layout: grid (default), speaker; LiveKit also single-speaker or a template; Agora
        /// and ZEGO vertical; ZEGO horizontal.
        #[arg(long, value_name = "L", value_parser = Suggested(&LAYOUTS), hide_possible_values = true)]
        layout: Option<String>,
        /// Record audio only.
        #[arg(long)]
        audio_only: bool,
        /// Output path (LiveKit filepath, Agora directory prefix, ZEGO output folder).
        #[arg(long, value_name = "PATH")]
        output: Option<String>,
        /// Idempotency key: repeating the start with the same key does not start a second
        /// recording where the vendor allows it (LiveKit, Agora; see the README).
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Stop a recording by its id (the vendor is read from the id).
    Stop {
        /// The id `recording start` printed.
        #[arg(value_name = "RECORDING_ID", value_parser = parse_recording_id)]
        recording: RecordingId,
    },
}

fn parse_secs(s: &str) -> Result<u32, String> {
    let d = rtcmint::parse_duration(s).map_err(|e| e.to_string())?;
    u32::try_from(d.as_secs()).map_err(|_| format!("{s:?} is longer than 4294967295 seconds"))
}

fn parse_json_text(s: &str) -> Result<String, String> {
    serde_json::from_str::<Value>(s)
        .map(|_| s.to_owned())
        .map_err(|e| format!("not JSON: {e}"))
}

fn parse_recording_id(s: &str) -> Result<RecordingId, String> {
    s.parse()
        .map_err(|e: rtcmint::remote::ParseRecordingIdError| e.to_string())
}

/// The exit code and message for a remote error.
fn cli_error(e: &RemoteError) -> CliError {
    let code = match e {
        RemoteError::Auth { .. } => EXIT_AUTH,
        RemoteError::Unsupported { .. } => EXIT_UNSUPPORTED,
        RemoteError::OutcomeUnknown { .. } => EXIT_UNKNOWN_OUTCOME,
        e if e.is_not_found() => EXIT_NOT_FOUND,
        RemoteError::Api { .. } => EXIT_VENDOR,
        RemoteError::InvalidRequest { .. } | RemoteError::Config { .. } | RemoteError::Token(_) => {
            EXIT_USAGE
        }
        _ => EXIT_RUNTIME,
    };
    CliError {
        code,
        message: e.to_string(),
    }
}

/// Runs a future on a current-thread runtime.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> CliResult<T> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("cannot start the async runtime: {e}")))?;
    Ok(rt.block_on(f))
}

/// What a command prints: a JSON value, or a table (header + rows), plus stderr notes.
struct Output {
    json: Value,
    table: Vec<Vec<String>>,
    notes: Vec<String>,
}

impl Output {
    fn print(self, as_json: bool) -> CliResult<()> {
        for n in &self.notes {
            crate::util::stderr_line(&format!("note: {n}"));
        }
        if as_json {
            return crate::print_json(&self.json);
        }
        crate::emit(&table(&self.table))
    }
}

/// Column-aligned text; the last column is not padded.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(cell);
            } else {
                let w = widths.get(i).copied().unwrap_or(0);
                line.push_str(cell);
                line.push_str(&" ".repeat(w.saturating_sub(cell.chars().count()) + 2));
            }
        }
        out.push(line.trim_end().to_owned());
    }
    out.join("\n")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn to_json<T: serde::Serialize>(v: &T) -> CliResult<Value> {
    serde_json::to_value(v).map_err(|e| CliError::runtime(format!("cannot format JSON: {e}")))
}

fn room_rows(rooms: &[Room]) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "NAME".to_owned(),
        "ID".to_owned(),
        "PARTICIPANTS".to_owned(),
        "MAX".to_owned(),
        "CREATED".to_owned(),
        "ORIGIN".to_owned(),
    ]];
    for r in rooms {
        rows.push(vec![
            r.name.clone(),
            r.room.clone(),
            opt(r.num_participants),
            opt(r.max_participants),
            opt(r.created_at.map(crate::util::utc)),
            to_json(&r.origin)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        ]);
    }
    rows
}

fn recording_output(rec: &Recording) -> CliResult<Output> {
    let status = to_json(&rec.status)?;
    let status = match &status {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Output {
        json: json!({
            "vendor": rec.recording.vendor(),
            "recording": rec.recording,
            "room": rec.room,
            "status": status,
            "output": rec.output_uri,
        }),
        table: vec![
            vec![
                "RECORDING".into(),
                "ROOM".into(),
                "STATUS".into(),
                "OUTPUT".into(),
            ],
            vec![
                rec.recording.to_string(),
                rec.room.clone(),
                status,
                opt(rec.output_uri.as_deref()),
            ],
        ],
        notes: Vec::new(),
    })
}

fn page_json<T: serde::Serialize>(vendor: Vendor, page: &Page<T>) -> CliResult<Value> {
    Ok(json!({
        "vendor": vendor,
        "items": to_json(&page.items)?,
        "next_cursor": page.next_cursor,
        "total": page.total,
        "truncated": page.truncated,
    }))
}

impl RoomCmd {
    pub fn run(self) -> CliResult<()> {
        let vendor = self.remote.vendor(None)?;
        let client = self.remote.client(vendor, Operation::Other)?;
        let out = block_on(self.cmd.call(client.as_ref()))?.map_err(|e| cli_error(&e))?;
        out.print(self.remote.json)
    }
}

impl RoomOp {
    async fn call(self, c: &dyn RoomService) -> Result<Output, RemoteError> {
        let vendor = c.vendor();
        let one = |room: Room| -> Result<Output, RemoteError> {
            Ok(Output {
                json: serde_json::to_value(&room).unwrap_or(Value::Null),
                table: room_rows(std::slice::from_ref(&room)),
                notes: Vec::new(),
            })
        };
        match self {
            RoomOp::Create {
                name,
                max_participants,
                empty_timeout,
                metadata,
            } => {
                let mut req = CreateRoomRequest::new(name);
                req.max_participants = max_participants;
                req.empty_timeout_secs = empty_timeout;
                req.metadata = metadata;
                one(c.create_room(&req).await?)
            }
            RoomOp::Get { name } => one(c.get_room(&name).await?),
            RoomOp::List { limit, cursor } => {
                let mut page = PageRequest::first();
                page.limit = limit;
                page.cursor = cursor;
                let p = c.list_rooms(&page).await?;
                let mut notes = Vec::new();
                if let Some(next) = &p.next_cursor {
                    notes.push(format!("more rooms: --cursor {next}"));
                }
                Ok(Output {
                    json: page_json(vendor, &p).unwrap_or(Value::Null),
                    table: room_rows(&p.items),
                    notes,
                })
            }
            RoomOp::Delete { name } => {
                c.delete_room(&name).await?;
                let what = if vendor == Vendor::Agora {
                    "evicted everyone from"
                } else {
                    "deleted"
                };
                Ok(Output {
                    json: json!({"vendor": vendor, "room": name, "deleted": true}),
                    table: vec![vec![format!("{what} room {name}")]],
                    notes: Vec::new(),
                })
            }
        }
    }
}

impl ParticipantCmd {
    pub fn run(self) -> CliResult<()> {
        let vendor = self.remote.vendor(None)?;
        let client = self.remote.client(vendor, Operation::Other)?;
        let out = block_on(self.cmd.call(client.as_ref()))?.map_err(|e| cli_error(&e))?;
        out.print(self.remote.json)
    }
}

impl ParticipantOp {
    async fn call(self, c: &dyn RoomService) -> Result<Output, RemoteError> {
        let vendor = c.vendor();
        match self {
            ParticipantOp::List { room } => {
                let mut items: Vec<Participant> = Vec::new();
                let mut page = PageRequest::first();
                let mut total = None;
                let mut truncated = false;
                let mut notes = Vec::new();
                for n in 0.. {
                    let p = c.list_participants(&room, &page).await?;
                    items.extend(p.items);
                    total = p.total.or(total);
                    truncated |= p.truncated;
                    match p.next_cursor {
                        Some(next) if n + 1 < MAX_PAGES => page.cursor = Some(next),
                        Some(_) => {
                            truncated = true;
                            notes.push(format!("stopped after {MAX_PAGES} pages"));
                            break;
                        }
                        None => break,
                    }
                }
                if truncated {
                    notes.push(format!(
                        "the list is incomplete: {} of {} participants listed (the vendor returns no more)",
                        items.len(),
                        opt(total)
                    ));
                }
                let mut rows = vec![vec![
                    "IDENTITY".to_owned(),
                    "NAME".to_owned(),
                    "ROLE".to_owned(),
                    "JOINED".to_owned(),
                ]];
                for p in &items {
                    rows.push(vec![
                        p.identity.clone(),
                        opt(p.display_name.as_deref()),
                        opt(p.role.as_deref()),
                        opt(p.joined_at.map(crate::util::utc)),
                    ]);
                }
                let mut all = Page::new(items, None);
                all.total = total;
                all.truncated = truncated;
                Ok(Output {
                    json: page_json(vendor, &all).unwrap_or(Value::Null),
                    table: rows,
                    notes,
                })
            }
            ParticipantOp::Kick { room, identity } => {
                c.kick_participant(&room, &identity).await?;
                Ok(Output {
                    json: json!({"vendor": vendor, "room": room, "identity": identity, "kicked": true}),
                    table: vec![vec![format!("removed {identity} from room {room}")]],
                    notes: Vec::new(),
                })
            }
        }
    }
}

impl RecordingCmd {
    pub fn run(self) -> CliResult<()> {
        let json_out = self.remote.json;
        let (vendor, op) = match &self.cmd {
            RecordingOp::Start { .. } => (self.remote.vendor(None)?, Operation::RecordingStart),
            RecordingOp::Stop { recording } => (
                self.remote.vendor(Some(recording.vendor()))?,
                Operation::Other,
            ),
        };
        let client = self.remote.client(vendor, op)?;
        let result = block_on(async {
            match self.cmd {
                RecordingOp::Start {
                    room,
                    layout,
                    audio_only,
                    output,
                    idempotency_key,
                } => {
                    let mut req = RecordingRequest::new(room).audio_only(audio_only);
                    req.layout = layout;
                    req.output_uri = output;
                    req.idempotency_key = idempotency_key;
                    client.start_recording(&req).await
                }
                RecordingOp::Stop { recording } => client.stop_recording(&recording).await,
            }
        })?;
        match result {
            Ok(rec) => recording_output(&rec)?.print(json_out),
            Err(e) => {
                if json_out && let RemoteError::OutcomeUnknown { recovery, .. } = &e {
                    // The record that finds the recording goes to stdout, where a script
                    // reads the result; the message goes to stderr with exit 10.
                    crate::print_json(&json!({
                        "outcome": "unknown",
                        "recovery": to_json(recovery.as_ref())?,
                        "recording": recovery.recording_id(),
                    }))?;
                }
                Err(cli_error(&e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let t = table(&[
            vec!["A".into(), "BB".into(), "C".into()],
            vec!["long".into(), "x".into(), "-".into()],
        ]);
        assert_eq!(t, "A     BB  C\nlong  x   -");
    }

    #[test]
    fn durations_are_whole_seconds() {
        assert_eq!(parse_secs("5m"), Ok(300));
        assert_eq!(parse_secs("300"), Ok(300));
        assert!(parse_secs("1.5s").is_err());
        assert!(parse_secs("200000d").is_err());
        assert!(parse_json_text("{\"a\":1}").is_ok());
        assert!(parse_json_text("{a").is_err());
    }
}
