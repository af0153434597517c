#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# The fault suite (issue 11): blob-copy behind tests/fixtures/fault-proxy.py,
# a seeded schedule of faults per scenario, and after every run the one
# independent checker, tests/lib/check-invariants.py (content re-verified
# with skopeo / oci-dir verify / sha256sum, nothing partial, no lost image,
# canary credentials nowhere, no Authorization at another host, exit status
# as expected, resume cost bounded). See doc/faults.md.
#
# Topology: a source registry (TLS + htpasswd, canary user per file) holding
# the synthetic release; per test a fresh destination registry (TLS +
# htpasswd, canary user per test); a fault proxy in front of each (TLS with
# the registry's cert, plus 127.0.0.2 "another host" and a plain-HTTP
# listener). Four images are copied: the release, two components and a
# manifest list (pod), registry->registry, registry->dir or dir->registry.

bats_require_minimum_version 1.5.0

load lib/mirror
load lib/faults

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    SRC_USER=$(canary) SRC_PASS=$(canary)
    SRC_DIR="$BATS_FILE_TMPDIR/src"
    SRC_ADDR=$(mirror_registry src --tls --auth "$SRC_USER" "$SRC_PASS") || return 1
    faults_alt_cert "$SRC_DIR" || return 1
    FIXTURE="$BATS_FILE_TMPDIR/fixture.json"
    # ~2 MB layers: a blob is several MiB-sized writes, so kill points and
    # the 1 MiB resume bound mean something; 4 images are ~12 MB.
    MK_FIXTURE_PASSWORD=$SRC_PASS "$MKREL" --registry "$SRC_ADDR" --ca "$SRC_DIR/ca.crt" \
        --user "$SRC_USER" --seed 11 --layer-size 2000000 \
        >"$FIXTURE" 2>"$BATS_FILE_TMPDIR/fixture.err" || {
        cat "$BATS_FILE_TMPDIR/fixture.err" >&2
        return 1
    }
    RELEASE_PATH=openshift-release-dev/ocp-release:4.3.0-x86_64
    local name
    IMAGES=("$RELEASE_PATH")
    for name in cli installer pod; do
        IMAGES+=("$(fixture_component "$name" source | cut -d/ -f2-)")
    done
    printf '%s\n' "${IMAGES[@]}" >"$BATS_FILE_TMPDIR/images"
    # The same four images in an OCI layout directory, for dir->registry
    # (copied straight from the registry, no proxy).
    SRCDIR="$BATS_FILE_TMPDIR/srcdir"
    local pairs=() i=0 img
    for img in "${IMAGES[@]}"; do
        pairs+=("$SRC_ADDR/$img" "dir:$SRCDIR:example.com/mirror/img$i:v1")
        i=$((i + 1))
    done
    "$MK_BIN/blob-copy" -a "$SRC_DIR/auth.json" --ca-file "$SRC_DIR/ca.crt" "${pairs[@]}" \
        >"$BATS_FILE_TMPDIR/srcdir.json" 2>"$BATS_FILE_TMPDIR/srcdir.err" || {
        cat "$BATS_FILE_TMPDIR/srcdir.err" >&2
        return 1
    }
    TOTAL_BYTES=$(du -sb "$SRCDIR/blobs" | cut -f1)
    export SRC_USER SRC_PASS SRC_DIR SRC_ADDR FIXTURE SRCDIR TOTAL_BYTES
}

teardown_file() {
    mirror_teardown
}

setup() {
    FT=$BATS_TEST_TMPDIR
    export FT
    echo '{"seed": 1, "rules": []}' >"$FT/none.json"
}

teardown() {
    fault_proxy_stop sp
    fault_proxy_stop dp
    # the destination is thrown away: no graceful shutdown to wait for
    if [ -n "${DST_DIR:-}" ] && [ -f "$DST_DIR/pid" ]; then
        fault_registry_kill "$DST_DIR" || registry_stop "$DST_DIR"
        rm -f "$DST_DIR/pid"
    fi
    return 0
}

# Options for a fault that lasts: one retry is enough to show retries end
# (the default, 4 with backoff, would spend ~12 s per test).
FAST=(--retries 1)

# Exit statuses (blob-copy(1)): 3 only transient failures, 4 integrity.
TRANSIENT=3
INTEGRITY=4

