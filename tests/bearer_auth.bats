#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Docker registry token authentication (Bearer), end to end: a real
# docker-registry 2.8 with `auth: token:` trusting our own token server
# (tests/fixtures/token-server.py, started by `registry_start --token-auth`),
# and mirrorkit's release-list | blob-copy against it. Results are checked
# with skopeo (an independent client) and with the token server's request
# log (which never holds passwords or tokens).
#
# Users of the token registry (see tests/lib/registry.bash):
#   alice:alicepw  pull,push on every repository   DIR/auth.json
#   bob:bobpw      pull only                        DIR/auth-bob.json
#   alice's OAuth2 refresh token (identitytoken)    DIR/auth-refresh.json

bats_require_minimum_version 1.5.0

load lib/mirror

SERVICE=mirrorkit-test-registry

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    local d=$BATS_FILE_TMPDIR
    mirror_setup_source || return 1
    export TOK_DIR="$d/tok" TLS_DIR="$d/tok-tls"
    TOK_ADDR=$(mirror_registry tok --token-auth) || return 1
    export TOK_ADDR

    # alice mirrors the whole release, once; what the token server and the
    # registry logged meanwhile is kept for the tests.
    local t0 r0
    t0=$(wc -l <"$TOK_DIR/token.log")
    r0=$(wc -l <"$TOK_DIR/log")
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$TOK_ADDR/ocp4/openshift4" "$RELEASE" \
        2>"$d/list.err" |
        tee "$d/plan.json" |
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" -a "$TOK_DIR/auth.json" \
            >"$d/copy.json" 2>"$d/copy.err"
    echo "${PIPESTATUS[*]}" >"$d/copy.rc"
    tail -n +$((t0 + 1)) "$TOK_DIR/token.log" >"$d/copy-token.log"
    tail -n +$((r0 + 1)) "$TOK_DIR/log" >"$d/copy-registry.log"
}

teardown_file() {
    registry_stop "$TLS_DIR"
    mirror_teardown
}

# tok_digest REF [AUTHFILE] -> sha256 of the raw manifest skopeo fetches from
# the token registry (as alice by default)
tok_digest() {
    local tmp sum
    tmp=$(mktemp "$BATS_TEST_TMPDIR/raw.XXXXXX")
    skopeo inspect --raw --tls-verify=false --authfile "${2:-$TOK_DIR/auth.json}" \
        "docker://$1" >"$tmp" || return 1
    [ -s "$tmp" ] || return 1
    sum=$(sha256sum <"$tmp")
    echo "sha256:${sum%% *}"
}

# plan_to REPO : alice's plan with every dest moved to $TOK_ADDR/REPO
plan_to() {
    sed "s#$TOK_ADDR/ocp4/openshift4#$TOK_ADDR/$1#g" "$BATS_FILE_TMPDIR/plan.json"
}

# token_log_mark / token_log_since MARK : the token requests logged after MARK
token_log_mark() {
    wc -l <"$TOK_DIR/token.log"
}
token_log_since() {
    tail -n +$(($1 + 1)) "$TOK_DIR/token.log"
}

