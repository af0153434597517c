#!/usr/bin/env bash
# Peak memory of catalog-list over a big Operator catalog (issue 13: "a
# catalog of 5,000 bundles with 20 related images each is read in well
# under 256 MiB"). Not a test; run it by hand:
#
#   bench/catalog-memory.sh [--bundles N] [--related M] [--select SELECTOR]...
#
# Generates a file-based catalog with tests/fixtures/make-catalog.py
# (--bundles N --related M: packages of 50 bundles in a replaces chain,
# each bundle's documents carrying a few KiB of CSV metadata, images by
# digest that need not exist), pushes it into a docker-registry of its own
# on 127.0.0.1 (a port picked at run time, stopped at exit), and runs under
# /usr/bin/time -v:
#   1. catalog-list over the whole catalog (every bundle, every image: the
#      worst case, all of it in the plan);
#   2. catalog-list --package of one package --catalog-to the same registry
#      (the second streaming pass and the pruned layer);
#   3. the whole catalog --catalog-to (every document rewritten).
# Prints the catalog's size in bytes (its layers, compressed, and the
# configs uncompressed), and for each run the records written, the peak RSS
# and the wall time. No peer is compared: opm and oc-mirror are not
# installed offline; run them on the same catalog by hand to compare.
# MK_BIN: the tools to measure (default bin/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MK_BIN=${MK_BIN:-$top/bin}
# shellcheck source=tests/lib/registry.bash
source "$top/tests/lib/registry.bash"

bundles=5000 related=20
while [ $# -gt 0 ]; do
  case $1 in
  --bundles) bundles=$2 ;;
  --related) related=$2 ;;
  *) echo "bench/catalog-memory.sh: unknown argument: $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
  shift 2 || { echo "bench/catalog-memory.sh: $1 needs a value" >&2; exit 2; }
done
[ -x "$MK_BIN/catalog-list" ] || { echo "bench/catalog-memory.sh: $MK_BIN/catalog-list is not built (make, or set MK_BIN)" >&2; exit 1; }
for t in docker-registry jq python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/catalog-memory.sh: $t is missing (make deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mk-catalog-bench.XXXXXX")
cleanup() { registry_stop "$work/reg" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
addr=$(registry_start "$work/reg")

echo "generating a catalog of $bundles bundles x $related related images ..." >&2
"$top/tests/fixtures/make-catalog.py" --registry "$addr" --plain --bundles "$bundles" --related "$related" \
  --name big-index >"$work/summary.json"
catalog=$(jq -r .catalog "$work/summary.json")
layers=$(jq -r .layers_bytes "$work/summary.json")
configs=$(python3 - "$addr" "$(jq -r .configs_layer "$work/summary.json")" "$catalog" <<'PY'
import gzip, http.client, sys
addr, digest, catalog = sys.argv[1], sys.argv[2], sys.argv[3]
repo = catalog[len(addr) + 1:].rsplit(":", 1)[0]
c = http.client.HTTPConnection(addr, timeout=60)
c.request("GET", "/v2/%s/blobs/%s" % (repo, digest))
print(len(gzip.decompress(c.getresponse().read())))
PY
)

# measure NAME ARGS...: runs catalog-list, prints one table row.
measure() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/time" "$MK_BIN/catalog-list" --insecure "$addr" "$@" "$catalog" \
    >"$work/out.jsonl" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  local rss wall records
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
  records=$(wc -l <"$work/out.jsonl")
  printf '| %s | %s | %d MiB | %s |\n' "$name" "$records" $(((rss + 1023) / 1024)) "$wall"
}

echo
echo "catalog: $bundles bundles x $related related images; layers $layers bytes (gzip), configs $configs bytes (uncompressed)"
echo
echo "| run | records | peak RSS | wall |"
echo "| --- | --- | --- | --- |"
measure "whole catalog (no --package)"
measure "--package pkg-0000 --catalog-to" --package pkg-0000 --catalog-to "$addr/bench/pruned:1"
measure "whole catalog --catalog-to" --catalog-to "$addr/bench/whole:1"
