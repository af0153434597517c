#!/usr/bin/env bash
# The benchmark harness (`make bench`; never part of `make test`).
#
# Mirrors a synthetic OpenShift release with mirrorkit and with its peers in
# ONE interleaved run, so that a shared or noisy machine moves every tool's
# numbers alike and the ratios stay meaningful. Each round runs every tool
# once per scenario, in an order rotated by one each round; the table gives
# medians over the rounds.
#
#   bench/run.sh [--images N] [--layer-size BYTES] [--rounds R] [--jobs J]
#                [--big-size BYTES] [--scenarios LIST] [--out DIR]
#
# Defaults: 100 images with one 2 MB random layer each (~210 MB of unique
# blobs; make-release.py also shares a base layer by all and two by some),
# 3 rounds, blob-copy --jobs 6, a 1 GiB big blob, OUT bench/results; ~10-15
# minutes on 2 cores. The issue's sizes: --layer-size 10000000 --big-size
# 2147483648. MK_BIN: the tools to measure; MK_COMMIT: what they were built
# from, for the JSON (default: this tree's HEAD).
#
# Tools: mirrorkit (release-list plan | blob-copy), skopeo sync --src yaml
# (exactly the plan's images), skopeo copy per image (one after another, and
# under GNU parallel -j4), and raw (bench/raw.py: the unique blobs moved once
# each over keep-alive connections, no mirroring logic: the lower bound).
# Scenarios (LIST, comma separated; default all):
#   cold, rerun, changed   registry -> registry, plain HTTP and TLS+htpasswd
#                          destination: cold; again with everything present;
#                          then with one image replaced by a new one
#   to-dir, from-dir       registry -> directory, then that directory -> a
#                          fresh registry (each tool from its own directory)
#   big                    one image whose single layer is BIG_SIZE bytes
# Every destination is a fresh docker-registry on 127.0.0.1 (ports picked at
# run time); any tool failure or any wrong manifest stops the run.
# Output: a markdown table on stdout, JSON in OUT/<date>-release.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MK_BIN=${MK_BIN:-$top/bin}
# shellcheck source=tests/lib/registry.bash
source "$top/tests/lib/registry.bash"

images=100 layer=2000000 rounds=3 jobs=6 big=$((1 << 30))
scenarios=cold,rerun,changed,to-dir,from-dir,big out=$here/results
while [ $# -gt 0 ]; do
  case $1 in
  --images) images=$2 ;;
  --layer-size) layer=$2 ;;
  --rounds) rounds=$2 ;;
  --jobs) jobs=$2 ;;
  --big-size) big=$2 ;;
  --scenarios) scenarios=$2 ;;
  --out) out=$2 ;;
  *) echo "bench/run.sh: unknown argument: $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
  shift 2 || { echo "bench/run.sh: $1 needs a value" >&2; exit 2; }
done
want() { [[ ,$scenarios, == *,$1,* ]]; }
for t in blob-copy release-list; do
  [ -x "$MK_BIN/$t" ] || { echo "bench/run.sh: $MK_BIN/$t is not built (make, or set MK_BIN)" >&2; exit 1; }
