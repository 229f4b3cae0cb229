//! `rtcmint batch`: JSON Lines in, JSON Lines out, in input order, on every core.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use rayon::prelude::*;
use rtcmint::batch::MinterSet;

use crate::util::{CliError, CliResult};
use crate::{agora, zego};

/// Input bytes per parallel task (about 400 typical request lines).
const CHUNK_BYTES: usize = 32 * 1024;
/// Tasks handed to the workers at a time. A block's results (~3 MiB for LiveKit) stay in the CPU
/// caches until the writer copies them out; 64 K-line blocks (~30 MiB) ran 1.5x slower.
const BLOCK_CHUNKS: usize = 16;

/// `rtcmint batch`
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Input file of JSON Lines requests, or `-` for standard input.
    #[arg(long, short, default_value = "-", value_name = "PATH")]
    input: String,
    /// Output file for the JSON Lines results, or `-` for standard output.
    #[arg(long, short, default_value = "-", value_name = "PATH")]
    output: String,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// LiveKit API key [env: LIVEKIT_API_KEY].
    #[arg(long, value_name = "KEY")]
    livekit_api_key: Option<String>,
    /// File holding the LiveKit API secret [env: LIVEKIT_API_SECRET, LIVEKIT_API_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    livekit_api_secret_file: Option<PathBuf>,
    #[command(flatten)]
    agora: agora::BatchCreds,
    #[command(flatten)]
    zego: zego::BatchCreds,
}

fn minters(args: &BatchArgs) -> CliResult<MinterSet> {
    let mut set = MinterSet::new();
    let lk = crate::livekit::Creds {
        api_key: args.livekit_api_key.clone(),
        api_secret: None,
        api_secret_file: args.livekit_api_secret_file.clone(),
    };
    if let Some(m) = lk.minter_if_given()? {
        set = set.with(Box::new(m));
    }
    if let Some(m) = args.agora.minter_if_given()? {
        set = set.with(m);
    }
    if let Some(m) = args.zego.minter_if_given()? {
        set = set.with(m);
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

pub fn run(args: &BatchArgs) -> CliResult<Summary> {
    let set = minters(args)?;
    let mut input = String::new();
    if args.input == "-" {
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| CliError::runtime(format!("cannot read standard input: {e}")))?;
    } else {
        std::fs::File::open(&args.input)
            .and_then(|mut f| f.read_to_string(&mut input))
            .map_err(|e| CliError::runtime(format!("cannot read {}: {e}", args.input)))?;
    }
    // Unbuffered: the writer thread hands over whole chunks (hundreds of KiB), so a BufWriter
    // would only add a copy of the entire output.
    let mut out: Box<dyn std::io::Write + Send> = if args.output == "-" {
        Box::new(std::io::stdout())
    } else {
        Box::new(
            std::fs::File::create(&args.output)
                .map_err(|e| CliError::runtime(format!("cannot create {}: {e}", args.output)))?,
        )
    };
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            b = b.num_threads(n.max(1));
        }
        b.build()
            .map_err(|e| CliError::runtime(format!("cannot start worker threads: {e}")))?
    };

    // Chunks of whole lines, cut at newlines: (number of the chunk's first line, text). Cutting
    // is a newline count (vectorised); splitting into lines happens in the workers.
    let mut rest = input.as_str();
    let mut next_line = 1usize;
    let mut next_chunk = move || -> Option<(usize, &str)> {
        if rest.is_empty() {
            return None;
        }
        let cut = rest
            .as_bytes()
            .get(CHUNK_BYTES..)
            .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
            .map_or(rest.len(), |p| CHUNK_BYTES + p + 1);
        let (chunk, tail) = rest.split_at_checked(cut).unwrap_or((rest, ""));
        let first = next_line;
        next_line += chunk.bytes().filter(|&b| b == b'\n').count();
        rest = tail;
        Some((first, chunk))
    };
    let progress = std::io::stderr().is_terminal().then(|| {
        let lines = input.lines().count();
        let bar = indicatif::ProgressBar::new(lines as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} lines  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });

    let started = Instant::now();
    // Workers fill one block's buffers while a writer thread drains the previous block; buffers
    // go back and forth, so steady state allocates nothing and output stays in input order.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Vec<u8>>>();
    let (mut total, mut minted) = (0usize, 0usize);
    let mut block: Vec<(usize, &str)> = Vec::with_capacity(BLOCK_CHUNKS);
    let write_result = std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            for bufs in full_rx {
                for b in &bufs {
                    out.write_all(b)?;
                }
                // The main loop may have finished; a closed channel just drops the buffers.
                let _ = empty_tx.send(bufs);
            }
            out.flush()
        });
        loop {
            block.clear();
            block.extend(std::iter::from_fn(&mut next_chunk).take(BLOCK_CHUNKS));
            if block.is_empty() {
                break;
            }
            let mut bufs = empty_rx.try_recv().unwrap_or_default();
            bufs.resize_with(block.len(), Vec::new);
            // (non-blank lines, minted, lines) per block.
            let (requests, ok, lines) = pool.install(|| {
                block
                    .par_iter()
                    .zip(bufs.par_iter_mut())
                    .map(|(&(first, chunk), buf)| {
                        buf.clear();
                        // About one LiveKit result (~450 bytes) per 75-byte request line.
                        buf.reserve(chunk.len() * 7);
                        let (mut requests, mut ok, mut lines) = (0, 0, 0);
                        for (i, line) in chunk.lines().enumerate() {
                            lines += 1;
                            if !line.trim().is_empty() {
                                requests += 1;
                                ok += usize::from(set.process_line(first + i, line, buf));
                            }
                        }
                        (requests, ok, lines)
                    })
                    .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
            });
            total += requests;
            minted += ok;
            if let Some(bar) = &progress {
                bar.inc(lines as u64);
            }
            if full_tx.send(bufs).is_err() {
                break; // the writer failed; its error is reported below
            }
        }
        drop(full_tx);
        writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("writer thread panicked")))
    });
    write_result.map_err(|e| CliError::runtime(format!("cannot write results: {e}")))?;
    let failed = total - minted;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    crate::util::stderr_line(&format!(
        "batch: {total} requests, {minted} minted, {failed} failed, in {secs:.2} s ({:.0} tokens/s)",
        if secs > 0.0 {
            minted as f64 / secs
        } else {
            0.0
        }
    ));
    Ok(Summary { failed })
}
