#!/usr/bin/env bash
# Benchmark, run on demand (never in the tests): mirror the synthetic release
# registry -> registry with mirrorkit and with skopeo in the same run, on the
# same machine, from the same source, into fresh destinations, and report
# wall time, CPU time and peak memory as ratios against skopeo.
#
#   bench/release-copy.sh [COMPONENTS] [LAYER_BYTES] [JOBS]
#
# skopeo has no release planner, so it is given exactly the (source, dest)
# pairs release-list planned, once one image at a time (how `skopeo copy`
# is scripted) and once with GNU parallel running JOBS copies at once.
# Registries are our own, on 127.0.0.1 with ports picked at run time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MK_BIN=${MK_BIN:-$top/bin}
source "$top/tests/lib/registry.bash"
components=${1:-24} layer=${2:-4000000} jobs=${3:-6}

work=$(mktemp -d "${TMPDIR:-/tmp}/mirrorkit-bench.XXXXXX")
dirs=()
cleanup() {
  for d in "${dirs[@]}"; do registry_stop "$d" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
start() { dirs+=("$work/$1"); registry_start "$work/$1"; }

SRC=$(start src)
python3 "$top/tests/fixtures/make-release.py" --registry "$SRC" --plain --components "$components" \
  --layer-size "$layer" --seed 42 >"$work/fixture.json" 2>/dev/null
"$MK_BIN/release-list" --insecure "$SRC" "$SRC/openshift-release-dev/ocp-release:4.3.0-x86_64" --to PLACEHOLDER/ocp4/openshift4 \
  >"$work/plan.jsonl"
images=$(wc -l <"$work/plan.jsonl")
bytes=$(du -sb "$work/src/data" | cut -f1)
# Warm the page cache so no tool pays for the first read of the source.
find "$work/src/data" -type f -exec cat {} + >/dev/null

# measure NAME INPUT COMMAND...: run with INPUT on stdin; record wall
# seconds, user+sys CPU seconds and peak RSS (KiB; for parallel runs, the
# largest single process).
measure() {
  local name=$1 input=$2
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" <"$input" >"$work/$name.out" 2>"$work/$name.err" ||
    { echo "$name failed:" >&2; tail -5 "$work/$name.err" >&2; exit 1; }
  local wall user sys rss
  read -r wall user sys rss <"$work/$name.time"
  printf '%s %s %s %s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$rss" >>"$work/results"
}

# The (source, dest) pairs for skopeo, from the same plan.
pairs() { jq -r '"\(.source) \(.dest)"' "$1"; }
skopeo_one() {  # SOURCE DEST
  skopeo copy --all --quiet --retry-times 3 --src-tls-verify=false --dest-tls-verify=false "docker://$1" "docker://$2"
}
export -f skopeo_one

A=$(start mk)
sed "s#PLACEHOLDER#$A#" "$work/plan.jsonl" >"$work/plan-mk.jsonl"
measure mirrorkit "$work/plan-mk.jsonl" "$MK_BIN/blob-copy" --insecure "$SRC" --insecure "$A" --jobs "$jobs"

B=$(start sk1)
sed "s#PLACEHOLDER#$B#" "$work/plan.jsonl" >"$work/plan-sk1.jsonl"
pairs "$work/plan-sk1.jsonl" >"$work/pairs-sk1"
measure skopeo-serial "$work/pairs-sk1" bash -c 'while read -r s d; do skopeo_one "$s" "$d"; done'

C=$(start skp)
sed "s#PLACEHOLDER#$C#" "$work/plan.jsonl" >"$work/plan-skp.jsonl"
pairs "$work/plan-skp.jsonl" >"$work/pairs-skp"
measure skopeo-parallel "$work/pairs-skp" parallel -j "$jobs" --colsep ' ' skopeo_one {1} {2}

# Every destination must hold the same manifests, or the numbers mean nothing.
for d in mk sk1 skp; do
  addr=$(cat "$work/$d/addr")
  while read -r _ dest; do
    skopeo inspect --raw --tls-verify=false "docker://${dest/PLACEHOLDER/$addr}" | sha256sum | cut -d' ' -f1
  done < <(pairs "$work/plan.jsonl") >"$work/$d.digests"
done
cmp -s "$work/mk.digests" "$work/sk1.digests" || echo "WARNING: skopeo-serial's manifests differ from the source's (it re-encodes)" >&2
cmp -s "$work/mk.digests" "$work/skp.digests" || echo "WARNING: skopeo-parallel's manifests differ" >&2
expected=$(jq -r .digest "$work/plan.jsonl" | sed 's/^sha256://')
[ "$expected" = "$(cat "$work/mk.digests")" ] || { echo "mirrorkit's manifests differ from the source" >&2; exit 1; }

uploads() { grep -c 'PUT /v2/.*/blobs/uploads/' "$work/$1/log" || true; }
printf 'release: %s images, %s bytes in the source registry, %s jobs, %s\n' "$images" "$bytes" "$jobs" "$(date -u +%FT%TZ)"
printf '%-16s %8s %8s %10s %12s\n' tool wall_s cpu_s max_rss_kib blob_uploads
while read -r name wall cpu rss; do
  dir=$(case $name in mirrorkit) echo mk ;; skopeo-serial) echo sk1 ;; *) echo skp ;; esac)
  printf '%-16s %8s %8s %10s %12s\n' "$name" "$wall" "$cpu" "$rss" "$(uploads "$dir")"
done <"$work/results"
read -r _ mk_wall mk_cpu mk_rss < <(grep '^mirrorkit ' "$work/results")
while read -r name wall cpu rss; do
  [ "$name" = mirrorkit ] && continue
  printf '%s / mirrorkit: wall %.2fx, cpu %.2fx, peak rss %.2fx (above 1: mirrorkit better)\n' "$name" \
    "$(echo "$wall / $mk_wall" | bc -l)" "$(echo "$cpu / $mk_cpu" | bc -l)" "$(echo "$rss / $mk_rss" | bc -l)"
done <"$work/results"
