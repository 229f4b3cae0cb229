//! `rtcmint batch`: JSON Lines in, JSON Lines out, in input order, on every core.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use rayon::prelude::*;
use rtcmint::batch::MinterSet;

use crate::util::{CliError, CliResult};
use crate::{agora, zego};

/// Lines handed to the workers at a time: large enough to amortise scheduling, small enough to
/// keep memory flat and the progress bar moving.
const BLOCK_LINES: usize = 65_536;
/// Lines per parallel task inside a block.
const CHUNK_LINES: usize = 1_024;

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
    let mut out: Box<dyn std::io::Write + Send> = if args.output == "-" {
        Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout(),
        ))
    } else {
        Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&args.output)
                .map_err(|e| CliError::runtime(format!("cannot create {}: {e}", args.output)))?,
        ))
    };
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            b = b.num_threads(n.max(1));
        }
        b.build()
            .map_err(|e| CliError::runtime(format!("cannot start worker threads: {e}")))?
    };

    // (1-based line number, text) of every non-blank line.
    let lines: Vec<(usize, &str)> = input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let total = lines.len();
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} tokens  {per_sec}  eta {eta}",
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
    let mut minted = 0usize;
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
        for block in lines.chunks(BLOCK_LINES) {
            let mut bufs = empty_rx.try_recv().unwrap_or_default();
            bufs.resize_with(block.len().div_ceil(CHUNK_LINES), Vec::new);
            let ok: usize = pool.install(|| {
                block
                    .par_chunks(CHUNK_LINES)
                    .zip(bufs.par_iter_mut())
                    .map(|(chunk, buf)| {
                        buf.clear();
                        chunk
                            .iter()
                            .map(|(no, line)| usize::from(set.process_line(*no, line, buf)))
                            .sum::<usize>()
                    })
                    .sum()
            });
            minted += ok;
            if let Some(bar) = &progress {
                bar.inc(block.len() as u64);
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
    eprintln!(
        "batch: {total} requests, {minted} minted, {failed} failed, in {secs:.2} s ({:.0} tokens/s)",
        if secs > 0.0 {
            minted as f64 / secs
        } else {
            0.0
        }
    );
    Ok(Summary { failed })
}
