#!/usr/bin/env bash
# Delta media (issue 15): how much smaller the volumes of a z-stream are when
# packed against the restricted side's inventory, and how long applying them
# takes, against a full pack of the same release. Run by hand, once (not a
# test, not part of `make bench`):
#
#   bench/delta-media.sh [--components N] [--layer-size BYTES] [--change F]
#
# Defaults: 100 components, one random layer of 1,000,000 bytes each (plus
# the fixture's three shared base layers), --change 0.1: release 4.3.1
# rebuilds a tenth of the components of 4.3.0 (make-release.py
# --change-fraction), the rest byte for byte the same, about 90 % of the
# blobs shared. Steps:
#   internet:   A <- 4.3.0; full volumes of A; R <- unpack of them
#   restricted: oci-dir have R
#   internet:   A <- 4.3.1 (A keeps 4.3.0); delta = pack A --exclude-from;
#               A2 <- 4.3.1 alone; full = pack A2
#   restricted: time (unpack delta into a copy of R + verify)
#               vs time (unpack full into an empty directory + verify)
# Output: a markdown table on stdout. MK_BIN: the tools (default bin/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MK_BIN=${MK_BIN:-$top/bin}
# shellcheck source=tests/lib/registry.bash
source "$top/tests/lib/registry.bash"

components=100 layer=1000000 change=0.1
while [ $# -gt 0 ]; do
  case $1 in
  --components) components=$2 ;;
  --layer-size) layer=$2 ;;
  --change) change=$2 ;;
  *) echo "bench/delta-media.sh: unknown argument: $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
  shift 2 || { echo "bench/delta-media.sh: $1 needs a value" >&2; exit 2; }
done
for t in oci-dir blob-copy release-list; do
  [ -x "$MK_BIN/$t" ] || { echo "bench/delta-media.sh: $MK_BIN/$t is not built (make, or set MK_BIN)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mirrorkit-delta.XXXXXX")
case $work in *:*) echo "bench/delta-media.sh: $work contains ':'" >&2; exit 1 ;; esac
cleanup() {
  registry_stop "$work/src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf 'delta-media: %s\n' "$*" >&2; }

src=$(registry_start "$work/src") || { say "cannot start a registry"; exit 1; }
mkrel() {
  "$top/tests/fixtures/make-release.py" --registry "$src" --plain --seed bench --components "$components" \
    --layer-size "$layer" "$@"
}
mkrel --version 4.3.0 >"$work/r1.json"
mkrel --version 4.3.1 --change-fraction "$change" >"$work/r2.json"
to_dir() {
  "$MK_BIN/release-list" "$1" --to-dir "$2" --insecure "$src" | "$MK_BIN/blob-copy" --insecure "$src" >/dev/null
}
now() { date +%s.%N; }
secs() { printf '%.2f' "$(echo "$2 - $1" | bc)"; }
bytes() { jq -s 'map(.bytes) | add' "$1"; }

say "mirroring 4.3.0 and carrying it over in full"
to_dir "$(jq -r .release "$work/r1.json")" "$work/a"
"$MK_BIN/oci-dir" pack "$work/a" --max-size 4095M --out "$work/full1" >/dev/null
"$MK_BIN/oci-dir" unpack "$work"/full1/*.tar --to "$work/r" >/dev/null 2>&1
t0=$(now)
"$MK_BIN/oci-dir" have "$work/r" --out "$work/have.txt" 2>/dev/null
t1=$(now)
have_s=$(secs "$t0" "$t1")

say "mirroring 4.3.1; packing the delta and the full release"
to_dir "$(jq -r .release "$work/r2.json")" "$work/a"
to_dir "$(jq -r .release "$work/r2.json")" "$work/a2"
"$MK_BIN/oci-dir" pack "$work/a" --exclude-from "$work/have.txt" --max-size 4095M --out "$work/delta" >"$work/delta.json"
"$MK_BIN/oci-dir" pack "$work/a2" --max-size 4095M --out "$work/full2" >"$work/full2.json"
delta=$(bytes "$work/delta.json") full=$(bytes "$work/full2.json")

say "applying: the delta into a copy of R, the full release into an empty directory"
cp -a "$work/r" "$work/r-delta"
sync
t0=$(now)
"$MK_BIN/oci-dir" unpack "$work"/delta/*.tar --to "$work/r-delta" >/dev/null 2>&1
t1=$(now)
"$MK_BIN/oci-dir" verify "$work/r-delta" >/dev/null 2>&1
t2=$(now)
"$MK_BIN/oci-dir" unpack "$work"/full2/*.tar --to "$work/r-full" >/dev/null 2>&1
t3=$(now)
"$MK_BIN/oci-dir" verify "$work/r-full" >/dev/null 2>&1
t4=$(now)

n1=$(jq '.blobs' "$work/r1.json")
shared=$(comm -12 <(cd "$work/a2/blobs/sha256" && ls | sort) <(cd "$work/r/blobs/sha256" && ls | sort) | wc -l)
total2=$(find "$work/a2/blobs/sha256" -type f | wc -l)
printf '| %s | %s |\n' "measure" "value"
printf '| --- | --- |\n'
printf '| components, layer size, changed | %s, %s bytes, %s (%s) |\n' "$components" "$layer" \
  "$(jq '.changed | length' "$work/r2.json")" "$change"
printf '| files of 4.3.1 already on the restricted side | %s of %s (4.3.0: %s blobs) |\n' "$shared" "$total2" "$n1"
printf '| inventory (oci-dir have) | %s bytes, %s s |\n' "$(stat -c %s "$work/have.txt")" "$have_s"
printf '| full volumes of 4.3.1 | %s bytes |\n' "$full"
printf '| delta volumes | %s bytes (%s %% of full) |\n' "$delta" "$(echo "scale=1; 100 * $delta / $full" | bc)"
printf '| apply delta: unpack + verify | %s s + %s s |\n' "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")"
printf '| apply full: unpack + verify | %s s + %s s |\n' "$(secs "$t2" "$t3")" "$(secs "$t3" "$t4")"
