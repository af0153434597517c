#!/usr/bin/env bash
# Runs the unit tests, the integration tests (GoogleTest binaries; the
# latter start a real registry or HTTP server on loopback) and the Bats
# tests, then prints one closing line "N passed, N failed" over all, and
# exits non-zero if anything failed. Called by `make test` (and `make asan`,
# `make tsan`) with UNIT, INTEG and MK_BIN set.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${UNIT:?path of the unit test binary}" "${INTEG:?path of the integration test binary}"
: "${MK_BIN:?directory of the tools}"
export MK_BIN

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# gtest_suite BINARY: runs it, sets g_passed, g_failed, g_skipped.
gtest_suite() {
  "$1" --gtest_brief=1 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]} total failed skipped
  total=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran.*/\1/p' "$log" | tail -n1)
  failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below.*/\1/p' "$log" | tail -n1)
  skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\?.*/\1/p' "$log" | tail -n1)
  total=${total:-0} failed=${failed:-0} skipped=${skipped:-0}
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi  # crashed
  g_passed=$((total - failed - skipped)) g_failed=$failed g_skipped=$skipped
}
gtest_suite "$UNIT"
unit_passed=$g_passed unit_failed=$g_failed unit_skipped=$g_skipped
gtest_suite "$INTEG"
integ_passed=$g_passed integ_failed=$g_failed integ_skipped=$g_skipped

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
echo "integration: $integ_passed passed, $integ_failed failed, $integ_skipped skipped"
echo "bats: $bats_passed passed, $bats_failed failed, $bats_skipped skipped"
echo "$((unit_passed + integ_passed + bats_passed)) passed, $((unit_failed + integ_failed + bats_failed)) failed, $((unit_skipped + integ_skipped + bats_skipped)) skipped"
[ "$unit_failed" = 0 ] && [ "$integ_failed" = 0 ] && [ "$bats_failed" = 0 ]
