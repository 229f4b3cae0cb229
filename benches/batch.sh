#!/usr/bin/env bash
# Times `rtcmint batch` on N LiveKit requests, file to file, against the ideal measured in the
# same run (the performance issue's target: at most 2x the ideal).
#
#   ideal = N x (single-thread TokenMinter::mint_into time per token) / cores
#
# Each run measures the single-thread mint time first (examples/mint_rate.rs: median of 7 runs of
# 200,000 mints of the same kind of request), then times the batch, so both see the same machine
# load. Not a unit test: it prints the figures and the load average instead of asserting.
#
# Printed per run: the ratio wall / ideal (the target: at most 2), and beside it the CPU ratio
# (user + sys of the batch) / (N x the mint's CPU time per token). The CPU ratio does not depend
# on how much of the machine the run got: on a busy machine, where the scheduler gives a session
# about one share whatever its thread count, the wall ratio cannot go below (cores x the CPU
# ratio / cores used), while the CPU ratio still shows the work per request against the mint.
# With every core free, wall ratio ~ CPU ratio / parallel efficiency.
#
# Usage: benches/batch.sh [N] [RUNS]      (defaults: 1000000 requests, 3 runs)
# Needs python3 and GNU time (/usr/bin/time). Builds the release binary and example first.
# Inputs and outputs go to a temporary directory.
set -euo pipefail

n="${1:-1000000}"
runs="${2:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

cargo build --release --bin rtcmint --example mint_rate --manifest-path "$root/Cargo.toml" >&2
bin="$root/target/release/rtcmint"
rate="$root/target/release/examples/mint_rate"
cores="$(nproc)"

python3 - "$n" "$dir/in.jsonl" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        f.write('{"vendor":"livekit","identity":"user-%d","room":"room-%d","ttl":600}\n' % (i, i % 1000))
PY

export LIVEKIT_API_KEY=APIbatchBench
export LIVEKIT_API_SECRET=batch-bench-secret-of-at-least-32-chars
echo "requests: $n  input: $(du -h "$dir/in.jsonl" | cut -f1)  cores: $cores"
for i in $(seq "$runs"); do
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    read -r ns cpu_ns < <("$rate")
    /usr/bin/time -o "$dir/time" -f "%e %U %S %M" \
        "$bin" batch --quiet -i "$dir/in.jsonl" -o "$dir/out.jsonl"
    read -r wall user sys rss < "$dir/time"
    python3 - "$n" "$ns" "$cores" "$wall" "$user" "$sys" "$rss" "$cpu_ns" "$load" <<'PY'
import sys
n, ns, cores, wall, user, sys_, rss, cpu_ns = (float(x) for x in sys.argv[1:9])
ideal = n * ns * 1e-9 / cores
work = n * cpu_ns * 1e-9
print(f"mint_into {ns:.0f} ns/token single-thread ({cpu_ns:.0f} ns on CPU) -> ideal {ideal:.3f} s "
      f"on {cores:.0f} cores; batch {wall:.2f} s wall ({user:.2f} s user, {sys_:.2f} s sys, "
      f"{rss/1024:.0f} MiB max RSS)  (load average before: {sys.argv[9]})")
print(f"  ratio to the ideal: {wall/ideal:.2f}x wall (target <= 2); "
      f"CPU {(user + sys_)/work:.2f}x the mints' CPU time")
PY
done
echo "output: $(wc -l < "$dir/out.jsonl") lines, $(du -h "$dir/out.jsonl" | cut -f1)"
