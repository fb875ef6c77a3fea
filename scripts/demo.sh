#!/usr/bin/env bash
# The main job on the embedded broker, in a fresh data directory: restocks, sales, one
# refused oversale, then stock and history. No Kafka install needed. It writes into
# DEMO_DATA_DIR (make demo-cli: .demo/cli, emptied first), which must be new or empty.
# STOCKCTL_BIN runs that binary instead of building one into it.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${DEMO_DATA_DIR:-.demo/cli}
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "demo: $dir is not empty: give DEMO_DATA_DIR a new or empty directory (make demo-cli empties .demo/cli)" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=${STOCKCTL_BIN:-$dir/stockctl}
if [ -z "${STOCKCTL_BIN:-}" ]; then
  CGO_ENABLED=0 go build -ldflags "${LDFLAGS:-}" -o "$bin" ./cmd/stockctl
fi
export STOCKCTL_DATA_DIR="$dir/data"

run() {
  printf '\n$ stockctl'
  printf ' %q' "$@"
  printf '\n'
  "$bin" "$@"
}

run restock P1 10 --date 2024-05-01 --note "opening stock"
run restock P2 25.5 --date "2024-05-01 09:30:00"
run sell P1 3 --date 2024-05-02 --note "order 1182"
run sell P2 4.25 --date 2024-05-02
set +e
run sell P1 8 --date 2024-05-03
code=$?
set -e
if [ "$code" -ne 1 ]; then
  echo "demo: the oversale should have been refused with exit 1, got $code" >&2
  exit 1
fi
echo "(refused with exit 1, as it must be: only 7.00 of P1 are in stock)"
run stock
run history P1
run stock P1 --output json

run report --out "$dir/report"

printf '\nThe read model is %s/operations.db:\n' "$STOCKCTL_DATA_DIR"
printf "  sqlite3 %s/operations.db 'select * from operations'\n" "$STOCKCTL_DATA_DIR"
printf 'Serve the log to other processes and Kafka clients with:\n'
printf '  STOCKCTL_DATA_DIR=%s %s broker --listen 127.0.0.1:9092\n' "$STOCKCTL_DATA_DIR" "$bin"
printf '\nOpen the report in a browser: file://%s/report/index.html\n' "$dir"
