#!/usr/bin/env bash
# Times `stockctl sell` end to end (process start to exit) N times on the embedded
# broker and N times through `stockctl broker`, and prints the median and p95 in ms.
# Usage: scripts/sell-latency.sh BIN [N]
set -euo pipefail
bin=$(realpath "${1:?usage: sell-latency.sh BIN [N]}")
n=${2:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/stockctl-latency.XXXXXX")
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ]; then kill -INT "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# stats prints "median X ms, p95 Y ms" of the numbers (ns) on stdin.
stats() {
  sort -n | awk '{ a[NR] = $1 } END {
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    i = int(NR * 0.95 + 0.999999); if (i > NR) i = NR
    printf "median %.1f ms, p95 %.1f ms (n=%d)\n", m / 1e6, a[i] / 1e6, NR }'
}

measure() { # data-dir
  STOCKCTL_DATA_DIR=$1 "$bin" restock P1 1000000 >/dev/null
  for _ in $(seq "$n"); do
    t0=$(date +%s%N)
    STOCKCTL_DATA_DIR=$1 "$bin" sell P1 1 >/dev/null
    t1=$(date +%s%N)
    echo $((t1 - t0))
  done | stats
}

printf 'sell, embedded broker in-process:  '
measure "$work/embedded"

mkdir -p "$work/served"
STOCKCTL_DATA_DIR="$work/served" "$bin" broker --listen 127.0.0.1:0 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 200); do
  [ -s "$work/served/broker.addr" ] && break
  kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; exit 1; }
  sleep 0.05
done
[ -s "$work/served/broker.addr" ] || { echo "broker did not start" >&2; cat "$work/broker.log" >&2; exit 1; }
printf 'sell, through stockctl broker:      '
measure "$work/served"
