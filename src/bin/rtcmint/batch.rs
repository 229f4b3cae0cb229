//! `rtcmint batch`: JSON Lines in, JSON Lines out, in input order, on every core, streaming.
//!
//! The input is read by blocks of about [`BLOCK_BYTES`] into one fixed buffer by a reader
//! thread, which reads the next block while the current one is minted; each block's lines are
//! minted in parallel and its results handed to a writer thread, which writes them while the
//! next block is minted. So results flow while the input still arrives on a
//! pipe, and memory stays bounded (a few blocks of input and output) whatever the input size.

use std::io::{IsTerminal as _, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use rayon::prelude::*;
use rtcmint::batch::{LineFailure, MAX_LINE_BYTES, MinterSet, write_failure};
use rtcmint::{Clock, FixedClock, SystemClock};

use crate::util::{CliError, CliResult};
use crate::{agora, zego};

/// Input bytes per parallel task (about 200 typical request lines): small enough that the
/// workers finish a block at nearly the same time.
const CHUNK_BYTES: usize = 16 * 1024;
/// Tasks handed to the workers at a time. A block's results (~3 MiB for LiveKit) stay in the CPU
/// caches until the writer copies them out; 64 K-line blocks (~30 MiB) ran 1.5x slower.
const BLOCK_CHUNKS: usize = 32;
/// Input bytes per block.
const BLOCK_BYTES: usize = CHUNK_BYTES * BLOCK_CHUNKS;
/// The most worker threads `--threads` accepts.
pub const MAX_THREADS: usize = 256;

pub const SCHEMA: &str = "\
Mint tokens from JSON Lines requests. Reads one JSON request per line and writes one JSON result per line, in input order.

Request fields:
  vendor            livekit, agora or zego (required)
  identity          participant identity: LiveKit identity, Agora uid or account, ZEGO user id
                    (required)
  room              room / channel / room id (Agora requires one)
  display_name      display name (LiveKit only)
  ttl               lifetime: whole seconds or a duration such as \"10m\", \"1h\" (default 6h)
  can_publish       true/false (default true)
  can_subscribe     true/false (default true; false: LiveKit only)
  can_publish_data  true/false (default true; false: not ZEGO)
  is_admin          true/false (default false; true: LiveKit only)
  metadata          a JSON object (LiveKit only)
  issued_at         issue time, Unix seconds (default: --now, else the clock)
  id                any JSON value, echoed in the result
Unknown fields are refused; a field the vendor's token cannot express fails the line (kind
unsupported), nothing is dropped. Blank lines are skipped; a line is at most 1 MiB.

