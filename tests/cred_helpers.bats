#!/usr/bin/env bats
# shellcheck disable=SC2153,SC2154  # $output/$stderr/$lines come from bats `run`
#
# Credential helpers (issue 14): credHelpers and credsStore in the auth file
# run docker-credential-NAME get, as docker, podman and skopeo do, against a
# TLS + htpasswd registry. The helpers are scripts of this file's own: they
# log the server URL they were asked for and print the credentials.

bats_require_minimum_version 1.5.0

load lib/mirror

PW='helper s3cret:pass'

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source --components 20 || return 1
    SEC_DIR="$BATS_FILE_TMPDIR/sec"
    SEC_ADDR=$(mirror_registry sec --tls --auth mirror "$PW") || return 1
    HELPERS="$BATS_FILE_TMPDIR/helpers"
    mkdir -p "$HELPERS"
    printf '%s' "$PW" >"$BATS_FILE_TMPDIR/pw"
    chmod 600 "$BATS_FILE_TMPDIR/pw"
    # mktest: the mirror's credentials for the mirror, "not found" for any
    # other server (the protocol's answer for "nothing stored").
    cat >"$HELPERS/docker-credential-mktest" <<EOF
#!/bin/sh
server=\$(cat)
printf '%s %s\n' "\$1" "\$server" >>"$BATS_FILE_TMPDIR/helper.log"
if [ "\$server" = "$SEC_ADDR" ]; then
    printf '{"ServerURL":"%s","Username":"mirror","Secret":"%s"}\n' "\$server" "\$(cat "$BATS_FILE_TMPDIR/pw")"
else
    echo "credentials not found in native keychain"
    exit 1
fi
EOF
    # mkfail: a keychain that is locked; its output names the secret it
    # could not read, which must never reach the user.
    cat >"$HELPERS/docker-credential-mkfail" <<EOF
#!/bin/sh
cat >/dev/null
echo "keychain locked: could not read $PW"
exit 1
EOF
    chmod 755 "$HELPERS"/docker-credential-*
    export SEC_DIR SEC_ADDR HELPERS

    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$SEC_ADDR/ocp4/openshift4" "$RELEASE" \
        >"$BATS_FILE_TMPDIR/plan.json" || return 1
}

teardown_file() {
    mirror_teardown
}

setup() {
    rm -f "$BATS_FILE_TMPDIR/helper.log"
    export PATH="$HELPERS:$PATH"
}

# auth_json FILE JSON : an auth file, 0600
auth_json() {
    printf '%s\n' "$2" >"$1"
    chmod 600 "$1"
}

@test "credHelpers: blob-copy into the htpasswd registry with the helper's credentials" {
    auth_json "$BATS_TEST_TMPDIR/auth.json" "{\"credHelpers\": {\"$SEC_ADDR\": \"mktest\"}}"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/auth.json" <"$BATS_FILE_TMPDIR/plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    json_lines_ok <(printf '%s\n' "$output")
    jq -e -s 'all(.[]; .status == "copied")' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    # The release is there, read back by skopeo with the password itself.
    [ "$(raw_digest "$SEC_DIR" "$SEC_ADDR/ocp4/openshift4@$RELEASE_DIGEST")" = "$RELEASE_DIGEST" ]
    # Asked once (one answer per registry for the run), with the registry's
    # host:port as docker and containers/image pass it; the source registry
    # has no credHelpers entry, so no helper ran for it.
    [ "$(cat "$BATS_FILE_TMPDIR/helper.log")" = "get $SEC_ADDR" ]
    [[ $output != *"$PW"* && $stderr != *"$PW"* ]]
}

@test "credHelpers: release-list reads a release from the htpasswd registry" {
    auth_json "$BATS_TEST_TMPDIR/auth.json" "{\"credHelpers\": {\"$SEC_ADDR\": \"mktest\"}}"
    # The release copied by the test above, or copied here when run alone.
    "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" -a "$BATS_TEST_TMPDIR/auth.json" \
        "$SRC_ADDR/openshift-release-dev/ocp-release@$RELEASE_DIGEST" "$SEC_ADDR/ocp4/release:rl" >/dev/null
    rm -f "$BATS_FILE_TMPDIR/helper.log"
    run --separate-stderr "$MK_BIN/release-list" --ca-file "$SEC_DIR/ca.crt" -a "$BATS_TEST_TMPDIR/auth.json" \
        --to "$SEC_ADDR/elsewhere" "$SEC_ADDR/ocp4/release:rl"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    grep -qx "get $SEC_ADDR" "$BATS_FILE_TMPDIR/helper.log"
    [[ $output != *"$PW"* && $stderr != *"$PW"* ]]
}