# Start the destination registry (fresh, canary credentials of this test)
# and the two proxies: scenario SRC_SCHED DST_SCHED (schedule files).
scenario() {
    local src_sched=${1:-$FT/none.json} dst_sched=${2:-$FT/none.json}
    DST_USER=$(canary) DST_PASS=$(canary)
    DST_DIR="$BATS_FILE_TMPDIR/dst$BATS_TEST_NUMBER"
    DST_ADDR=$(mirror_registry "dst$BATS_TEST_NUMBER" --tls --auth "$DST_USER" "$DST_PASS") || return 1
    SP=$(fault_proxy_start sp "$SRC_DIR" "$src_sched") || return 1
    DP=$(fault_proxy_start dp "$DST_DIR" "$dst_sched") || return 1
    faults_authfile "$FT/auth.json" "$SP" "$SRC_USER" "$SRC_PASS" "$DP" "$DST_USER" "$DST_PASS"
    cat "$SRC_DIR/ca.crt" "$DST_DIR/ca.crt" >"$FT/ca.pem"
    export DST_USER DST_PASS DST_DIR DST_ADDR SP DP
}

# pairs MODE : the SOURCE DEST arguments for MODE rr (registry->registry),
# rd (registry->dir $FT/out) or dr (dir->registry), one a line
pairs() {
    local mode=$1 i=0 img
    while IFS= read -r img; do
        case $mode in
        rr) printf '%s\n' "$SP/$img" "$DP/mirror/img$i:v1" ;;
        rd) printf '%s\n' "$SP/$img" "dir:$FT/out:example.com/mirror/img$i:v1" ;;
        dr) printf '%s\n' "dir:$SRCDIR:example.com/mirror/img$i:v1" "$DP/mirror/img$i:v1" ;;
        esac
        i=$((i + 1))
    done <"$BATS_FILE_TMPDIR/images"
}

# copy MODE RUN [blob-copy options] : one blob-copy run; stdout, stderr and
# exit status in $FT/RUN.{json,err,rc}
copy() {
    local mode=$1 run=$2 rc=0
    shift 2
    mapfile -t p < <(pairs "$mode")
    "$MK_BIN/blob-copy" -a "$FT/auth.json" --ca-file "$FT/ca.pem" -j 2 "$@" "${p[@]}" \
        >"$FT/$run.json" 2>"$FT/$run.err" || rc=$?
    echo "$rc" >"$FT/$run.rc"
}

# check MODE RUN EXPECTED-EXITS [checker options] : the invariant checker
# over run RUN; prints what is broken (and the run's stderr) on failure.
check() {
    local mode=$1 run=$2 expect=$3
    shift 3
    local args=(--exit "$(cat "$FT/$run.rc")" --expect-exit "$expect" --records "$FT/$run.json"
        --scan "$FT/$run.err" --secret "$DST_USER" --secret "$DST_PASS"
        --secret "$SRC_USER" --secret "$SRC_PASS" --tmp "$FT")
    local log
    for log in "$FT"/sp.log "$FT"/dp.log "$FT"/sp-*.log; do
        [ -f "$log" ] && args+=(--proxy-log "$log")
    done
    if [ "$mode" = rd ]; then
        args+=(--dest-kind dir --dest-dir "$FT/out" --oci-dir "$MK_BIN/oci-dir")
    else
        args+=(--dest-kind registry --rewrite "$DP" "$DST_ADDR" --cert-dir "$DST_DIR/certs"
            --authfile "$DST_DIR/auth.json" --registry-data "$DST_DIR/data")
    fi
    run python3 "$CHECK_INVARIANTS" "${args[@]}" "$@"
    if [ "$status" -ne 0 ]; then
        echo "invariants broken after $run (exit $(cat "$FT/$run.rc")):"
        echo "$output"
        echo "--- $run stderr:"
        head -c 2000 "$FT/$run.err"
        # what the proxies did that was not plain success, to tell a tool
        # defect from a proxy one
        for log in "$FT"/sp.log "$FT"/dp.log; do
            [ -f "$log" ] || continue
            echo "--- ${log##*/}: faults, errors and failed answers"
            jq -c 'select(.fault != null or .error != null or .status >= 400 or .status == 0)
                   | {name, method, path: .path[0:90], status, bytes_in, bytes_out, fault, error}' "$log" | head -n 20
        done
        return 1
    fi
}

