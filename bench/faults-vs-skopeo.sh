#!/usr/bin/env bash
# The fault schedules of tests/faults.bats, run against mirrorkit's blob-copy
# and against `skopeo copy --retry-times 3`, side by side (never part of
# `make test`; see doc/faults.md).
#
#   bench/faults-vs-skopeo.sh [--runs N] [--layer-size BYTES] [--only REGEX]
#
# A source registry (TLS + htpasswd) holds the synthetic release
# (tests/fixtures/make-release.py); four images of it (the release, two
# components, the manifest list "pod") are copied registry -> registry
# through tests/fixtures/fault-proxy.py in front of the source, into a fresh
# destination registry (TLS + htpasswd) per tool and run. Run r (1..N) of a
# fault uses seed r and hurts the (1 + r mod 3)th matching request, so the
# runs hit different blobs. After each run tests/lib/check-invariants.py
# checks the destination (skopeo read-back, storage walk), the canaries and
# the Authorization headers at 127.0.0.2.
#
# Output: a markdown table on stdout: per fault, how many runs completed
# (exit 0, every image there) with every invariant holding, for each tool.
# For a fault that lasts ("forever"), completing is impossible: the column
# then counts clean failures (non-zero exit, invariants holding).
# Defaults: 3 runs, 1 MB layers; ~8 minutes on 2 cores.
# --only: just the faults whose name matches REGEX (grep -E). MK_BIN: the
# tools (default: bin/ of this tree). MK_FAULTS_KEEP=1 keeps every run's
# files (logs, records, stderr) and prints where.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MK_BIN=${MK_BIN:-$top/bin}
runs=3
layer_size=1000000
only=''
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --layer-size) layer_size=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "faults-vs-skopeo.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
    esac
done
case $runs in '' | *[!0-9]* | 0) echo "faults-vs-skopeo.sh: --runs must be a positive number" >&2; exit 2 ;; esac