# jwt_part TOKEN N -> the JWT's header (1) or claims (2), decoded
jwt_part() {
    local p
    p=$(cut -d. -f"$2" <<<"$1" | tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    base64 -d <<<"$p"
}

# no_secrets TEXT... : none of the test passwords, their Basic forms or the
# refresh token occurs in the arguments
no_secrets() {
    local s t
    for s in alicepw bobpw "$(printf alice:alicepw | base64)" "$(printf bob:bobpw | base64)" \
        "$(cat "$TOK_DIR/refresh-token")"; do
        for t in "$@"; do
            [[ $t != *"$s"* ]] || { echo "secret leaked: ${s:0:3}..."; return 1; }
        done
    done
}

@test "fixture: token registry and token server on 127.0.0.1, RS256 JWTs with x5c, scopes cut to grants" {
    tok=$(cat "$TOK_DIR/token.addr")
    [[ $TOK_ADDR == 127.0.0.1:* && $tok == 127.0.0.1:* ]]
    grep -qx '  token:' "$TOK_DIR/config.yml"
    grep -qx "    realm: \"http://$tok/token\"" "$TOK_DIR/config.yml"
    grep -qx "    rootcertbundle: \"$TOK_DIR/token.crt\"" "$TOK_DIR/config.yml"
    for f in auth.json auth-bob.json auth-refresh.json token.key; do
        [ "$(stat -c %a "$TOK_DIR/$f")" = 600 ] || { echo "$f not 0600"; return 1; }
    done
    jq -e --arg a "$TOK_ADDR" '.auths[$a].identitytoken | length > 20' "$TOK_DIR/auth-refresh.json"
    kill -0 "$(cat "$TOK_DIR/token.pid")"

    # the registry challenges with Bearer pointing at our token server
    run curl -s -D - -o /dev/null --noproxy '*' "http://$TOK_ADDR/v2/"
    [[ $output == *"HTTP/1.1 401"* ]]
    [[ $output == *"Bearer realm=\"http://$tok/token\",service=\"$SERVICE\""* ]]

    # wrong password -> 401; alice gets what she asked; bob gets pull only
    run curl -s -o /dev/null -w '%{http_code}' --noproxy '*' -u alice:nope \
        "http://$tok/token?service=$SERVICE&scope=repository:x/y:pull"
    [ "$output" = 401 ]
    run curl -sf --noproxy '*' -u alice:alicepw \
        "http://$tok/token?service=$SERVICE&scope=repository:x/y:pull,push&scope=repository:x/z:pull"
    [ "$status" -eq 0 ]
    jq -e '(.token | length > 100) and .access_token == .token and .expires_in == 300
           and (.issued_at | test("^[0-9-]+T[0-9:]+Z$"))' <<<"$output"
    token=$(jq -r .token <<<"$output")
    jwt_part "$token" 1 | jq -en 'input | .alg == "RS256" and .typ == "JWT" and (.x5c | length) == 1'
    jwt_part "$token" 2 | jq -en --arg s "$SERVICE" 'input |
        .iss == "mirrorkit-test-token-issuer" and .sub == "alice" and .aud == $s
        and .exp > .iat and .nbf <= .iat and (.jti | length) > 0
        and .access == [{type: "repository", name: "x/y", actions: ["pull", "push"]},
                        {type: "repository", name: "x/z", actions: ["pull"]}]'
    run curl -sf --noproxy '*' -u bob:bobpw \
        "http://$tok/token?service=$SERVICE&scope=repository:x/y:pull,push"
    [ "$status" -eq 0 ]
    jwt_part "$(jq -r .token <<<"$output")" 2 |
        jq -e '.sub == "bob" and .access == [{type: "repository", name: "x/y", actions: ["pull"]}]'
    # the x5c leaf is our signing cert
    jwt_part "$(jq -r .token <<<"$output")" 1 | jq -r '.x5c[0]' | base64 -d |
        cmp - <(openssl x509 -in "$TOK_DIR/token.crt" -outform DER)
}

@test "alice: release-list | blob-copy copies every image; skopeo verifies the digests" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/copy.rc")" = "0 0 0" ] || {
        cat "$d/copy.rc" "$d/list.err" "$d/copy.err"
        return 1
    }
    [ ! -s "$d/copy.err" ] || { cat "$d/copy.err"; return 1; }
    [ "$(wc -l <"$d/copy.json")" -eq $((NCOMP + 1)) ]
    jq -e -s 'length > 0 and all(.[]; .status == "copied")' "$d/copy.json" >/dev/null || {
        jq -c 'select(.status != "copied")' "$d/copy.json"
        return 1
    }
    diff <(jq -r '"\(.source) \(.dest)"' "$d/plan.json" | sort) \
        <(jq -r '"\(.source) \(.dest)"' "$d/copy.json" | sort)
    n=0
    while read -r dest digest; do
        got=$(tok_digest "$dest")
        [ "$got" = "$digest" ] || { echo "$dest: $got != $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$d/plan.json")
    [ "$n" -eq $((NCOMP + 1)) ]
    [ "$(tok_digest "$TOK_ADDR/ocp4/openshift4:4.3.0-x86_64")" = "$RELEASE_DIGEST" ]
    # the manifest list's children are there too
    while read -r child; do
        [ "$(tok_digest "$TOK_ADDR/ocp4/openshift4@$child")" = "$child" ]
    done < <(fixture_component pod 'children[].digest')
    no_secrets "$(cat "$d/copy.json" "$d/copy.err" "$d/list.err")"
}

