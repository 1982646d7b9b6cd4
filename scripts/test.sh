#!/usr/bin/env bash
# npm test: typecheck, unit tests, build, e2e, all of which must pass.
#
# The e2e mostly wait (a flush played at its pace, a meter's panel timeout): 4 files side by side
# keep 2 cores about a third busy. So the build comes first and the e2e run at normal priority,
# while the unit tests and the typecheck run beside them at the lowest CPU priority (nice 19):
# they take what the e2e leave and give it back at once when a browser needs it, so a timed e2e
# check (the latency p95, the meter anchoring within a second) is not slowed, and the unit tests
# add no wall time of their own. Their output comes at the end; a failure fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# `beside NAME COMMAND…`: runs the command niced in the background, its output and verdict to $logs/NAME.
beside() {
  local name=$1
  shift
  (
    nice -n 19 "$@"
    status=$?
    echo "$name: $([ "$status" -eq 0 ] && echo passed || echo FAILED), done $((SECONDS - started)) s after the start"
    exit "$status"
  ) >"$logs/$name" 2>&1 &
}

npm run --silent build || exit 1
beside typecheck npm run --silent typecheck
typecheck=$!
beside unit npm run --silent test:unit
unit=$!

npm run test:e2e
e2e=$?

wait "$unit"
units=$?
wait "$typecheck"
types=$?
cat "$logs/unit" "$logs/typecheck"
echo "e2e: $([ "$e2e" -eq 0 ] && echo passed || echo FAILED)"
echo "npm test: $((SECONDS - started)) s"
[ "$e2e" -eq 0 ] && [ "$units" -eq 0 ] && [ "$types" -eq 0 ]
