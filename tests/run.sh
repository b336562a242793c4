#!/usr/bin/env bash
# Runs the GoogleTest binary and ends with the line "N passed, N failed".
# Exits non-zero when a test failed or the binary crashed.
set -uo pipefail
bin=${1:?usage: tests/run.sh TEST_BINARY}
log=$(mktemp)
"$bin" --gtest_color=no 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:.*/\1/p' "$log" | tail -1)
ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$log" | tail -1)
rm -f "$log"
passed=${passed:-0}
failed=${failed:-0}
# A crash ends the run before gtest's summary: count what did not pass.
if [ -z "$ran" ] && [ "$rc" -ne 0 ]; then
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