done
for t in skopeo parallel jq python3 docker-registry /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/run.sh: $t is missing (make deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mirrorkit-bench.XXXXXX")
# The registries started, one directory a line: a file, not an array,
# because `ADDR=$(start NAME)` runs start in a subshell.
started="$work/registries"
cleanup() {
  local d
  if [ -f "$started" ]; then
    while IFS= read -r d; do registry_stop "$d" 2>/dev/null || true; done <"$started"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# start NAME [registry_start options] -> ADDR of a fresh registry in $work/NAME
start() {
  local d=$work/$1
  shift
  rm -rf "$d"
  printf '%s\n' "$d" >>"$started"
  registry_start "$d" "$@" || die "cannot start a registry in $d"
}
stop() { registry_stop "$work/$1"; rm -rf "${work:?}/$1"; }

# --- the source: the release, the changed image, the big image -------------
SRC=$(start src)
say "pushing a $images-image release (layers of $layer bytes) to $SRC"
python3 "$top/tests/fixtures/make-release.py" --registry "$SRC" --plain --components "$images" \
  --layer-size "$layer" --seed 42 >"$work/fixture.json" 2>"$work/fixture.err" ||
  die "make-release.py failed: $(tail -1 "$work/fixture.err")"
"$MK_BIN/release-list" --insecure "$SRC" "$SRC/openshift-release-dev/ocp-release:4.3.0-x86_64" \
  --to PLACEHOLDER/ocp4/openshift4 >"$work/plan.jsonl" || die "release-list failed"
python3 "$here/raw.py" walk --src "$SRC" --plan "$work/plan.jsonl" >"$work/set.json"
# One image changed (a z-stream rebuild of cli): a new image of one new layer
# of LAYER bytes replaces it in the plan, the rest stays as mirrored.
art=openshift-release-dev/ocp-v4.0-art-dev
changed=$(python3 "$here/raw.py" big --dst "$SRC" --repo "$art" --tag bench-changed --size "$layer")
jq -c --arg d "$changed" --arg s "$SRC/$art@$changed" \
  'if .name == "cli" then .digest = $d | .source = $s else . end' "$work/plan.jsonl" >"$work/plan-changed.jsonl"
grep -q "$changed" "$work/plan-changed.jsonl" || die "the plan has no cli image to change"
python3 "$here/raw.py" walk --src "$SRC" --plan "$work/plan-changed.jsonl" >"$work/set-changed.json"
if want big; then
  say "pushing one image with a $big-byte layer"
  bigdigest=$(python3 "$here/raw.py" big --dst "$SRC" --repo bench/big --tag latest --size "$big")
  printf '{"kind":"image","name":"big","source":"%s","digest":"%s","dest":"PLACEHOLDER/bench/big:latest"}\n' \
    "$SRC/bench/big@$bigdigest" "$bigdigest" >"$work/plan-big.jsonl"
  python3 "$here/raw.py" walk --src "$SRC" --plan "$work/plan-big.jsonl" >"$work/set-big.json"
fi
unique=$(jq .bytes "$work/set.json")
unique_changed=$(jq -n --slurpfile a "$work/set.json" --slurpfile b "$work/set-changed.json" \
  '[$b[0].blobs[] | select(.digest as $d | [$a[0].blobs[].digest] | index($d) | not) | .size] | add')
# The raw bound for the changed image: its new blobs and its manifest only.
jq --slurpfile a "$work/set.json" --arg d "$changed" \
  '.blobs |= map(select(.digest as $x | [$a[0].blobs[].digest] | index($x) | not))
   | .manifests |= map(select(.digest == $d)) | .bytes = ([.blobs[].size] | add)' \
  "$work/set-changed.json" >"$work/set-delta.json"
nimages=$(wc -l <"$work/plan.jsonl")
# Warm the page cache so no tool pays for the first read of the source.
find "$work/src/data" -type f -exec cat {} + >/dev/null

# --- measuring --------------------------------------------------------------
# measure SCENARIO TOOL ROUND BYTES REGDIR INPUT COMMAND...: one run with INPUT
# on stdin; appends a line to results.tsv: wall, user+sys CPU seconds, peak
# RSS of the largest single process (KiB), bytes the leg must move, HTTP
# requests the registry in REGDIR logged meanwhile.
measure() {
  local scenario=$1 tool=$2 round=$3 bytes=$4 reg=$5 input=$6
  shift 6
  local log=$work/$reg/log before after wall user sys rss
  before=$(requests "$log")
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" <"$input" >"$work/out" 2>"$work/err" || {
    say "$tool failed in $scenario (round $round): $*"
    tail -5 "$work/err" >&2
    exit 1
  }
  after=$(requests "$log")
  read -r wall user sys rss < <(tail -1 "$work/time")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$tool" "$round" "$wall" \
    "$(echo "$user + $sys" | bc)" "$rss" "$bytes" "$((after - before))" >>"$work/results.tsv"
  say "$(printf '%-9s %-10s round %s: %6.2f s' "$scenario" "$tool" "$round" "$wall")"
}

# requests LOG: how many requests docker-registry's access log holds
requests() { grep -cE '^127\.0\.0\.1 - .*"(GET|HEAD|PUT|POST|PATCH|DELETE) ' "$1" || true; }

# Command lines. $1 is the destination registry's directory: plain, or with
# certs/ and auth.json for TLS+auth.
dest_mk() {
  if [ -f "$work/$1/auth.json" ]; then
    printf '%s\n' --ca-file "$work/$1/ca.crt" -a "$work/$1/auth.json"
  else
    printf '%s\n' --insecure "$(cat "$work/$1/addr")"
  fi
}
pairs() { jq -r '"\(.source) \(.dest)"' "$1"; }
sync_yaml() {  # PLAN -> skopeo sync's YAML: exactly the plan's images, by digest
  printf '%s:\n  tls-verify: false\n  images:\n' "$SRC"
  jq -r '.source | sub("^[^/]*/"; "") | split("@") | "\(.[0]) \(.[1])"' "$1" | sort |
    awk '$1 != last { printf "    %s:\n", $1; last = $1 } { printf "      - %s\n", $2 }'
}
skopeo_one() {  # SOURCE DEST [skopeo options...]
  local s=$1 d=$2
  shift 2
  skopeo copy --all --preserve-digests --quiet --retry-times 3 --src-tls-verify=false "$@" "$s" "$d"
}
export -f skopeo_one

# run_tool SCENARIO TOOL ROUND BYTES DESTDIR PLAN SET: a registry -> registry
# leg into the registry in DESTDIR, PLAN's PLACEHOLDER filled in.
run_tool() {
  local scenario=$1 tool=$2 round=$3 bytes=$4 reg=$5 plan=$6 set=$7 addr
  addr=$(cat "$work/$reg/addr")
  sed "s#PLACEHOLDER#$addr#" "$plan" >"$work/plan-run.jsonl"
  local -a mk sk raw=()
  mapfile -t mk < <(dest_mk "$reg")
  mapfile -t sk < <(skopeo_args "$work/$reg" --dest)
  [ -f "$work/$reg/auth.json" ] && raw=(--ca "$work/$reg/ca.crt")
  case $tool in
  mirrorkit)
    measure "${@:1:4}" "$reg" "$work/plan-run.jsonl" "$MK_BIN/blob-copy" --insecure "$SRC" "${mk[@]}" --jobs "$jobs" ;;
  skopeo-sync)
    sync_yaml "$plan" >"$work/sync.yaml"
    measure "${@:1:4}" "$reg" /dev/null skopeo sync --all --preserve-digests --retry-times 3 \
      --src yaml --dest docker "${sk[@]}" "$work/sync.yaml" "$addr/sync" ;;
  copy-serial)
    pairs "$work/plan-run.jsonl" | sed 's#\([^ ]*\) \(.*\)#docker://\1 docker://\2#' >"$work/pairs"
    # shellcheck disable=SC2016  # expanded by the inner bash
    measure "${@:1:4}" "$reg" "$work/pairs" bash -c 'while read -r s d; do skopeo_one "$s" "$d" "$@"; done' _ "${sk[@]}" ;;
  copy-par4)
    pairs "$work/plan-run.jsonl" | sed 's#\([^ ]*\) \(.*\)#docker://\1 docker://\2#' >"$work/pairs"
    measure "${@:1:4}" "$reg" "$work/pairs" parallel --halt now,fail=1 -j4 --colsep ' ' skopeo_one '{1}' '{2}' "${sk[@]}" ;;
  raw)
    local user='' mode=copy
    [ -f "$work/$reg/user" ] && user=$(cat "$work/$reg/user")
    # the bound when everything is present: one HEAD per blob and manifest
    [[ $scenario == rerun-* ]] && mode='head'
    RAW_USER=$user RAW_PASSWORD=${user:+benchpw} measure "${@:1:4}" "$reg" /dev/null \
      python3 "$here/raw.py" "$mode" --src "$SRC" --dst "$addr" ${raw[@]+"${raw[@]}"} "$set" ;;
  esac
}