Example:
  {\"id\":1,\"vendor\":\"livekit\",\"identity\":\"alice\",\"room\":\"my-room\",\"ttl\":600}

Results:
  {\"line\":1,\"id\":1,\"ok\":true,\"vendor\":\"livekit\",\"token\":\"eyJ...\",\"identity\":\"alice\",
   \"room\":\"my-room\",\"issued_at\":1767225600,\"expires_at\":1767226200}
  {\"line\":2,\"id\":2,\"ok\":false,\"vendor\":\"agora\",\"kind\":\"invalid_request\",\"error\":\"...\"}
`line` is the 1-based input line. Failure kinds: invalid_json, line_too_long, unknown_field,
invalid_request, unsupported, no_credentials, clock. Results are written as each block of input
is done, so output flows while input still arrives on a pipe.

Exit status: 0 when every request was minted, 1 when any line failed or on an I/O error, 2 for a
usage error (no credentials, bad flags). Progress (on a terminal) and a summary go to stderr.";

/// `rtcmint batch`
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Input file of JSON Lines requests, or `-` for standard input.
    #[arg(long, short, default_value = "-", value_name = "PATH")]
    input: String,
    /// Output file for the JSON Lines results, or `-` for standard output. A new file is created
    /// readable by its owner only (0600): it holds bearer tokens.
    #[arg(long, short, default_value = "-", value_name = "PATH")]
    output: String,
    /// Worker threads, 1 to 256 (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS as i64))]
    threads: Option<u16>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Issue time (Unix seconds) of the lines without `issued_at`, instead of the clock.
    #[arg(long, value_parser = crate::util::parse_unix, value_name = "UNIX")]
    now: Option<i64>,

    /// LiveKit API key [env: LIVEKIT_API_KEY].
    #[arg(long, value_name = "KEY")]
    livekit_api_key: Option<String>,
    /// File holding the LiveKit API secret [env: LIVEKIT_API_SECRET, LIVEKIT_API_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    livekit_api_secret_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    agora: agora::BatchCreds,
    #[command(flatten)]
    zego: zego::BatchCreds,
}

fn minters(args: &BatchArgs) -> CliResult<MinterSet> {
    let lk = crate::livekit::Creds {
        api_key: args.livekit_api_key.clone(),
        api_secret: None,
        api_secret_file: args.livekit_api_secret_file.clone(),
    };
    let clock: Arc<dyn Clock> = match args.now {
        Some(t) => Arc::new(FixedClock(t)),
        None => Arc::new(SystemClock),
    };
    let mut set = MinterSet::new();
    if let Some(m) = lk.minter_if_given()? {
        set = set.with(Box::new(m.with_clock(clock.clone())));
    }
    if let Some(m) = args.agora.minter_if_given()? {
        set = set.with(Box::new(m.with_clock(clock.clone())));
    }
    if let Some(m) = args.zego.minter_if_given()? {
        set = set.with(Box::new(m.with_clock(clock)));
    }
    if set.get(rtcmint::Vendor::LiveKit).is_none()
        && set.get(rtcmint::Vendor::Agora).is_none()
        && set.get(rtcmint::Vendor::Zego).is_none()
    {
        return Err(CliError::usage(
            "no credentials: set LIVEKIT_API_KEY/LIVEKIT_API_SECRET, AGORA_APP_ID/AGORA_APP_CERTIFICATE or ZEGO_APP_ID/ZEGO_SERVER_SECRET (or the matching flags)",
        ));
    }
    Ok(set)
}

/// Summary of a run.
pub struct Summary {
    pub failed: usize,
}

/// Creates a new output file 0600 (an existing file keeps its mode and is truncated).
fn create_output(path: &str) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o.open(path)
}

/// The input, read by blocks into one buffer of fixed size.
struct Blocks {
    src: Box<dyn Read + Send>,
    /// `BLOCK_BYTES + MAX_LINE_BYTES + 1` bytes; `buf[..filled]` is unread input.
    buf: Vec<u8>,
    filled: usize,
    eof: bool,
}

/// What [`Blocks::next`] found.
enum Next {
    /// Whole lines `buf[..len]` (the last may lack its newline at the end of input).
    Lines(usize),
    /// A line longer than `MAX_LINE_BYTES`: its first bytes; the rest of it has been skipped.
    TooLong(Vec<u8>),
    End,
}

impl Blocks {
    fn new(src: Box<dyn Read + Send>) -> Self {
        Blocks {
            src,
            buf: vec![0; BLOCK_BYTES + MAX_LINE_BYTES + 1],
            filled: 0,
            eof: false,
        }
    }

    /// One `read` into `buf[filled..limit]`; returns the byte count (0 at the end).
    fn read_some(&mut self, limit: usize) -> std::io::Result<usize> {
        let free = self.buf.get_mut(self.filled..limit).unwrap_or_default();
        loop {
            match self.src.read(free) {
                Ok(n) => {
                    self.filled += n;
                    self.eof |= n == 0;
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn has_newline(&self, from: usize) -> bool {
        self.buf
            .get(from..self.filled)
            .is_some_and(|b| b.contains(&b'\n'))
    }

    /// Reads up to about a block of whole lines. A read that returns less than asked (a pipe
    /// with nothing more for now) ends the block early as soon as it holds a whole line, so
    /// results flow while the input trickles in.
    fn next(&mut self) -> std::io::Result<Next> {
        let mut newline = self.has_newline(0);
        while !self.eof && self.filled < self.buf.len() {
            if newline && self.filled >= BLOCK_BYTES {
                break;
            }
            if !newline && self.filled > MAX_LINE_BYTES {
                break;
            }
            // A block's worth at most, unless its last line goes on past the block.
            let limit = if self.filled < BLOCK_BYTES {
                BLOCK_BYTES
            } else {
                self.buf.len()
            };
            let before = self.filled;
            let n = self.read_some(limit)?;
            newline |= self.has_newline(before);
            if n > 0 && n < limit - before && newline {
                break;
            }
        }
        let data = self.buf.get(..self.filled).unwrap_or_default();
        match data.iter().rposition(|&b| b == b'\n') {
            Some(p) => Ok(Next::Lines(p + 1)),
            None if self.filled == 0 => Ok(Next::End),
            None if self.filled <= MAX_LINE_BYTES && self.eof => Ok(Next::Lines(self.filled)),
            None => {
                // Longer than a line may be: keep its start (for the id), skip to its end.
                let prefix = data.get(..4096).unwrap_or(data).to_vec();
                self.skip_line()?;
                Ok(Next::TooLong(prefix))
            }
        }
    }

    /// Drops input up to and including the next newline, keeping what follows it.
    fn skip_line(&mut self) -> std::io::Result<()> {
        loop {
            if let Some(p) = self
                .buf
                .get(..self.filled)
                .and_then(|b| b.iter().position(|&c| c == b'\n'))
            {
                self.consume(p + 1);
                return Ok(());
            }
            self.filled = 0;
            if self.eof || self.read_some(self.buf.len())? == 0 {
                return Ok(());
            }
        }
    }

    /// Forgets the first `n` bytes of the buffer.
    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.filled, 0);
        self.filled -= n;
    }
}

/// What the reader thread hands over.
enum Input {
    /// Whole lines (the last may lack its newline at the end of input).
    Lines(Vec<u8>),
    /// The first bytes of a line longer than `MAX_LINE_BYTES` (the rest has been skipped).
    TooLong(Vec<u8>),
    /// Reading failed; nothing follows.
    Failed(std::io::Error),
}

/// The reader thread: sends the input block by block (a copy of each block's lines, in a
/// buffer the main loop sends back when it is done with it), at most one block ahead.
fn read_blocks(
    mut blocks: Blocks,
    to_main: &std::sync::mpsc::SyncSender<Input>,
    spent: &std::sync::mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let input = match blocks.next() {
            Ok(Next::End) => return,
            Ok(Next::Lines(len)) => {
                let mut data = spent.try_recv().unwrap_or_default();
                data.clear();
                data.extend_from_slice(blocks.buf.get(..len).unwrap_or_default());
                blocks.consume(len);
                Input::Lines(data)
            }
            Ok(Next::TooLong(prefix)) => Input::TooLong(prefix),
            Err(e) => Input::Failed(e),
        };
        let failed = matches!(input, Input::Failed(_));
        // A closed channel: the run stopped early.
        if to_main.send(input).is_err() || failed {
            return;
        }
    }
}

/// Cuts `data` (whole lines) into tasks of about `CHUNK_BYTES` at newlines: (number of the
/// task's first line, bytes). Returns the number of the line after `data`.
fn chunks(
    data: &[u8],
    mut next_line: usize,
    out: &mut Vec<(usize, std::ops::Range<usize>)>,
) -> usize {
    let mut start = 0;
    while start < data.len() {
        let rest = data.get(start..).unwrap_or_default();
        let cut = rest
            .get(CHUNK_BYTES..)
            .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
            .map_or(rest.len(), |p| CHUNK_BYTES + p + 1);
        out.push((next_line, start..start + cut));
        next_line += rest
            .get(..cut)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        start += cut;
    }
    // A last line without its newline (the end of the input) still counts.
    next_line + usize::from(data.last().is_some_and(|&b| b != b'\n'))
}

/// Mints every line of one task into `buf`: (requests, minted).
fn mint_chunk(set: &MinterSet, first: usize, chunk: &[u8], buf: &mut Vec<u8>) -> (usize, usize) {
    buf.clear();
    // About one LiveKit result (~450 bytes) per 75-byte request line.
    buf.reserve(chunk.len() * 7);
    let counts = set.process_chunk(first, chunk, buf);
    (counts.requests, counts.minted)
}

fn progress_bar(input_len: Option<u64>) -> indicatif::ProgressBar {
    // `{per_sec}` prints fractions ("1234.5678/s"); the rate key prints whole lines per second.
    let rate = |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{:.0} lines/s", s.per_sec());
    };
    let (bar, template) = match input_len {
        Some(len) => (
            indicatif::ProgressBar::new(len),
            "{bar:40} {bytes}/{total_bytes}  {msg} lines  {rate}  eta {eta}",
        ),
        None => (
            indicatif::ProgressBar::new_spinner(),
            "{spinner} {bytes} read  {msg} lines  {rate}",
        ),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .map(|s| s.with_key("rate", rate))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Why a run stopped early.
enum Stop {
    Read(std::io::Error),
    /// The reader of our output went away (`| head`): stop quietly.
    Closed,
    Write(std::io::Error),
}

pub fn run(args: &BatchArgs) -> CliResult<Summary> {
    let set = minters(args)?;
    let (src, input_len): (Box<dyn Read + Send>, Option<u64>) = if args.input == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let f = std::fs::File::open(&args.input)
            .map_err(|e| CliError::runtime(format!("cannot read {}: {e}", args.input)))?;
        let len = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        (Box::new(f), len)
    };
    // Unbuffered: the writer thread hands over whole task buffers (hundreds of KiB), so a
    // BufWriter would only add a copy of the entire output.
    let mut out: Box<dyn Write + Send> = if args.output == "-" {
        Box::new(std::io::stdout())
    } else {
        Box::new(
            create_output(&args.output)
                .map_err(|e| CliError::runtime(format!("cannot create {}: {e}", args.output)))?,
        )
    };
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            b = b.num_threads(usize::from(n));
        }
        b.build()
            .map_err(|e| CliError::runtime(format!("cannot start the worker threads: {e}")))?
    };
    let progress =
        (!args.quiet && std::io::stderr().is_terminal()).then(|| progress_bar(input_len));

    let started = Instant::now();
    // The reader thread reads the next block while the workers mint the current one. It is not
    // joined: when the run stops early (a closed output), it may be blocked reading a pipe that
    // stays open, and it ends with the process.
    let (block_tx, block_rx) = std::sync::mpsc::sync_channel::<Input>(1);
    let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    // Workers fill one block's buffers while the writer thread drains the previous block; the
    // buffers go back and forth, so the steady state allocates nothing.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Vec<u8>>>();
    let (mut total, mut minted, mut next_line, mut read_bytes) = (0usize, 0usize, 1usize, 0u64);
    let mut tasks = Vec::with_capacity(BLOCK_CHUNKS + 1);
    let outcome = std::thread::scope(|scope| -> CliResult<Option<Stop>> {
        let writer = std::thread::Builder::new()
            .name("batch-writer".into())
            .spawn_scoped(scope, move || -> Option<Stop> {
                for bufs in full_rx {
                    for b in &bufs {
                        match out.write_all(b) {
                            Ok(()) => {}
                            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                                return Some(Stop::Closed);
                            }
                            Err(e) => return Some(Stop::Write(e)),
                        }
                    }
                    // The main loop may have finished; a closed channel just drops the buffers.
                    let _ = empty_tx.send(bufs);
                }
                match out.flush() {
                    Ok(()) => None,
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Some(Stop::Closed),
                    Err(e) => Some(Stop::Write(e)),
                }
            })
            .map_err(|e| CliError::runtime(format!("cannot start the writer thread: {e}")))?;
        let reader = std::thread::Builder::new()
            .name("batch-reader".into())
            .spawn(move || read_blocks(Blocks::new(src), &block_tx, &spent_rx));
        if let Err(e) = reader {
            drop(full_tx);
            let _ = writer.join();
            return Err(CliError::runtime(format!(
                "cannot start the reader thread: {e}"
            )));
        }
        let mut stop = None;
        for input in &block_rx {
            let mut bufs = empty_rx.try_recv().unwrap_or_default();
            let data = match input {
                Input::Lines(data) => data,
                Input::TooLong(prefix) => {
                    bufs.resize_with(1, Vec::new);
                    if let Some(b) = bufs.first_mut() {
                        b.clear();
                        write_failure(b, next_line, &LineFailure::too_long(&prefix));
                    }
                    total += 1;
                    next_line += 1;
                    if full_tx.send(bufs).is_err() {
                        break; // the writer stopped; its reason is reported below
                    }
                    continue;
                }
                Input::Failed(e) => {
                    stop = Some(Stop::Read(e));
                    break;
                }
            };
            tasks.clear();
            let after = chunks(&data, next_line, &mut tasks);
            bufs.resize_with(tasks.len(), Vec::new);
            let (requests, ok) = pool.install(|| {
                tasks
                    .par_iter()
                    .zip(bufs.par_iter_mut())
                    .map(|((first, range), buf)| {
                        mint_chunk(
                            &set,
                            *first,
                            data.get(range.clone()).unwrap_or_default(),
                            buf,
                        )
                    })
                    .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
            });
            next_line = after;
            total += requests;
            minted += ok;
            read_bytes += data.len() as u64;
            // The reader may have finished; then the buffer is just dropped.
            let _ = spent_tx.send(data);
            if let Some(bar) = &progress {
                bar.set_position(read_bytes);
                bar.set_message(total.to_string());
            }
            if full_tx.send(bufs).is_err() {
                break; // the writer stopped; its reason is reported below
            }
        }
        drop(full_tx);
        let written = writer.join().unwrap_or_else(|_| {
            Some(Stop::Write(std::io::Error::other(
                "the writer thread failed",
            )))
        });
        Ok(stop.or(written))
    })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    match outcome {
        Some(Stop::Read(e)) => {
            let name = if args.input == "-" {
                "standard input"
            } else {
                &args.input
            };
            return Err(CliError::runtime(format!("cannot read {name}: {e}")));
        }
        Some(Stop::Write(e)) => {
            return Err(CliError::runtime(format!("cannot write results: {e}")));
        }
        Some(Stop::Closed) | None => {}
    }
    let failed = total - minted;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            minted as f64 / secs
        } else {
            0.0
        };
        crate::util::stderr_line(&format!(
            "batch: {total} requests, {minted} minted, {failed} failed, in {secs:.2} s ({rate:.0} tokens/s)"
        ));
    }
    Ok(Summary { failed })
}
