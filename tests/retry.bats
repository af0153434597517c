#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# The retry engine (issue 11, "Behaviour"): what blob-copy does when a
# registry answers 429/503, stalls or sends the wrong bytes, and the exit
# status it ends with (3 transient, 4 integrity). A real docker-registry on
# 127.0.0.1 holds the fixture release; tests/fixtures/fault-proxy.py in
# front of it injects one scripted fault per test, and its log is what the
# tests count requests with.

bats_require_minimum_version 1.5.0

load lib/mirror
load lib/faults

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
}

teardown_file() {
    mirror_teardown
}

setup() {
    FT=$BATS_TEST_TMPDIR
    export FT
    echo '{"seed": 1, "rules": []}' >"$FT/none.json"
    CLI=$(fixture_component cli source)
}

teardown() {
    fault_proxy_stop sp
    fault_proxy_stop dp
}

# schedule RULE... : a schedule file with these rules (JSON objects), printed
schedule() {
    local file="$FT/sched$RANDOM.json"
    jq -cn --argjson seed 1 '{seed: $seed, rules: $ARGS.positional | map(fromjson)}' --args "$@" >"$file"
    printf '%s\n' "$file"
}

# via_proxy SCHEDULE : start the proxy in front of the source registry;
# SOURCE is then the cli component through it.
via_proxy() {
    SP=$(fault_proxy_start sp "$SRC_DIR" "$1") || return 1
    SOURCE=${CLI/#$SRC_ADDR/$SP}
    [ "$SOURCE" != "$CLI" ]
}

# now_ms : wall-clock milliseconds
now_ms() {
    date +%s%3N
}

# log_count JQ-FILTER : proxy requests (sp) the filter selects
log_count() {
    jq -s "[.[] | select($1)] | length" "$FT/sp.log"
}

@test "429 with Retry-After as an HTTP-date 2 s ahead: waited out, then the copy succeeds" {
    via_proxy "$(schedule '{"method": "GET", "path": "/manifests/", "nth": 1, "action": "status", "status": 429, "retry_after_date": 2}')"
    start=$(now_ms)
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --insecure "$SP" "$SOURCE" "dir:$FT/out:cli"
    elapsed=$(($(now_ms) - start))
    echo "$output $stderr elapsed ${elapsed}ms"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    # the 429, then the same manifest again after the wait
    [ "$(log_count '.method == "GET" and (.path | test("/manifests/")) and .status == 429')" -eq 1 ]
    [ "$(log_count '.method == "GET" and (.path | test("/manifests/")) and .status == 200')" -ge 1 ]
    # The date has whole seconds: "2 s ahead" is a wait of more than 1 s.
    [ "$elapsed" -ge 1000 ]
    [ "$elapsed" -lt 20000 ]
}

@test "503 forever on blobs: each tried 1 + --retries times, a failed record with code unavailable, exit 3" {
    via_proxy "$(schedule '{"method": "GET", "path": "/blobs/", "action": "status", "status": 503}')"
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --retries 2 --insecure "$SP" "$SOURCE" "dir:$FT/out:cli"
    echo "$output"
    echo "$stderr"
    [ "$status" -eq 3 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [ "$(jq -r .code <<<"$output")" = unavailable ]
    [[ $(jq -r .error <<<"$output") == *"HTTP 503"*"(gave up after 3 attempts)"* ]]
    [[ $stderr == *"gave up after 3 attempts"* ]]
    # Retries visible at the server: every blob asked for exactly 3 times
    # (the Client's attempts; the copy does not start them over again).
    counts=$(jq -rs '[.[] | select(.method == "GET" and (.path | test("/blobs/")))] | group_by(.path) | map(length) | unique | join(",")' "$FT/sp.log")
    [ "$counts" = 3 ]
}

@test "--retry-budget 0: the first transient failure is final and says so" {
    via_proxy "$(schedule '{"method": "GET", "path": "/manifests/", "action": "status", "status": 503}')"
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --retry-budget 0 --insecure "$SP" "$SOURCE" "dir:$FT/out:cli"
    echo "$output"
    [ "$status" -eq 3 ]
    [[ $(jq -r .error <<<"$output") == *"(retry budget of 0 spent)"* ]]
    [ "$(log_count '.method == "GET" and (.path | test("/manifests/"))')" -eq 1 ]
}

@test "a Retry-After longer than 60 s ends the request at once, saying how long the server asked for" {
    via_proxy "$(schedule '{"method": "GET", "path": "/manifests/", "action": "status", "status": 503, "retry_after": "3600"}')"
    start=$(now_ms)
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --insecure "$SP" "$SOURCE" "dir:$FT/out:cli"
    elapsed=$(($(now_ms) - start))
    echo "$output"
    [ "$status" -eq 3 ]
    [[ $(jq -r .error <<<"$output") == *"the server asked to wait 3600 s, more than the 60 s we wait"* ]]
    [ "$elapsed" -lt 10000 ]
}

@test "--deadline 2s against a stalling server: ends in about 2 s, deadline exceeded, exit 3" {
    via_proxy "$(schedule '{"method": "GET", "path": "/blobs/", "action": "stall", "seconds": 30, "at": 0}')"
    start=$(now_ms)
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --deadline 2s --insecure "$SP" "$SOURCE" "dir:$FT/out:cli"
    elapsed=$(($(now_ms) - start))
    echo "$output $stderr elapsed ${elapsed}ms"
    [ "$status" -eq 3 ]
    [ "$(jq -r .code <<<"$output")" = unavailable ]
    [[ $(jq -r .error <<<"$output") == *"deadline exceeded (--deadline 2s)"* ]]
    [ "$elapsed" -ge 1500 ]
    [ "$elapsed" -lt 8000 ]
}

@test "bytes that do not match their digest: a failed record with code data-loss, exit 4, nothing stored" {
    via_proxy "$(schedule '{"method": "GET", "path": "/blobs/", "action": "corrupt"}')"
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --insecure "$SP" "$SOURCE" "dir:$FT/out:cli"
    echo "$output"
    [ "$status" -eq 4 ]
    [ "$(jq -r .code <<<"$output")" = data-loss ]
    # No blob file under a digest its bytes do not have.
    if [ -d "$FT/out/blobs/sha256" ]; then
        for f in "$FT/out/blobs/sha256"/*; do
            [ -e "$f" ] || continue
            [ "$(sha256sum "$f" | cut -d' ' -f1)" = "${f##*/}" ]
        done
    fi
}

@test "a 503 on a blob upload: the blob starts over with a new upload session, the copy succeeds" {
    DST_ADDR=$(mirror_registry "dst$BATS_TEST_NUMBER") || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst$BATS_TEST_NUMBER"
    DP=$(fault_proxy_start dp "$DST_DIR" "$(schedule '{"method": "PUT", "path": "/blobs/uploads/", "nth": 1, "action": "status", "status": 503}')")
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --jobs 1 --insecure "$SRC_ADDR" --insecure "$DP" \
        "$CLI" "$DP/retry/cli:v1"
    echo "$output"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    jq -c '{method, path, status}' "$FT/dp.log"
    [ "$(jq -s '[.[] | select(.method == "PUT" and (.path | test("/blobs/uploads/")) and .status == 503)] | length' "$FT/dp.log")" -eq 1 ]
    # one upload session more than there are blobs: the failed one was started over
    posts=$(jq -s '[.[] | select(.method == "POST" and (.path | test("/blobs/uploads/")))] | length' "$FT/dp.log")
    puts=$(jq -s '[.[] | select(.method == "PUT" and (.path | test("/blobs/uploads/")) and .status == 201)] | length' "$FT/dp.log")
    [ "$posts" -eq $((puts + 1)) ]
    # the destination holds the image, every blob verified (skopeo is the oracle)
    digest=$(jq -r .digest <<<"$output")
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/retry/cli:v1")" = "$digest" ]
    skopeo copy --quiet --src-tls-verify=false "docker://$DST_ADDR/retry/cli:v1" "oci:$FT/check:cli" >/dev/null
}

@test "a reset half way through a blob upload's body: the blob starts over, the copy succeeds" {
    DST_ADDR=$(mirror_registry "dst$BATS_TEST_NUMBER") || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst$BATS_TEST_NUMBER"
    DP=$(fault_proxy_start dp "$DST_DIR" "$(schedule '{"method": "PUT", "path": "/blobs/uploads/", "nth": 1, "action": "reset", "on": "request", "at": 0.5}')")
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --jobs 1 --insecure "$SRC_ADDR" --insecure "$DP" \
        "$CLI" "$DP/retry/reset:v1"
    echo "$output"
    echo "$stderr"
    jq -c '{method, path, status, fault, error, bytes_in}' "$FT/dp.log"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/retry/reset:v1")" = "$(jq -r .digest <<<"$output")" ]
}