# check TOOL DESTDIR PLAN: every image of PLAN is in the registry, byte for
# byte (mirrorkit and raw under the plan's names; skopeo sync under its own).
check() {
  local tool=$1 reg=$2 plan=$3 addr auth=() repo ref
  addr=$(cat "$work/$reg/addr")
  [ -f "$work/$reg/auth.json" ] && auth=(--cacert "$work/$reg/ca.crt" -u "$(cat "$work/$reg/user"):benchpw")
  local scheme
  scheme=$(cat "$work/$reg/scheme")
  while read -r src dest digest; do
    if [ "$tool" = skopeo-sync ]; then
      repo=${src%@*}  # sync names it by the last part of the source repository
      repo=sync/${repo##*/} ref=$digest
    else
      repo=${dest#*/} ref=$digest
      repo=${repo%:*}
    fi
    curl -sf --noproxy '*' ${auth[@]+"${auth[@]}"} -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' \
      "$scheme://$addr/v2/$repo/manifests/$ref" | sha256sum | grep -q "^${digest#sha256:} " ||
      die "$tool: $repo@$digest is missing or differs in $reg"
  done < <(jq -r '"\(.source) \(.dest) \(.digest)"' "$plan")
}

rotate() {  # ROUND TOOL... -> the tools, rotated by ROUND
  local r=$1
  shift
  local -a t=("$@")
  local n=${#t[@]} i
  for ((i = 0; i < n; i++)); do printf '%s\n' "${t[(i + r) % n]}"; done
}

: >"$work/results.tsv"
tools=(mirrorkit skopeo-sync copy-serial copy-par4 raw)
for ((round = 1; round <= rounds; round++)); do
  for transport in plain tls; do
    want cold || want rerun || want changed || break
    while read -r tool; do
      if [ "$transport" = tls ]; then
        start dst --tls --auth bench benchpw >/dev/null
      else
        start dst >/dev/null
      fi
      run_tool "cold-$transport" "$tool" "$round" "$unique" dst "$work/plan.jsonl" "$work/set.json"
      [ "$round" = 1 ] && check "$tool" dst "$work/plan-run.jsonl"
      if want rerun; then
        run_tool "rerun-$transport" "$tool" "$round" 0 dst "$work/plan.jsonl" "$work/set.json"
      fi
      if want changed; then
        run_tool "changed-$transport" "$tool" "$round" "$unique_changed" dst "$work/plan-changed.jsonl" "$work/set-delta.json"
        [ "$round" = 1 ] && check "$tool" dst "$work/plan-changed.jsonl"
      fi
      stop dst
    done < <(rotate "$round" "${tools[@]}")
  done
done

# --- registry -> directory, and each tool's directory -> a fresh registry ---
# (plain HTTP; copy-serial is left out of these legs: it is copy-par4 one at
# a time, and the whole run must stay short)
if want to-dir || want from-dir; then
  "$MK_BIN/release-list" --insecure "$SRC" "$SRC/openshift-release-dev/ocp-release:4.3.0-x86_64" \
    --to-dir "$work/DIRPLACEHOLDER" >"$work/plan-todir.jsonl" || die "release-list --to-dir failed"
  dirtools=(mirrorkit skopeo-sync copy-par4 raw)
  for ((round = 1; round <= rounds; round++)); do
    while read -r tool; do
      d=$work/dir-$tool
      rm -rf "$d"
      mkdir -p "$d"
      case $tool in
      mirrorkit)
        sed "s#$work/DIRPLACEHOLDER#$d#" "$work/plan-todir.jsonl" >"$work/plan-run.jsonl"
        measure to-dir "$tool" "$round" "$unique" src "$work/plan-run.jsonl" \
          "$MK_BIN/blob-copy" --insecure "$SRC" --jobs "$jobs" ;;
      skopeo-sync)
        sync_yaml "$work/plan.jsonl" >"$work/sync.yaml"
        measure to-dir "$tool" "$round" "$unique" src /dev/null skopeo sync --all --preserve-digests \
          --retry-times 3 --src yaml --dest dir "$work/sync.yaml" "$d" ;;
      copy-par4)
        jq -r '"docker://\(.source) \(.name)"' "$work/plan.jsonl" >"$work/pairs"
        measure to-dir "$tool" "$round" "$unique" src "$work/pairs" \
          parallel --halt now,fail=1 -j4 --colsep ' ' skopeo_one '{1}' "dir:$d/{2}" ;;
      raw)
        measure to-dir "$tool" "$round" "$unique" src /dev/null python3 "$here/raw.py" fetch --src "$SRC" \
          --out "$d" "$work/set.json" ;;
      esac
      want from-dir || { rm -rf "$d"; continue; }
      addr=$(start dst)
      sed "s#PLACEHOLDER#$addr#" "$work/plan.jsonl" >"$work/plan-reg.jsonl"
      case $tool in
      mirrorkit)
        # the plan is read from the directory, as an operator on the far side does
        "$MK_BIN/release-list" "dir:$d:4.3.0*" --to "$addr/ocp4/openshift4" >"$work/plan-run.jsonl" ||
          die "release-list dir:$d failed"
        measure from-dir "$tool" "$round" "$unique" dst "$work/plan-run.jsonl" \
          "$MK_BIN/blob-copy" --insecure "$addr" --jobs "$jobs" ;;
      skopeo-sync)
        measure from-dir "$tool" "$round" "$unique" dst /dev/null skopeo sync --all --preserve-digests \
          --retry-times 3 --src dir --dest docker --dest-tls-verify=false "$d" "$addr/sync" ;;
      copy-par4)
        jq -r '"dir:'"$d"'/\(.name) docker://\(.dest)"' "$work/plan-reg.jsonl" >"$work/pairs"
        measure from-dir "$tool" "$round" "$unique" dst "$work/pairs" \
          parallel --halt now,fail=1 -j4 --colsep ' ' skopeo_one '{1}' '{2}' --dest-tls-verify=false ;;
      raw)
        measure from-dir "$tool" "$round" "$unique" dst /dev/null python3 "$here/raw.py" push --dir "$d" \
          --dst "$addr" "$work/set.json" ;;
      esac
      [ "$round" = 1 ] && [ "$tool" != skopeo-sync ] && check "$tool" dst "$work/plan-reg.jsonl"
      stop dst
      rm -rf "$d"
    done < <(rotate "$round" "${dirtools[@]}")
  done
