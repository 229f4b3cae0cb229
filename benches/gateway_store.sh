#!/usr/bin/env bash
# token.issue throughput of `rtcmint serve` with each store: the embedded SQLite store and the
# PostgreSQL store, interleaved in one run (sqlite, postgres, sqlite, postgres, ...) so that both
# see the same machine load. wrk runs on the same machine, against 127.0.0.1 only, for a bounded
# time. Not a unit test: it prints the figures (requests/s, p99 latency, the server's peak
# resident memory) and the medians; BENCHMARKS.md records them.
#
# Usage: benches/gateway_store.sh [DURATION_S] [CONNECTIONS] [ROUNDS]   (defaults: 10 64 3)
# Needs wrk (apt-get install wrk) and curl. PostgreSQL: RTCMINT_BENCH_DATABASE_URL if set, otherwise a
# throwaway cluster started with .ci/postgres.sh (stopped at exit).
set -euo pipefail

duration="${1:-10}"
conns="${2:-64}"
rounds="${3:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=""

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
  if declare -F pg_stop >/dev/null; then pg_stop; fi
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
# RTCMINT_BENCH_BIN: an already built binary (otherwise the release build is made first).
bin="${RTCMINT_BENCH_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --bin rtcmint --manifest-path "$root/Cargo.toml" >&2
  bin="$root/target/release/rtcmint"
fi

pg_url="${RTCMINT_BENCH_DATABASE_URL:-}"
if [ -z "$pg_url" ]; then
  # shellcheck source=../.ci/postgres.sh
  source "$root/.ci/postgres.sh"
  pg_start >&2
  trap cleanup EXIT
  pg_url="$RTCMINT_TEST_DATABASE_URL"
fi

api_key="bench-api-key-0123456789abcdef"
export RTCMINT_API_KEYS="$api_key"
export LIVEKIT_API_KEY=APIgatewayBench
export LIVEKIT_API_SECRET=gateway-bench-secret-of-at-least-32-chars
# Never contacted by token.issue; the port is closed.
export LIVEKIT_URL=http://127.0.0.1:9

# r1.livekit.<base64url("bench")>: a room id needs no database round trip.
cat >"$work/issue.lua" <<LUA
wrk.method = "POST"
wrk.path = "/v1/rtc/token/issue"
wrk.headers["Authorization"] = "Bearer $api_key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"room":"r1.livekit.YmVuY2g","identity":"user-1","ttl_s":600,"can_publish":true}'
LUA

port=18480
start_server() {
  local database="$1"
  port=$((port + 1))
  "$bin" serve --listen "127.0.0.1:$port" --database "$database" --log-level warn \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  cat "$work/server.log" >&2
  return 1
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

run_one() {
  local store="$1" database="$2"
  start_server "$database"
  # Warm-up (connections, caches), then the measured run.
  wrk -t2 -c"$conns" -d2s -s "$work/issue.lua" "http://127.0.0.1:$port" >/dev/null
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/issue.lua" \
    "http://127.0.0.1:$port" >"$work/wrk.txt"
  local rps p99 errors rss
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
  errors="$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.txt" | tr '\n' ' ')"
  rss="$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status")"
  stop_server
  printf '%-8s %12s %10s %10s  %s\n' "$store" "$rps" "$p99" "$rss" "$errors"
  echo "$store $rps" >>"$work/results"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  wrk: -t2 -c$conns -d${duration}s  rounds: $rounds  load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %10s %10s\n' store "requests/s" p99 "peak MiB"
for _ in $(seq "$rounds"); do
  run_one sqlite "sqlite://$work/gateway.db"
  run_one postgres "$pg_url"
done
for store in sqlite postgres; do
  median="$(awk -v s="$store" '$1 == s {print $2}' "$work/results" | sort -n \
    | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
  echo "median $store: $median requests/s"
done
