#!/usr/bin/env bash
# npm test: typecheck, unit tests, build, e2e, all of which must pass.
#
# The typecheck runs beside the others at the lowest CPU priority (nice 19): the unit tests keep
# both cores to themselves, the e2e mostly wait (about a third of 2 cores), and tsc takes what
# they leave, so it adds no time of its own and takes none from a timed e2e check. Its output
# comes at the end; a type error fails the run as before, only later.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$SECONDS
(
  nice -n 19 npm run --silent typecheck
  status=$?
  echo "typecheck (tsc --noEmit): $([ "$status" -eq 0 ] && echo passed || echo FAILED), done $((SECONDS - started)) s after the start"
  exit "$status"
) >"$log" 2>&1 &
typecheck=$!

npm run test:unit && npm run build && npm run test:e2e
tests=$?

wait "$typecheck"
types=$?
cat "$log"
echo "npm test: $((SECONDS - started)) s"
[ "$tests" -eq 0 ] && [ "$types" -eq 0 ]