fi

# --- one big blob: peak memory ----------------------------------------------
if want big; then
  bigbytes=$(jq .bytes "$work/set-big.json")
  for ((round = 1; round <= rounds; round++)); do
    while read -r tool; do
      start dst >/dev/null
      run_tool big "$tool" "$round" "$bigbytes" dst "$work/plan-big.jsonl" "$work/set-big.json"
      [ "$round" = 1 ] && check "$tool" dst "$work/plan-run.jsonl"
      stop dst
    done < <(rotate "$round" mirrorkit copy-serial raw)
  done
fi

# --- the report ---------------------------------------------------------------
mkdir -p "$out"
stamp=$(date -u +%Y-%m-%d)
commit=${MK_COMMIT:-$(git -C "$top" rev-parse --short HEAD)}  # MK_COMMIT: what MK_BIN was built from
python3 "$here/report.py" --results "$work/results.tsv" --json "$out/$stamp-release.json" \
  --meta "date=$(date -u +%FT%TZ)" --meta "commit=$commit" --meta "cpus=$(nproc)" \
  --meta "images=$nimages" --meta "unique_bytes=$unique" --meta "layer_size=$layer" \
  --meta "big_bytes=${bigbytes:-0}" --meta "rounds=$rounds" --meta "jobs=$jobs" \
  --meta "load=$(cut -d' ' -f1-3 /proc/loadavg)"