@test "alice: tokens carry push scope for ocp4/openshift4 and are reused" {
    d=$BATS_FILE_TMPDIR
    log="$d/copy-token.log"
    ntok=$(wc -l <"$log")
    # every registry request that got through token auth
    nauth=$(grep -c 'msg="authorized request"' "$d/copy-registry.log")
    nblobs=$(jq -s 'map(.blobs_copied // 0) | add' "$d/copy.json")
    echo "token requests: $ntok, authorized registry requests: $nauth, blobs copied: $nblobs"
    [ "$ntok" -ge 1 ]
    jq -e -s --arg s "$SERVICE" 'all(.[]; .status == 200 and .user == "alice" and .method == "GET"
        and .grant_type == "basic" and .service == $s and .path == "/token")' "$log" >/dev/null ||
        { cat "$log"; return 1; }
    # push was asked for, and granted, on the mirror repository
    jq -e -s 'any(.[]; (.scopes | index("repository:ocp4/openshift4:pull,push"))
                       and (.granted | index("repository:ocp4/openshift4:pull,push")))' "$log" >/dev/null
    # only the mirror repository's scopes were asked of this token server
    jq -e -s 'all(.[]; all(.scopes[]; startswith("repository:ocp4/openshift4:")))' "$log" >/dev/null
    # tokens are reused: far fewer token requests than blobs + manifests
    [ "$nblobs" -ge 20 ]
    [ "$nauth" -ge $((nblobs + NCOMP + 1)) ]
    [ "$ntok" -lt 20 ]
    [ $((ntok * 10)) -lt "$nauth" ]
    # the token server log itself holds no secrets
    no_secrets "$(cat "$TOK_DIR/token.log")"
}

@test "bob (pull only): exit 1, every image fails, nothing pushed, password never printed" {
    m=$(token_log_mark)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        -a "$TOK_DIR/auth-bob.json" < <(plan_to bob/openshift4)
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s --arg a "$TOK_ADDR" 'all(.[]; .status == "failed" and (.error | contains($a))
        and (.error | contains("401")))' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    diff <(jq -r .dest <<<"$output" | sort) <(plan_to bob/openshift4 | jq -r .dest | sort)
    # one stderr line per image
    [ "${#stderr_lines[@]}" -eq $((NCOMP + 1)) ] || { echo "$stderr"; return 1; }
    for l in "${stderr_lines[@]}"; do
        [[ $l == blob-copy:*"$TOK_ADDR/bob/openshift4"* ]] || { echo "stderr: $l"; return 1; }
    done
    no_secrets "$output" "$stderr"
    # bob asked for push and the token server granted pull only
    token_log_since "$m" >"$BATS_TEST_TMPDIR/tok.log"
    jq -e -s 'length > 0 and all(.[]; .user == "bob" and .status == 200
        and all(.granted[]; endswith(":pull")))
        and any(.[]; .scopes | index("repository:bob/openshift4:pull,push"))' \
        "$BATS_TEST_TMPDIR/tok.log" >/dev/null || { cat "$BATS_TEST_TMPDIR/tok.log"; return 1; }
    # nothing landed
    run skopeo inspect --raw --tls-verify=false --authfile "$TOK_DIR/auth.json" \
        "docker://$TOK_ADDR/bob/openshift4:4.3.0-x86_64-cli"
    [ "$status" -ne 0 ]
}

@test "bob (pull only): the error says access is denied, not that the credentials are wrong" {
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        -a "$TOK_DIR/auth-bob.json" "$cli" "$TOK_ADDR/bob/scope:cli"
    [ "$status" -eq 1 ]
    err=$(jq -r .error <<<"$output")
    echo "error: $err"
    [[ $err == *"$TOK_ADDR"* ]]
    [[ $err =~ [Dd]enied|[Pp]ermission|insufficient.scope ]]
    [[ $err != *"credentials refused"* ]]
    [[ $stderr =~ [Dd]enied|[Pp]ermission|insufficient.scope ]]
}

@test "identitytoken: OAuth2 refresh-token grant (POST) works, refresh token never printed" {
    m=$(token_log_mark)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        -a "$TOK_DIR/auth-refresh.json" < <(plan_to refresh/openshift4)
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s 'all(.[]; .status == "copied")' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    no_secrets "$output" "$stderr"
    token_log_since "$m" >"$BATS_TEST_TMPDIR/tok.log"
    jq -e -s --arg s "$SERVICE" 'length > 0 and length < 20 and all(.[]; .method == "POST"
        and .grant_type == "refresh_token" and .user == "alice" and .status == 200 and .service == $s)
        and any(.[]; .granted | index("repository:refresh/openshift4:pull,push"))' \
        "$BATS_TEST_TMPDIR/tok.log" >/dev/null || { cat "$BATS_TEST_TMPDIR/tok.log"; return 1; }
    for n in cli pod etcd; do
        [ "$(tok_digest "$TOK_ADDR/refresh/openshift4:4.3.0-x86_64-$n")" = "$(fixture_component "$n" digest)" ]
    done
}

