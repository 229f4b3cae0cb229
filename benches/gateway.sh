#!/usr/bin/env bash
# Token issue through the gateway vs a Node token server as LiveKit's example (express +
# livekit-server-sdk, POST /createToken), interleaved in one run, with wrk on the same machine.
# Not a test: it prints requests/s, latency percentiles and the gateway's resident memory; the
# figures go to BENCHMARKS.md. Targets (issue 15): token issue (/v1/rtc/token/issue and
# /createToken) >= 20x the Node server's requests/s, p99 <= 5 ms at 64 connections, RSS <= 64 MiB.
#
# Usage: benches/gateway.sh [SECONDS] [ROUNDS] [CONNECTIONS]   (defaults: 10 3 64)
# Needs wrk (apt-get install -y wrk), node and npm (npm install runs in benches/node-token-server;
# node_modules is not committed). Servers listen on 127.0.0.1 only and are stopped at exit.
# The store: SQLite in a temporary file, or RTCMINT_BENCH_DATABASE_URL (e.g. postgres://…); the
# two stores side by side in one run: benches/gateway_store.sh.
set -euo pipefail

secs="${1:-10}"
rounds="${2:-3}"
conns="${3:-64}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
gw_port=18080
node_port=18081
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --bin rtcmint --manifest-path "$root/Cargo.toml" >&2
(cd "$root/benches/node-token-server" && { [ -d node_modules ] || npm install --no-audit --no-fund >&2; })

export LIVEKIT_API_KEY=APIgatewayBench
export LIVEKIT_API_SECRET=gateway-bench-secret-of-at-least-32-chars
export LIVEKIT_URL=ws://127.0.0.1:7880
key=bench-api-key-0123456789

RTCMINT_API_KEYS="$key" "$root/target/release/rtcmint" serve --listen "127.0.0.1:$gw_port" \
    --database "${RTCMINT_BENCH_DATABASE_URL:-sqlite://$dir/gw.db}" --log-level warn 2>"$dir/gw.log" &
gw_pid=$!
pids+=("$gw_pid")
PORT=$node_port node "$root/benches/node-token-server/server.js" >"$dir/node.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$gw_port/healthz" >/dev/null 2>&1 &&
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$node_port/createToken" \
            -H 'content-type: application/json' -d '{"room_name":"r","participant_identity":"i"}' 2>/dev/null && break
    sleep 0.1
done

# The room id of room "bench" on LiveKit (r1.livekit.base64url("bench")).
room="r1.livekit.YmVuY2g"
cat >"$dir/issue.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"room":"$room","identity":"user-1","ttl_s":3600}'
LUA
cat >"$dir/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"room_name":"bench","participant_identity":"user-1","participant_name":"User"}'
LUA

run() { # name url script
    local out
    out="$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$3" "$2" 2>&1)"
    local rps p50 p99 errs
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    errs="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
    printf '%-28s %12s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print $2/1024/1024 " GiB"}' /proc/meminfo), $(uname -sr); date: $(date -u +%FT%TZ)"
echo "wrk -t2 -c$conns -d${secs}s --latency, $rounds interleaved rounds; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
    echo "--- round $r"
    run "node /createToken" "http://127.0.0.1:$node_port/createToken" "$dir/create.lua"
    run "rtcmint /createToken" "http://127.0.0.1:$gw_port/createToken" "$dir/create.lua"
    run "rtcmint /v1/rtc/token/issue" "http://127.0.0.1:$gw_port/v1/rtc/token/issue" "$dir/issue.lua"
    echo "rtcmint RSS now $(awk '/VmRSS/ {print $2}' "/proc/$gw_pid/status") KiB, peak $(awk '/VmHWM/ {print $2}' "/proc/$gw_pid/status") KiB"
done
