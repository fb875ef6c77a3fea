#!/usr/bin/env bash
# run-named.sh NAME go test ARGS...: runs go test (adding -v) for a test or fuzz target
# selected by name, and fails unless NAME ran and passed. go test exits 0 on "no tests to
# run" and "no fuzz tests to fuzz", so a renamed target would otherwise leave a green run
# that tested nothing; a skipped one would too. The output is passed through unchanged.
set -uo pipefail
if [ $# -lt 3 ]; then
  echo "usage: scripts/run-named.sh NAME go test ARGS..." >&2
  exit 2
fi
name=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" -v 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  exit "$rc"
fi
if ! grep -qE "^--- PASS: ${name} \(" "$out"; then
  if grep -qE "^--- SKIP: ${name} \(" "$out"; then
    echo "run-named: $name was skipped: the run it is named for must run it" >&2
  else
    echo "run-named: $name did not run (go test found no test or fuzz target of that name): rename it in the Makefile too" >&2
  fi
  exit 1
fi
