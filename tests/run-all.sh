#!/usr/bin/env bash
# Runs the unit tests (GoogleTest) and the Bats tests, then prints one
# closing line "N passed, N failed" over both, and exits non-zero if
# anything failed. Called by `make test` (and `make asan`) with UNIT and
# MK_BIN set.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${UNIT:?path of the unit test binary}" "${MK_BIN:?directory of the tools}"
export MK_BIN

log=$(mktemp)
trap 'rm -f "$log"' EXIT

"$UNIT" --gtest_brief=1 2>&1 | tee "$log"
unit_rc=${PIPESTATUS[0]}
unit_total=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran.*/\1/p' "$log" | tail -n1)
unit_failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below.*/\1/p' "$log" | tail -n1)
unit_skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\?.*/\1/p' "$log" | tail -n1)
unit_total=${unit_total:-0} unit_failed=${unit_failed:-0} unit_skipped=${unit_skipped:-0}
if [ "$unit_rc" != 0 ] && [ "$unit_failed" = 0 ]; then unit_failed=1; fi  # crashed
unit_passed=$((unit_total - unit_failed - unit_skipped))

jobs=()
command -v parallel >/dev/null && jobs=(--jobs 2)
bats "${jobs[@]}" --tap "$here" 2>&1 | tee "$log"
bats_rc=${PIPESTATUS[0]}
bats_passed=$(grep -c '^ok .*' "$log" | head -n1)
bats_skipped=$(grep -c '^ok .* # skip' "$log" | head -n1)
bats_failed=$(grep -c '^not ok ' "$log" | head -n1)
bats_passed=$((bats_passed - bats_skipped))
if [ "$bats_rc" != 0 ] && [ "$bats_failed" = 0 ]; then bats_failed=1; fi

echo "unit: $unit_passed passed, $unit_failed failed, $unit_skipped skipped"
echo "bats: $bats_passed passed, $bats_failed failed, $bats_skipped skipped"
echo "$((unit_passed + bats_passed)) passed, $((unit_failed + bats_failed)) failed, $((unit_skipped + bats_skipped)) skipped"
[ "$unit_failed" = 0 ] && [ "$bats_failed" = 0 ]