@test "wrong password: the token server refuses, exit 1, password never printed" {
    bad_pw='Wr0ng-Pa55word-xyzzy'
    b64=$(printf 'alice:%s' "$bad_pw" | base64 | tr -d '\n')
    jq -n --arg a "$TOK_ADDR" --arg b "$b64" '{auths: {($a): {auth: $b}}}' >"$BATS_TEST_TMPDIR/bad.json"
    m=$(token_log_mark)
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        -a "$BATS_TEST_TMPDIR/bad.json" "$cli" "$TOK_ADDR/badpw/x:cli"
    [ "$status" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    err=$(jq -r .error <<<"$output")
    [[ $err == *401* && $err =~ [Cc]redentials ]] || { echo "$err"; return 1; }
    [ "${#stderr_lines[@]}" -eq 1 ]
    for s in "$bad_pw" "$b64"; do
        [[ $output != *"$s"* && $stderr != *"$s"* ]] || { echo "secret leaked"; return 1; }
    done
    [ "$(token_log_since "$m" | jq -s 'map(select(.status == 401 and .user == "alice")) | length')" -ge 1 ]
}

@test "no credentials: exit 1 with an error naming the registry" {
    echo '{"auths":{}}' >"$BATS_TEST_TMPDIR/none.json"
    cli=$(fixture_component cli source)
    pod=$(fixture_component pod source)
    m=$(token_log_mark)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        -a "$BATS_TEST_TMPDIR/none.json" "$cli" "$TOK_ADDR/anon/x:cli" "$pod" "$TOK_ADDR/anon/x:pod"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 2 ]
    jq -e -s --arg a "$TOK_ADDR" 'all(.[]; .status == "failed" and (.error | contains($a))
        and (.error | contains("401")))' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    [ "${#stderr_lines[@]}" -eq 2 ]
    [[ $stderr == *"$TOK_ADDR"* ]]
    # the tool asked anonymously and got an empty grant
    token_log_since "$m" | jq -e -s 'length > 0 and all(.[]; .user == null and .granted == [])' >/dev/null

    # and without any credentials file (empty HOME / XDG_RUNTIME_DIR, no -a)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        "$cli" "$TOK_ADDR/anon/y:cli"
    [ "$status" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $(jq -r .error <<<"$output") == *"$TOK_ADDR"* ]]
    run skopeo inspect --raw --tls-verify=false --authfile "$TOK_DIR/auth.json" \
        "docker://$TOK_ADDR/anon/x:cli"
    [ "$status" -ne 0 ]
}

@test "cross-repository mount in the token registry: one token for push on b + pull on a" {
    cli=$(fixture_component cli source)
    want=$(fixture_component cli digest)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$TOK_ADDR" \
        -a "$TOK_DIR/auth.json" "$cli" "$TOK_ADDR/ocp4/a:cli"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]

    m=$(token_log_mark)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$TOK_ADDR" -a "$TOK_DIR/auth.json" \
        "$TOK_ADDR/ocp4/a:cli" "$TOK_ADDR/ocp4/b:cli"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    echo "$output"
    jq -e '.status == "copied" and .blobs_mounted > 0 and .blobs_copied == 0' <<<"$output" >/dev/null
    [ "$(jq -r .digest <<<"$output")" = "$want" ]
    [ "$(tok_digest "$TOK_ADDR/ocp4/b:cli")" = "$want" ]
    token_log_since "$m" >"$BATS_TEST_TMPDIR/tok.log"
    cat "$BATS_TEST_TMPDIR/tok.log"
    jq -e -s 'any(.[]; (.scopes | sort) == ["repository:ocp4/a:pull", "repository:ocp4/b:pull,push"]
        and (.granted | sort) == ["repository:ocp4/a:pull", "repository:ocp4/b:pull,push"]
        and .status == 200)' "$BATS_TEST_TMPDIR/tok.log" >/dev/null
}

@test "--token-auth --tls: Bearer against an HTTPS registry with --ca-file; registry_stop stops both" {
    addr=$(registry_start "$TLS_DIR" --token-auth --tls)
    [ "$(cat "$TLS_DIR/scheme")" = https ]
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$TLS_DIR/ca.crt" \
        -a "$TLS_DIR/auth.json" "$cli" "$addr/ocp4/tls:cli"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]
    skopeo inspect --raw --cert-dir "$TLS_DIR/certs" --authfile "$TLS_DIR/auth.json" \
        "docker://$addr/ocp4/tls:cli" >"$BATS_TEST_TMPDIR/m.json"
    [ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/m.json" | cut -d' ' -f1)" = "$(fixture_component cli digest)" ]
    jq -e -s 'any(.[]; .user == "alice" and (.granted | index("repository:ocp4/tls:pull,push")))' \
        "$TLS_DIR/token.log" >/dev/null

    pid=$(cat "$TLS_DIR/pid")
    tpid=$(cat "$TLS_DIR/token.pid")
    registry_stop "$TLS_DIR"
    [ ! -e "$TLS_DIR/pid" ] && [ ! -e "$TLS_DIR/token.pid" ]
    ! _registry_alive "$pid" || false
    ! _registry_alive "$tpid" || false
}
