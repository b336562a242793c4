#!/usr/bin/env bash
# Runs GoogleTest binaries, then each fuzz harness briefly, and ends with the
# line "N passed, N failed". Exits non-zero when anything failed or crashed.
#   tests/run.sh TEST_BINARY... [-- FUZZ_HARNESS...]
set -uo pipefail
fuzz_seconds=${FUZZ_SMOKE_SECONDS:-15}
passed=0
failed=0
fuzzing=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
  if [ "$bin" = "--" ]; then
    fuzzing=1
    continue
  fi
  if [ "$fuzzing" = 1 ]; then
    name=$(basename "$bin")
    corpus=$(mktemp -d)
    seeds=""
    [ -d "fuzz/corpus/$name" ] && seeds="fuzz/corpus/$name"
    if "$bin" -max_total_time="$fuzz_seconds" -print_final_stats=1 "$corpus" $seeds >"$log" 2>&1; then
      echo "[  FUZZ OK ] $name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') runs in ${fuzz_seconds}s)"
      passed=$((passed + 1))
    else
      echo "[  FUZZ FAIL] $name"
      tail -40 "$log"
      failed=$((failed + 1))
    fi
    rm -rf "$corpus"
    continue
  fi
  "$bin" --gtest_color=no 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:.*/\1/p' "$log" | tail -1)
  ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$log" | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  # A crash ends the run before gtest's summary: count it as a failure.
  if [ -z "$ran" ] && [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