# statuses RUN : "N STATUS" counts of the run's records
all_status() {
    jq -e -s --arg s "$2" 'length == 4 and all(.[]; .status == $s)' "$FT/$1.json" >/dev/null || {
        echo "expected 4 records $2 in $1:"
        cat "$FT/$1.json"
        return 1
    }
}

# fired NAME : how many requests the proxy NAME hurt
fired() {
    jq -s '[.[] | select(.fault != null)] | length' "$FT/$1.log"
}

# sched FILE RULE... : a schedule file, seed 1, with these rules (JSON)
sched() {
    local f=$1
    shift
    jq -n --argjson seed 1 '{seed: $seed, rules: $ARGS.positional}' --jsonargs "$@" >"$f"
}

BLOB_GET='"method": "GET", "path": "/blobs/sha256:"'

@test "no fault: registry->registry through both proxies, TLS + htpasswd; invariants hold" {
    scenario
    copy rr run1
    check rr run1 0
    all_status run1 copied
    # the proxies really carried it, with credentials, and only on main
    [ "$(jq -s '[.[] | select(.authorization)] | length' "$FT/sp.log")" -gt 0 ]
    [ "$(jq -s '[.[] | select(.method == "PUT" and .status == 201)] | length' "$FT/dp.log")" -gt 0 ]
}

@test "the checker fails on what it must catch: a flipped byte in the registry's storage, a canary in stderr, Authorization at 127.0.0.2" {
    scenario
    copy rr run1
    check rr run1 0
    # corrupt one stored layer behind the registry's back
    f=$(find "$DST_DIR/data/docker/registry/v2/blobs/sha256" -name data -size +1000k | head -n 1)
    [ -n "$f" ]
    cp "$f" "$FT/layer.orig"
    printf '\xff' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
    cmp -s "$f" "$FT/layer.orig" && printf '\x00' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
    run ! check rr run1 0
    [[ $output == *"content:"* ]]
    cp "$FT/layer.orig" "$f"
    # and a leaked password
    printf 'oops %s\n' "$DST_PASS" >>"$FT/run1.err"
    run ! check rr run1 0
    [[ $output == *"secrets:"* ]]
    # the checker names the file, never the secret
    [[ $(grep '^secrets:' <<<"$output") == *run1.err* ]]
    [[ $(grep '^secrets:' <<<"$output") != *"$DST_PASS"* ]]
    # and an Authorization header at 127.0.0.2 (a forged log line)
    sed -i "/$DST_PASS/d" "$FT/run1.err"
    check rr run1 0
    echo '{"name": "alt", "listener": "127.0.0.2:1", "method": "GET", "path": "/v2/x/blobs/sha256:00", "authorization": true, "bytes_out": 0, "t0": 0}' >>"$FT/sp.log"
    run ! check rr run1 0
    [[ $output == *"authz: Authorization reached 127.0.0.2:1"* ]]
}

# one_fault MODE SIDE RULE EXPECT : a single rule on the source (sp) or
# destination (dp) proxy; the run must end with exit EXPECT and the
# invariants hold; the rule must have fired.
one_fault() {
    local mode=$1 side=$2 rule=$3 expect=$4
    sched "$FT/rule.json" "$rule"
    if [ "$side" = sp ]; then scenario "$FT/rule.json"; else scenario "$FT/none.json" "$FT/rule.json"; fi
    copy "$mode" run1 "${@:5}"
    check "$mode" run1 "$expect"
    [ "$(fired "$side")" -gt 0 ] || { echo "the fault never fired"; return 1; }
}

@test "503 once on a blob download: survived (exit 0)" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 2, \"action\": \"status\", \"status\": 503}" 0
    all_status run1 copied
}

@test "500, 502, 504 on the first three blob downloads: survived" {
    sched "$FT/s.json" "{$BLOB_GET, \"nth\": 1, \"action\": \"status\", \"status\": 500}" \
        "{$BLOB_GET, \"nth\": 2, \"action\": \"status\", \"status\": 502}" \
        "{$BLOB_GET, \"nth\": 3, \"action\": \"status\", \"status\": 504}"
    scenario "$FT/s.json"
    copy rr run1
    check rr run1 0
    [ "$(fired sp)" -eq 3 ]
}