# shellcheck source=tests/lib/registry.bash
source "$top/tests/lib/registry.bash"
# shellcheck source=tests/lib/faults.bash
source "$top/tests/lib/faults.bash"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mk-faults-bench.XXXXXX")
# every registry directory started, one a line (runs happen in subshells)
STARTED="$WORK/started"
cleanup() {
    local d
    if [ -f "$STARTED" ]; then
        while IFS= read -r d; do registry_stop "$d" >/dev/null 2>&1 || true; done <"$STARTED"
    fi
    if [ -n "${MK_FAULTS_KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
export HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/xdg"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG

SRC_USER=$(canary) SRC_PASS=$(canary)
SRC_DIR="$WORK/src"
echo "$SRC_DIR" >>"$STARTED"
SRC_ADDR=$(registry_start "$SRC_DIR" --tls --auth "$SRC_USER" "$SRC_PASS")
faults_alt_cert "$SRC_DIR"
MK_FIXTURE_PASSWORD=$SRC_PASS python3 "$top/tests/fixtures/make-release.py" --registry "$SRC_ADDR" \
    --ca "$SRC_DIR/ca.crt" --user "$SRC_USER" --seed 11 --layer-size "$layer_size" >"$WORK/fixture.json" \
    2>"$WORK/fixture.err" || { cat "$WORK/fixture.err" >&2; exit 1; }
# "PATH DIGEST" of the four images
{
    printf '%s %s\n' openshift-release-dev/ocp-release:4.3.0-x86_64 "$(jq -r .release_digest "$WORK/fixture.json")"
    for name in cli installer pod; do
        jq -r --arg n "$name" '.components[] | select(.name == $n) | "\(.source | sub("^[^/]*/"; "")) \(.digest)"' "$WORK/fixture.json"
    done
} >"$WORK/images"

# The faults: NAME|RULE (jq template; $n is the occurrence to hurt)|LASTS
BLOB='"method": "GET", "path": "/blobs/sha256:"'
FAULTS=(
    "no fault (baseline)|[]|0"
    "503 once|{$BLOB, \"nth\": \$n, \"action\": \"status\", \"status\": 503}|0"
    "500, 502, 504 in a row|[{$BLOB, \"nth\": \$n, \"action\": \"status\", \"status\": 500}, {$BLOB, \"nth\": (\$n+1), \"action\": \"status\", \"status\": 502}, {$BLOB, \"nth\": (\$n+2), \"action\": \"status\", \"status\": 504}]|0"
    "429 + Retry-After: 1|{$BLOB, \"nth\": \$n, \"action\": \"status\", \"status\": 429, \"retry_after\": \"1\"}|0"
    "429, no Retry-After|{$BLOB, \"nth\": \$n, \"action\": \"status\", \"status\": 429}|0"
    "429 + Retry-After HTTP-date|{$BLOB, \"nth\": \$n, \"action\": \"status\", \"status\": 429, \"retry_after_date\": 2}|0"
    "reset at 10% of a blob|{$BLOB, \"nth\": \$n, \"action\": \"reset\", \"at\": 0.1}|0"
    "reset at 50% of a blob|{$BLOB, \"nth\": \$n, \"action\": \"reset\", \"at\": 0.5}|0"
    "reset at 99% of a blob|{$BLOB, \"nth\": \$n, \"action\": \"reset\", \"at\": 0.99}|0"
    "body cut short (clean close)|{$BLOB, \"nth\": \$n, \"action\": \"truncate\", \"at\": 0.5}|0"
    "wrong bytes once|{$BLOB, \"nth\": \$n, \"action\": \"corrupt\", \"count\": 3}|0"
    "redirect to another host|{$BLOB, \"first\": 3, \"action\": \"redirect\", \"to\": \"alt\"}|0"
    "503 forever|{$BLOB, \"action\": \"status\", \"status\": 503}|1"
    "wrong bytes forever|{$BLOB, \"action\": \"corrupt\"}|1"
    "redirect https -> http|{$BLOB, \"nth\": \$n, \"action\": \"redirect\", \"to\": \"plain\"}|1"
)
if "$MK_BIN/blob-copy" --help 2>&1 | grep -q -- --stall-timeout; then
    FAULTS+=("stall 8 s mid-blob (under every timeout)|{$BLOB, \"nth\": \$n, \"action\": \"stall\", \"at\": 0.5, \"seconds\": 8}|0")
fi

export FT
# one_run TOOL FAULT-RULE SEED -> prints "ok" (completed, invariants hold),
# "clean" (failed, invariants hold) or "broken" (an invariant broke)
one_run() {
    local tool=$1 rule=$2 seed=$3 n rc=0 i path digest dest d
    FT="$WORK/run-$tool-$seed-$RANDOM"
    mkdir -p "$FT"
    n=$((1 + seed % 3))
    jq -n --argjson n "$n" "$rule" | jq --argjson seed "$seed" '{seed: $seed, rules: (if type == "array" then . else [.] end)}' >"$FT/s.json"
    local du dp
    du=$(canary) dp=$(canary)
    d="$FT/dst"
    echo "$d" >>"$STARTED"
    local daddr
    daddr=$(registry_start "$d" --tls --auth "$du" "$dp")
    local sp
    sp=$(fault_proxy_start sp "$SRC_DIR" "$FT/s.json")
    faults_authfile "$FT/auth.json" "$sp" "$SRC_USER" "$SRC_PASS" "$daddr" "$du" "$dp"
    cat "$SRC_DIR/ca.crt" "$d/ca.crt" >"$FT/ca.pem"
    : >"$FT/out.json"
    : >"$FT/out.err"
    i=0
    if [ "$tool" = mirrorkit ]; then
        local pairs=()
        while read -r path digest; do
            pairs+=("$sp/$path" "$daddr/mirror/img$i:v1")
            i=$((i + 1))
        done <"$WORK/images"
        "$MK_BIN/blob-copy" -a "$FT/auth.json" --ca-file "$FT/ca.pem" -j 2 "${pairs[@]}" \
            >"$FT/out.json" 2>"$FT/out.err" || rc=$?
    else
        mkdir -p "$FT/srccerts"
        cp "$SRC_DIR/ca.crt" "$FT/srccerts/ca.crt"
        while read -r path digest; do
            dest="$daddr/mirror/img$i:v1"
            i=$((i + 1))
            if skopeo copy --all --preserve-digests --quiet --retry-times 3 \
                --src-cert-dir "$FT/srccerts" --src-authfile "$FT/auth.json" \
                --dest-cert-dir "$d/certs" --dest-authfile "$FT/auth.json" \
                "docker://$sp/$path" "docker://$dest" >>"$FT/out.err" 2>&1; then
                jq -nc --arg d "$dest" --arg g "$digest" '{dest: $d, digest: $g, status: "copied"}' >>"$FT/out.json"
            else
                rc=1
                jq -nc --arg d "$dest" --arg g "$digest" '{dest: $d, digest: $g, status: "failed"}' >>"$FT/out.json"
            fi
        done <"$WORK/images"
    fi
    fault_proxy_stop sp
    local verdict=broken
    if python3 "$CHECK_INVARIANTS" --exit "$rc" --expect-exit "$rc" --records "$FT/out.json" \
        --scan "$FT/out.err" --secret "$du" --secret "$dp" --secret "$SRC_USER" --secret "$SRC_PASS" \
        --proxy-log "$FT/sp.log" --dest-kind registry --cert-dir "$d/certs" --authfile "$d/auth.json" \
        --registry-data "$d/data" --tmp "$FT" >"$FT/check.out" 2>&1; then
        if [ "$rc" = 0 ] && [ "$(jq -s '[.[] | select(.status == "copied" or .status == "present")] | length' "$FT/out.json")" = 4 ]; then
            verdict=ok
        else
            verdict=clean
        fi
    fi
    fault_registry_kill "$d" >/dev/null 2>&1 || registry_stop "$d" >/dev/null 2>&1
    [ -n "${MK_FAULTS_KEEP:-}" ] || rm -rf "$FT"
    echo "$verdict"
}

printf '| fault | runs | mirrorkit blob-copy | skopeo copy --retry-times 3 |\n'
printf '|---|---|---|---|\n'
for f in "${FAULTS[@]}"; do
    name=${f%%|*}
    rest=${f#*|}
    rule=${rest%|*}
    lasts=${rest##*|}
    if [ -n "$only" ] && ! grep -qE -- "$only" <<<"$name"; then continue; fi
    declare -A got=([mirrorkit]=0 [skopeo]=0)
    declare -A done_=([mirrorkit]=0 [skopeo]=0)
    declare -A broke=([mirrorkit]=0 [skopeo]=0)
    for ((seed = 1; seed <= runs; seed++)); do
        for tool in mirrorkit skopeo; do
            v=$(one_run "$tool" "$rule" "$seed")
            [ "$v" = ok ] && done_[$tool]=$((${done_[$tool]} + 1))
            if [ "$v" = broken ]; then
                broke[$tool]=$((${broke[$tool]} + 1))
            elif { [ "$lasts" = 0 ] && [ "$v" = ok ]; } || { [ "$lasts" = 1 ] && [ "$v" = clean ]; }; then
                got[$tool]=$((${got[$tool]} + 1))
            fi
        done
    done
    cell() {
        local t=$1 word=completed
        [ "$lasts" = 1 ] && word="failed cleanly"
        printf '%d/%d %s' "${got[$t]}" "$runs" "$word"
        # a lasting fault that a tool "completed" anyway: it went round the
        # fault (an https -> http redirect followed), say so
        [ "$lasts" = 1 ] && [ "${done_[$t]}" -gt 0 ] && printf ', %d completed' "${done_[$t]}"
        [ "${broke[$t]}" -gt 0 ] && printf ', %d invariant broken' "${broke[$t]}"
        return 0
    }
    printf '| %s | %d | %s | %s |\n' "$name" "$runs" "$(cell mirrorkit)" "$(cell skopeo)"
done