@test "credsStore: the default helper, asked for every registry; 'not found' is anonymous" {
    auth_json "$BATS_TEST_TMPDIR/auth.json" '{"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "mktest"}'
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/auth.json" "$cli" "$SEC_ADDR/store/cli:latest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]
    # The source (no credentials there: anonymous) and the mirror.
    [ "$(sort "$BATS_FILE_TMPDIR/helper.log")" = "$(printf 'get %s\nget %s' "$SEC_ADDR" "$SRC_ADDR" | sort)" ]
    [[ $output != *"$PW"* && $stderr != *"$PW"* ]]
}

@test "credHelpers beat the auths entry for the same registry" {
    b64=$(printf 'mirror:wrong-password' | base64 | tr -d '\n')
    auth_json "$BATS_TEST_TMPDIR/auth.json" \
        "{\"auths\": {\"$SEC_ADDR\": {\"auth\": \"$b64\"}}, \"credHelpers\": {\"$SEC_ADDR\": \"mktest\"}}"
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/auth.json" "$cli" "$SEC_ADDR/precedence/cli:latest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(cat "$BATS_FILE_TMPDIR/helper.log")" = "get $SEC_ADDR" ]
}

@test "a helper that fails: one line naming the helper and the registry, never its output; exit 1" {
    auth_json "$BATS_TEST_TMPDIR/auth.json" "{\"credHelpers\": {\"$SEC_ADDR\": \"mkfail\"}}"
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/auth.json" "$cli" "$SEC_ADDR/fail/cli:latest"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ ${stderr_lines[0]} == blob-copy:*"docker-credential-mkfail get for $SEC_ADDR failed with exit status 1"* ]]
    [[ ${stderr_lines[0]} == *"credHelpers for $SEC_ADDR in $BATS_TEST_TMPDIR/auth.json"* ]]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $output != *"$PW"* && $stderr != *"$PW"* && $stderr != *"keychain locked"* ]]
}

@test "a helper missing from PATH: named, with where it was configured; exit 1" {
    auth_json "$BATS_TEST_TMPDIR/auth.json" '{"credsStore": "nothere"}'
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$SEC_DIR/ca.crt" \
        -a "$BATS_TEST_TMPDIR/auth.json" "$cli" "$SEC_ADDR/missing/cli:latest"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ ${stderr_lines[0]} == *"docker-credential-nothere not found on PATH (credsStore in $BATS_TEST_TMPDIR/auth.json)"* ]]
}

@test "a helper answering Username <token>: its Secret is a refresh token, sent to the token server" {
    tok_addr=$(mirror_registry tok --token-auth) || return 1
    tok_dir="$BATS_FILE_TMPDIR/tok"
    cat >"$BATS_TEST_TMPDIR/docker-credential-mktoken" <<EOF
#!/bin/sh
cat >/dev/null
printf '{"ServerURL":"%s","Username":"<token>","Secret":"%s"}\n' "$tok_addr" "\$(cat "$tok_dir/refresh-token")"
EOF
    chmod 755 "$BATS_TEST_TMPDIR/docker-credential-mktoken"
    auth_json "$BATS_TEST_TMPDIR/auth.json" "{\"credHelpers\": {\"$tok_addr\": \"mktoken\"}}"
    cli=$(fixture_component cli source)
    PATH="$BATS_TEST_TMPDIR:$PATH" run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" \
        --insecure "$tok_addr" -a "$BATS_TEST_TMPDIR/auth.json" "$cli" "$tok_addr/refresh/cli:latest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]
    # The token server saw the refresh-token grant, for alice, and granted it.
    jq -e -s 'any(.[]; .grant_type == "refresh_token" and .user == "alice" and .status == 200)' \
        "$tok_dir/token.log" >/dev/null || { cat "$tok_dir/token.log"; return 1; }
    refresh=$(cat "$tok_dir/refresh-token")
    [[ $output != *"$refresh"* && $stderr != *"$refresh"* ]]
}