@test "503 forever on every blob download: failed records, exit transient, nothing partial" {
    one_fault rr sp "{$BLOB_GET, \"action\": \"status\", \"status\": 503}" "$TRANSIENT" "${FAST[@]}"
    jq -e -s 'any(.[]; .status == "failed")' "$FT/run1.json" >/dev/null
}

@test "429 with Retry-After in seconds, twice: survived" {
    one_fault rr sp "{$BLOB_GET, \"first\": 2, \"action\": \"status\", \"status\": 429, \"retry_after\": \"1\"}" 0
    all_status run1 copied
}

@test "429 without Retry-After: survived" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 1, \"action\": \"status\", \"status\": 429}" 0
}

@test "429 with Retry-After as an HTTP-date: survived, and the date is waited for" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 1, \"action\": \"status\", \"status\": 429, \"retry_after_date\": 2}" 0
    # the retry of the hurt path came at least ~1 s later (the date has
    # one-second resolution)
    jq -e -s '(map(select(.fault != null)) | .[0]) as $f
              | [.[] | select(.path == $f.path and .fault == null and .t0 > $f.t1)]
              | length > 0 and (.[0].t0 - $f.t1) >= 0.9' "$FT/sp.log" >/dev/null || {
        jq -c '{path, fault, t0, t1, status}' "$FT/sp.log" | head -20
        return 1
    }
}

@test "reset after 10% of a blob body: survived" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 1, \"action\": \"reset\", \"at\": 0.1}" 0
}

@test "reset after 50% of a blob body: survived" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 2, \"action\": \"reset\", \"at\": 0.5}" 0
}

@test "reset after 99% of a blob body: survived" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 3, \"action\": \"reset\", \"at\": 0.99}" 0
}

@test "clean truncation (Content-Length kept, body cut, close): survived" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 2, \"action\": \"truncate\", \"at\": 0.5}" 0
}

@test "wrong bytes once in a blob body: never stored under that digest, fetched once more: survived" {
    # (one_fault checks the fault fired; the checker that nothing wrong was stored)
    one_fault rr sp "{$BLOB_GET, \"nth\": 2, \"action\": \"corrupt\", \"count\": 3}" 0
    all_status run1 copied
}

@test "wrong bytes forever on blob bodies: failed records, exit integrity, nothing stored under a wrong digest" {
    one_fault rr sp "{$BLOB_GET, \"action\": \"corrupt\"}" "$INTEGRITY"
    jq -e -s 'all(.[]; .status == "failed")' "$FT/run1.json" >/dev/null
    grep -q 'digest' "$FT/run1.err"
}

@test "stall on a blob body beyond the stall timeout: survived" {
    # (the default --stall-timeout, 60 s, would make it too slow here)
    one_fault rr sp "{$BLOB_GET, \"nth\": 1, \"action\": \"stall\", \"at\": 0.5, \"seconds\": 5}" 0 --stall-timeout 2
}

@test "redirect of blob downloads to another host (127.0.0.2): followed, no Authorization sent there" {
    one_fault rr sp "{$BLOB_GET, \"first\": 3, \"action\": \"redirect\", \"to\": \"alt\"}" 0
    all_status run1 copied
    # the redirected requests carried credentials (so dropping them is
    # what kept them from 127.0.0.2), and the other host served them, with
    # the pre-signed token alone
    [ "$(jq -s '[.[] | select(.fault != null and .authorization)] | length' "$FT/sp.log")" -eq 3 ]
    [ "$(jq -s '[.[] | select(.name == "alt" and .status == 200)] | length' "$FT/sp.log")" -eq 3 ]
}

@test "redirect from https to plain http: refused (no --insecure), no Authorization sent in the clear" {
    one_fault rr sp "{$BLOB_GET, \"nth\": 1, \"action\": \"redirect\", \"to\": \"plain\"}" 1
    grep -q 'redirected from https to plain' "$FT/run1.err"
    [ "$(jq -s '[.[] | select(.fault != null and .authorization)] | length' "$FT/sp.log")" -eq 1 ]
    [ "$(jq -s '[.[] | select(.name == "plain")] | length' "$FT/sp.log")" -eq 0 ]
}

