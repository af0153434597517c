#!/usr/bin/env bats
# shellcheck disable=SC2046,SC2153,SC2154  # skopeo_args output is meant to be word-split; $output/$stderr/$lines come from bats `run`
#
# blob-copy into a TLS + htpasswd registry: CA handling, credentials files,
# and that passwords never leak into output.

bats_require_minimum_version 1.5.0

load lib/mirror

PW='s3cret pass:with-colon'

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials

    mirror_setup_source || return 1
    SEC_DIR="$BATS_FILE_TMPDIR/sec"
    SEC_ADDR=$(mirror_registry sec --tls --auth mirror "$PW") || return 1
    export SEC_DIR SEC_ADDR

    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$SEC_ADDR/ocp4/openshift4" "$RELEASE" \
        >"$BATS_FILE_TMPDIR/plan.json" || return 1
}

teardown_file() {
    mirror_teardown
}

setup() {
    # every test: no ambient credentials file
    unset REGISTRY_AUTH_FILE
}

# auth_file FILE USER PASS [ADDR] : containers-auth.json for ADDR (default SEC_ADDR)
auth_file() {
    local b64
    b64=$(printf '%s:%s' "$2" "$3" | base64 | tr -d '\n')
    jq -n --arg a "${4:-$SEC_ADDR}" --arg b "$b64" '{auths: {($a): {auth: $b}}}' >"$1"
    chmod 600 "$1"
}

# plan_to REPO : the plan with every dest moved to $SEC_ADDR/REPO
plan_to() {
    sed "s#$SEC_ADDR/ocp4/openshift4#$SEC_ADDR/$1#g" "$BATS_FILE_TMPDIR/plan.json"
}

@test "copy into the TLS+auth registry with --ca-file and -a; digests verified with skopeo" {
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" \
        --ca-file "$SEC_DIR/ca.crt" -a "$SEC_DIR/auth.json" <"$BATS_FILE_TMPDIR/plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    json_lines_ok <(printf '%s\n' "$output")
    jq -e -s 'all(.[]; .status == "copied")' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    n=0
    while read -r dest digest; do
        got=$(raw_digest "$SEC_DIR" "$dest")
        [ "$got" = "$digest" ] || { echo "$dest: $got != $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$BATS_FILE_TMPDIR/plan.json")
    [ "$n" -eq $((NCOMP + 1)) ]
    # the manifest list's children are there too
    while read -r child; do
        [ "$(raw_digest "$SEC_DIR" "$SEC_ADDR/ocp4/openshift4@$child")" = "$child" ]
    done < <(fixture_component pod 'children[].digest')
    # the password never shows up
    [[ $output != *"$PW"* && $stderr != *"$PW"* ]]
}

@test "without --ca-file: exit 1, one-line TLS error naming the registry" {
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" -a "$SEC_DIR/auth.json" \
        "$cli" "$SEC_ADDR/noca/one:cli"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ ${stderr_lines[0]} == blob-copy:*"$SEC_ADDR"* ]]
    [[ ${stderr_lines[0]} =~ TLS|SSL|[Cc]ertificate ]]
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $(jq -r .error <<<"$output") == *"$SEC_ADDR"* ]]
}

@test "without --ca-file: a failed record per image of the release" {
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" -a "$SEC_DIR/auth.json" \
        < <(plan_to noca/all)
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    json_lines_ok <(printf '%s\n' "$output")
    jq -e -s --arg a "$SEC_ADDR" 'all(.[]; .status == "failed" and (.error | contains($a))
        and (.error | test("TLS|SSL|[Cc]ertificate")))' <<<"$output" >/dev/null ||
        { echo "$output"; return 1; }
    diff <(jq -r .dest <<<"$output" | sort) <(plan_to noca/all | jq -r .dest | sort)
    # every stderr line is one TLS error naming the registry
    [ "${#stderr_lines[@]}" -ge 1 ]
    for l in "${stderr_lines[@]}"; do
        [[ $l == blob-copy:*"$SEC_ADDR"* && $l =~ TLS|SSL|[Cc]ertificate ]] || { echo "stderr: $l"; return 1; }
    done
    # nothing reached the registry
    run skopeo inspect --raw $(skopeo_args "$SEC_DIR") "docker://$SEC_ADDR/noca/all:4.3.0-x86_64-cli"
    [ "$status" -ne 0 ]
}

@test "wrong password: exit 1, 401 / credentials refused, password never printed" {
    bad_pw='Wr0ng-Pa55word-xyzzy'
    auth_file "$BATS_TEST_TMPDIR/bad.json" mirror "$bad_pw"
    b64=$(printf 'mirror:%s' "$bad_pw" | base64 | tr -d '\n')
    cli=$(fixture_component cli source)
    pod=$(fixture_component pod source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/bad.json" "$cli" "$SEC_ADDR/badpw/x:cli" "$pod" "$SEC_ADDR/badpw/x:pod"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 2 ]
    jq -e -s 'all(.[]; .status == "failed" and (.error | contains("401"))
        and (.error | test("credentials"; "i")))' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    [[ $stderr == *401* ]]
    [[ $stderr =~ [Cc]redentials ]]
    for s in "$bad_pw" "$b64" "$PW"; do
        [[ $output != *"$s"* ]] || { echo "secret on stdout: $s"; return 1; }
        [[ $stderr != *"$s"* ]] || { echo "secret on stderr: $s"; return 1; }
    done
}

@test "no entry for the registry in the credentials file: exit 1" {
    # a file with credentials for some other registry only
    auth_file "$BATS_TEST_TMPDIR/other.json" mirror "$PW" "127.0.0.1:1"
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/other.json" "$cli" "$SEC_ADDR/noentry/x:cli"
    [ "$status" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $(jq -r .error <<<"$output") == *401* ]]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr != *"$PW"* ]]

    # and no credentials file at all (empty HOME / XDG_RUNTIME_DIR, no -a)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        "$cli" "$SEC_ADDR/noentry/y:cli"
    [ "$status" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $(jq -r .error <<<"$output") == *401* ]]
}

@test "REGISTRY_AUTH_FILE is honoured when -a is absent" {
    cli=$(fixture_component cli source)
    run --separate-stderr env REGISTRY_AUTH_FILE="$SEC_DIR/auth.json" \
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        "$cli" "$SEC_ADDR/envfile/x:cli"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    [ "$(raw_digest "$SEC_DIR" "$SEC_ADDR/envfile/x:cli")" = "$(fixture_component cli digest)" ]
}

@test "-a wins over REGISTRY_AUTH_FILE" {
    auth_file "$BATS_TEST_TMPDIR/bad.json" mirror 'not-the-password'
    cli=$(fixture_component cli source)
    run --separate-stderr env REGISTRY_AUTH_FILE="$BATS_TEST_TMPDIR/bad.json" \
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$SEC_DIR/auth.json" "$cli" "$SEC_ADDR/envfile/y:cli"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]
}