@test "upload faults: 503 once on a blob upload's PUT and on a PATCH: survived" {
    sched "$FT/d.json" '{"method": "PUT", "path": "/blobs/uploads/", "nth": 1, "action": "status", "status": 503}' \
        '{"method": "PATCH", "path": "/blobs/uploads/", "nth": 2, "action": "status", "status": 503}'
    scenario "$FT/none.json" "$FT/d.json"
    copy rr run1
    check rr run1 0
}

@test "upload reset half way through a request body: survived" {
    one_fault rr dp '{"method": "PUT", "path": "/blobs/uploads/", "nth": 1, "action": "reset", "on": "request", "at": 0.5}' 0
}

@test "registry->dir: reset, truncation, wrong bytes and 503 in one run: invariants hold" {
    # the flipped bytes are fetched once more (see "wrong bytes once")
    expect=0
    sched "$FT/s.json" "{$BLOB_GET, \"nth\": 1, \"action\": \"reset\", \"at\": 0.5}" \
        "{$BLOB_GET, \"nth\": 3, \"action\": \"truncate\", \"at\": 0.3}" \
        "{$BLOB_GET, \"nth\": 5, \"action\": \"status\", \"status\": 503}" \
        "{$BLOB_GET, \"nth\": 7, \"action\": \"corrupt\"}"
    scenario "$FT/s.json"
    copy rd run1
    check rd run1 "$expect"
    # whatever failed, a re-run completes
    copy rd run2
    check rd run2 0
}

@test "registry->dir: 503 forever: failed records, exit transient, no temporary left" {
    one_fault rd sp "{$BLOB_GET, \"action\": \"status\", \"status\": 503}" "$TRANSIENT" "${FAST[@]}"
    [ -z "$(find "$FT/out" -name '.*tmp*' 2>/dev/null)" ]
}

@test "dir->registry: 503 on the upload start and a cross-host redirect on a HEAD: invariants hold" {
    sched "$FT/d.json" '{"method": "POST", "path": "/blobs/uploads/", "nth": 1, "action": "status", "status": 503}' \
        '{"method": "HEAD", "path": "/blobs/sha256:", "nth": 2, "action": "redirect", "to": "alt"}'
    scenario "$FT/none.json" "$FT/d.json"
    copy dr run1
    check dr run1 0
    copy dr run2
    check dr run2 0
}

@test "dir->registry: 503 forever on every upload start: failed records, exit transient, nothing visible half-pushed" {
    one_fault dr dp '{"method": "POST", "path": "/blobs/uploads/", "action": "status", "status": 503}' "$TRANSIENT" "${FAST[@]}"
    jq -e -s 'length == 4 and all(.[]; .status == "failed")' "$FT/run1.json" >/dev/null
}

@test "dir->registry: the registry killed mid-push and restarted; the re-run completes" {
    # hold an upload once ~40% of the bytes went in, kill -9 the registry
    # meanwhile, restart it on its port; the held upload then goes on
    sched "$FT/d.json" "{\"action\": \"hold\", \"counter\": \"in\", \"total_bytes\": $((TOTAL_BYTES * 2 / 5)), \"seconds\": 2, \"marker\": \"$FT/held\"}"
    scenario "$FT/none.json" "$FT/d.json"
    copy dr run1 &
    pid=$!
    fault_wait_file "$FT/held" 30 || { kill -KILL "$pid"; echo "the upload was never held"; return 1; }
    fault_registry_kill "$DST_DIR"
    fault_registry_restart "$DST_DIR"
    wait "$pid" || true
    check dr run1 0,1,3
    copy dr run2
    check dr run2 0
    all_status run2 copied 2>/dev/null || jq -e -s 'length == 4 and all(.[]; .status == "copied" or .status == "present")' "$FT/run2.json" >/dev/null
}

# kill_at MODE RUN BYTES : run blob-copy; kill -9 it once the source proxy
# has sent BYTES of bodies (a hold keeps that response open meanwhile);
# $FT/sp-RUN.log is the source proxy's log of that run, $FT/RUN.durable the
# blobs that had reached the destination. The next run goes through a fresh
# source proxy without faults (log: $FT/sp.log).
kill_at() {
    local mode=$1 run=$2 bytes=$3 pid i
    sched "$FT/$run.sched" "{\"action\": \"hold\", \"total_bytes\": $bytes, \"seconds\": 20, \"marker\": \"$FT/$run.held\"}"
    # a fresh source proxy with this hold (the idle one had no traffic)
    fault_proxy_stop sp
    rm -f "$FT/sp.log"
    SP=$(fault_proxy_start sp "$SRC_DIR" "$FT/$run.sched") || return 1
    faults_authfile "$FT/auth.json" "$SP" "$SRC_USER" "$SRC_PASS" "$DP" "$DST_USER" "$DST_PASS"
    mapfile -t p < <(pairs "$mode")
    "$MK_BIN/blob-copy" -a "$FT/auth.json" --ca-file "$FT/ca.pem" -j 2 "${p[@]}" \
        >"$FT/$run.json" 2>"$FT/$run.err" &
    pid=$!
    fault_wait_file "$FT/$run.held" 30 || { kill -KILL "$pid"; echo "never reached $bytes bytes"; return 1; }
    if [ "$mode" = rd ]; then
        # The bytes sent so far may still sit in the socket (a busy machine):
        # kill once some are in a partial blob file, so that the next run
        # has something to resume (bounded: 10 s).
        for i in $(seq 100); do
            [ -n "$(find "$FT/out/blobs" -name '.*.tmp-*' -size +0c 2>/dev/null | head -n 1)" ] && break
            sleep 0.1
        done
    fi
    kill -KILL "$pid"
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    echo "$rc" >"$FT/$run.rc"
    if [ "$mode" = rd ]; then
        python3 "$CHECK_INVARIANTS" durable --dest-dir "$FT/out" >"$FT/$run.durable"
    else
        python3 "$CHECK_INVARIANTS" durable --registry-data "$DST_DIR/data" >"$FT/$run.durable"
    fi
    # a killed writer may leave half a line
    jq -c -R 'fromjson? // empty' <"$FT/$run.json" >"$FT/$run.tmp" && mv "$FT/$run.tmp" "$FT/$run.json"
    fault_proxy_stop sp
    mv "$FT/sp.log" "$FT/sp-$run.log"
    # the next run goes through a proxy without faults, on a new port
    SP=$(fault_proxy_start sp "$SRC_DIR" "$FT/none.json") || return 1
    faults_authfile "$FT/auth.json" "$SP" "$SRC_USER" "$SRC_PASS" "$DP" "$DST_USER" "$DST_PASS"
}

@test "registry->dir: blob-copy killed -9 three times (~20%, ~45%, ~65% of the bytes); each re-run fetches again at most what was in flight + 1 MiB per stream" {
    scenario
    prev=''
    # each run is killed after a share of the whole that the runs before
    # left to do: at ~20%, ~45% and ~65% of the bytes in all
    for k in 1:20 2:25 3:20; do
        kill_at rd "k${k%:*}" $((TOTAL_BYTES * ${k#*:} / 100))
        check rd "k${k%:*}" 137
        if [ -n "$prev" ]; then
            check rd "k${k%:*}" 137 --resume "$FT/sp-$prev.log" "$FT/sp-k${k%:*}.log" "$FT/$prev.durable" 2
        fi
        prev="k${k%:*}"
    done
    copy rd final
    check rd final 0 --resume "$FT/sp-$prev.log" "$FT/sp.log" "$FT/$prev.durable" 2
    jq -e -s 'length == 4 and all(.[]; .status == "copied" or .status == "present")' "$FT/final.json" >/dev/null
    # something was resumed from a killed run's temporary file
    jq -e -s 'map(.bytes_resumed // 0) | add > 0' "$FT/final.json" >/dev/null || {
        echo "nothing resumed:"; cat "$FT/final.json"; return 1
    }
}

@test "registry->registry: blob-copy killed -9 half way; the re-run re-fetches at most what was in flight + 1 MiB per stream" {
    scenario
    kill_at rr k50 $((TOTAL_BYTES / 2))
    check rr k50 137
    copy rr final
    check rr final 0 --resume "$FT/sp-k50.log" "$FT/sp.log" "$FT/k50.durable" 2
    jq -e -s 'length == 4 and all(.[]; .status == "copied" or .status == "present")' "$FT/final.json" >/dev/null
}
