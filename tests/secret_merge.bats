#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# secret-merge: the mirror procedure's step 3.3.3 (add the mirror registry's
# credentials to the pull secret) and the other edits; results checked with
# jq and coreutils' base64, and used by real consumers: skopeo and our own
# blob-copy against a TLS + htpasswd registry on 127.0.0.1.

bats_require_minimum_version 1.5.0

load lib/registry

MK_BIN=${MK_BIN:-$BATS_TEST_DIRNAME/../bin}

# The mirror account; the password has spaces and ':' on purpose.
USER_NAME=mirror
PW='s3cret pass:with colon'
MIRROR=mirror.example.com:5000

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    # Never read the user's own credentials (skopeo's default auth files).
    export HOME="$BATS_FILE_TMPDIR/home" XDG_RUNTIME_DIR="$BATS_FILE_TMPDIR/xdg"
    mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    unset REGISTRY_AUTH_FILE DOCKER_CONFIG

    REG_DIR="$BATS_FILE_TMPDIR/reg"
    REG_ADDR=$(registry_start "$REG_DIR" --tls --auth "$USER_NAME" "$PW") || return 1
    export REG_DIR REG_ADDR
    MK_FIXTURE_PASSWORD=$PW "$BATS_TEST_DIRNAME/fixtures/make-release.py" --registry "$REG_ADDR" \
        --ca "$REG_DIR/ca.crt" --user "$USER_NAME" --components 20 --layer-size 512 --seed 3 \
        >"$BATS_FILE_TMPDIR/fixture.json" 2>"$BATS_FILE_TMPDIR/fixture.err" || {
        cat "$BATS_FILE_TMPDIR/fixture.err" >&2
        return 1
    }
}

teardown_file() {
    registry_stop "$BATS_FILE_TMPDIR/reg"
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    B64=$(echo -n "$USER_NAME:$PW" | base64 -w0)
    # The seed's example pull secret, as downloaded: one compact line.
    PS=$BATS_TEST_TMPDIR/pull-secret.text
    printf '%s\n' '{"auths":{"cloud.openshift.com":{"auth":"b3BlbnNoaWZ0LXJlbGVhc2UtZGV2K29jbTpUT0tFTjE=","email":"you@example.com"},"quay.io":{"auth":"b3BlbnNoaWZ0LXJlbGVhc2UtZGV2K29jbTpUT0tFTjE=","email":"you@example.com"},"registry.connect.redhat.com":{"auth":"NTE3Njg5Nnx1aGMtMWFiYzpleUpoYkdjaU9p","email":"you@example.com"},"registry.redhat.io":{"auth":"NTE3Njg5Nnx1aGMtMWFiYzpleUpoYkdjaU9p","email":"you@example.com"}}}' >"$PS"
    SEED_KEYS='cloud.openshift.com quay.io registry.connect.redhat.com registry.redhat.io'
}

# sm PASSWORD ARGS... : secret-merge with PASSWORD (and a newline) on stdin.
sm() {
    local pw=$1
    shift
    printf '%s\n' "$pw" | "$MK_BIN/secret-merge" "$@"
}

# no_secret : neither $output nor $stderr holds the password or its base64.
no_secret() {
    local s
    for s in "$PW" "$B64" "$(echo -n "$PW" | base64 -w0)" "s3cret"; do
        [[ $output != *"$s"* ]] || { echo "secret on stdout: $s"; return 1; }
        [[ ${stderr-} != *"$s"* ]] || { echo "secret on stderr: $s"; return 1; }
    done
}

# keys FILE : the auths keys, in file order, on one line.
keys() {
    jq -r '.auths | keys_unsorted | join(" ")' "$1"
}

@test "adds the mirror to the seed's pull secret: valid JSON, auth as base64 -w0, the rest untouched, mode 0600" {
    run --separate-stderr sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin \
        --email you@example.com -o out.json
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$output" ]
    jq -e . out.json >/dev/null
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].auth' out.json)" = "$(echo -n "$USER_NAME:$PW" | base64 -w0)" ]
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].email' out.json)" = you@example.com ]
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k] | keys_unsorted | join(" ")' out.json)" = "auth email" ]
    [ "$(keys out.json)" = "$SEED_KEYS $MIRROR" ]
    # Indented exactly as jq does it, and without the mirror it is `jq .` of the input, byte for byte.
    diff <(jq . out.json) out.json
    diff <(jq --arg k "$MIRROR" 'del(.auths[$k])' out.json) <(jq . "$PS")
    [ "$(stat -c %a out.json)" = 600 ]
    # The seed's warning, once, on stderr.
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == *"$MIRROR"*"install pull secret"* ]]
    no_secret
}

@test "prints to standard output like jq . and reads standard input" {
    run --separate-stderr "$MK_BIN/secret-merge" "$PS"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    diff <(printf '%s\n' "$output") <(jq . "$PS")
    run --separate-stderr "$MK_BIN/secret-merge" <"$PS"
    [ "$status" -eq 0 ]
    diff <(printf '%s\n' "$output") <(jq . "$PS")
    run --separate-stderr "$MK_BIN/secret-merge" - <"$PS"
    [ "$status" -eq 0 ]
    diff <(printf '%s\n' "$output") <(jq . "$PS")
    # The added entry to stdout too.
    run --separate-stderr sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 0 ]
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].auth' <<<"$output")" = "$B64" ]
}

@test "replaces an entry in place, keeping its key, position and email; rewrites the file in place" {
    mkdir d
    jq -c --arg k "$MIRROR" '.auths = {($k): {"auth": "b2xkOm9sZA==", "email": "m@example.com", "identitytoken": "tok"}} + .auths' \
        "$PS" >d/ps.json
    chmod 644 d/ps.json
    run --separate-stderr sm "$PW" d/ps.json --registry "$MIRROR" --username "$USER_NAME" --password-stdin -o d/ps.json
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(keys d/ps.json)" = "$MIRROR $SEED_KEYS" ]
    [ "$(jq -c --arg k "$MIRROR" '.auths[$k]' d/ps.json)" = "{\"auth\":\"$B64\",\"email\":\"m@example.com\"}" ]
    [ "$(stat -c %a d/ps.json)" = 600 ]
    [ "$(ls -A d)" = ps.json ]
    # Another spelling of the same registry is the same entry.
    run --separate-stderr sm "other pw" d/ps.json --registry "MIRROR.example.com:5000" --username other \
        --password-stdin -o d/ps.json
    [ "$status" -eq 0 ]
    [ "$(keys d/ps.json)" = "$MIRROR $SEED_KEYS" ]
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].auth' d/ps.json | base64 -d)" = "other:other pw" ]
}

@test "the password: one trailing newline removed, spaces and ':' kept" {
    printf '%s \n' "$PW" | "$MK_BIN/secret-merge" "$PS" --registry "$MIRROR" --username "$USER_NAME" \
        --password-stdin -o out.json 2>/dev/null
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].auth' out.json | base64 -d)" = "$USER_NAME:$PW " ]
    printf '%s' "$PW" | "$MK_BIN/secret-merge" "$PS" --registry "$MIRROR" --username "$USER_NAME" \
        --password-stdin -o out.json 2>/dev/null
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].auth' out.json)" = "$B64" ]
}

@test "--list: one auth record per entry, registry and user only" {
    sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin -o out.json 2>/dev/null
    run --separate-stderr "$MK_BIN/secret-merge" --list out.json
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${#lines[@]}" -eq 5 ]
    jq -e -s 'all(.[]; .kind == "auth" and (keys_unsorted == ["kind", "registry", "username"]))' <<<"$output" >/dev/null
    [ "$(jq -r .registry <<<"$output" | tr '\n' ' ')" = "$SEED_KEYS $MIRROR " ]
    [ "${lines[4]}" = "{\"kind\":\"auth\",\"registry\":\"$MIRROR\",\"username\":\"$USER_NAME\"}" ]
    [ "$(jq -r .username <<<"${lines[0]}")" = openshift-release-dev+ocm ]
    # No secret of any entry: not the mirror's, not the seed's.
    no_secret
    [[ $output != *TOKEN1* && $output != *b3Blbn* && $output != *eyJhbGciOi* ]]
    # From standard input too.
    run --separate-stderr "$MK_BIN/secret-merge" --list <out.json
    [ "${#lines[@]}" -eq 5 ]
}

@test "docker config.json forms: username/password and identitytoken are read, listed and merged" {
    cat >config.json <<'EOF'
{"auths":{"https://index.docker.io/v1/":{"username":"hubuser","password":"hub pw"},
"token.example.com":{"auth":"PHRva2VuPjo=","identitytoken":"refresh-xyz"},
"helper.example.com":{}},"credsStore":"desktop","HttpHeaders":{"User-Agent":"x"}}
EOF
    run --separate-stderr "$MK_BIN/secret-merge" --list config.json
    [ "$status" -eq 0 ]
    [ "$(jq -r '"\(.registry)=\(.username)"' <<<"$output" | tr '\n' ' ')" = \
        "https://index.docker.io/v1/=hubuser token.example.com=<token> helper.example.com= " ]
    [[ $output != *"hub pw"* && $output != *refresh-xyz* ]]
    # Adding keeps credsStore and HttpHeaders where they are.
    run --separate-stderr sm "$PW" config.json --registry "$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 0 ]
    [ "$(jq -r 'keys_unsorted | join(" ")' <<<"$output")" = "auths credsStore HttpHeaders" ]
    # Merged into the pull secret: credentials copied as they are, the empty entry skipped with a note.
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" --from-file config.json
    [ "$status" -eq 0 ]
    [ "$(keys <(printf '%s\n' "$output"))" = "$SEED_KEYS https://index.docker.io/v1/ token.example.com" ]
    [ "$(jq -r '.auths["token.example.com"].identitytoken' <<<"$output")" = refresh-xyz ]
    [ "$(jq -r 'has("credsStore")' <<<"$output")" = false ]
    [[ $stderr == *helper.example.com* ]]
}

@test "--from-file merges: a later file wins, --no-overwrite keeps what is there" {
    jq -n '{auths: {"quay.io": {auth: "YTph"}, "a.example.com": {auth: "YTpi"}}}' >one.json
    jq -n '{auths: {"a.example.com": {auth: "YTpj"}, "b.example.com:5000": {auth: "YTpk"}}}' >two.json
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" --from-file one.json --from-file two.json -o merged.json
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$output" ]
    [ "$(keys merged.json)" = "$SEED_KEYS a.example.com b.example.com:5000" ]
    [ "$(jq -r '.auths["quay.io"].auth' merged.json)" = YTph ]
    [ "$(jq -r '.auths["a.example.com"].auth' merged.json)" = YTpj ]
    [ "$(stat -c %a merged.json)" = 600 ]

    run --separate-stderr "$MK_BIN/secret-merge" "$PS" --from-file one.json --from-file two.json --no-overwrite
    [ "$status" -eq 0 ]
    [ "$(jq -c '.auths["quay.io"]' <<<"$output")" = "$(jq -c '.auths["quay.io"]' "$PS")" ]
    [ "$(jq -r '.auths["a.example.com"].auth' <<<"$output")" = YTpi ]
    [[ $stderr == *quay.io*no-overwrite* ]]
}

@test "--remove drops every entry for the registry; an absent one exits 1 and writes nothing" {
    sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin -o out.json 2>/dev/null
    run --separate-stderr "$MK_BIN/secret-merge" out.json --remove "$MIRROR" -o out.json
    [ "$status" -eq 0 ]
    diff out.json <(jq . "$PS")
    cp out.json before.json
    run --separate-stderr "$MK_BIN/secret-merge" out.json --remove "$MIRROR" -o out.json
    [ "$status" -eq 1 ]
    [ "$stderr" = "secret-merge: out.json: no auths entry for \"$MIRROR\"" ]
    cmp out.json before.json
}

@test "--for-install: the pull-only account, no other credential for the mirror, no warning" {
    jq -c --arg k "$MIRROR" --arg b "$B64" \
        '.auths += {($k): {auth: $b}, ($k + "/ocp4/openshift4"): {auth: $b}, "mirror.example.com": {auth: "YTpi"}}' \
        "$PS" >writer.json
    run --separate-stderr sm "pull only:pw" writer.json --registry "$MIRROR" --username puller --password-stdin \
        --for-install -o install.json
    [ "$status" -eq 0 ]
    [[ $stderr != *warning* ]]
    [[ $stderr == *"$MIRROR/ocp4/openshift4"* ]]
    [ "$(keys install.json)" = "$SEED_KEYS $MIRROR mirror.example.com" ]
    [ "$(jq -r --arg k "$MIRROR" '.auths[$k].auth' install.json)" = "$(echo -n 'puller:pull only:pw' | base64 -w0)" ]
    run ! grep -qF "$B64" install.json
    no_secret
}

@test "no --password option: the password is never taken from the command line" {
    run --separate-stderr "$MK_BIN/secret-merge" --password x
    [ "$status" -eq 2 ]
    for form in "--password" "--pass" "--passw" "--password-std"; do
        run --separate-stderr "$MK_BIN/secret-merge" "$PS" --registry "$MIRROR" --username "$USER_NAME" "$form" "$PW"
        [ "$status" -eq 2 ] || { echo "$form: exit $status"; return 1; }
        [[ $stderr == *"Try 'secret-merge --help'"* ]]
        [ -z "$output" ]
        no_secret
    done
    for form in "--password=$PW" "--password-stdin=$PW"; do
        run --separate-stderr "$MK_BIN/secret-merge" "$PS" --registry "$MIRROR" --username "$USER_NAME" "$form"
        [ "$status" -eq 2 ]
        no_secret
    done
    run -0 "$MK_BIN/secret-merge" --help
    [[ $output == *--password-stdin* ]]
    run ! grep -qE -- '--password( |=|$)' <<<"$output"
}

@test "failing calls say what is wrong and never show the credentials" {
    printf '{"auths":{"x.example.com":{"auth":"%s"}' "$B64" >truncated.json
    printf '{"auths":{"x.example.com":{"auth":"%s$"}}}\n' "$B64" >bad64.json
    nocolon=$(echo -n 's3cret-without-colon' | base64 -w0)
    printf '{"auths":{"x.example.com":{"auth":"%s"}}}\n' "$nocolon" >nocolon.json
    printf '{"auths":[{"auth":"%s"}]}\n' "$B64" >notobject.json

    run --separate-stderr sm "$PW" truncated.json --registry "$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 1 ]
    [[ $stderr == "secret-merge: truncated.json: invalid json"* ]]
    no_secret
    run --separate-stderr "$MK_BIN/secret-merge" bad64.json
    [ "$status" -eq 1 ]
    # shellcheck disable=SC2016  # the backquotes are part of the message
    [ "$stderr" = 'secret-merge: bad64.json: auths["x.example.com"].auth is not valid base64 (as `base64 -w0` writes it)' ]
    no_secret
    run --separate-stderr "$MK_BIN/secret-merge" --list nocolon.json
    [ "$status" -eq 1 ]
    [ "$stderr" = 'secret-merge: nocolon.json: auths["x.example.com"].auth does not decode to user:password' ]
    [[ $stderr != *"$nocolon"* ]]
    run --separate-stderr "$MK_BIN/secret-merge" notobject.json
    [ "$status" -eq 1 ]
    [ "$stderr" = 'secret-merge: notobject.json: "auths" is not an object' ]
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" --from-file bad64.json
    [ "$status" -eq 1 ]
    [[ $stderr == *"bad64.json: auths[\"x.example.com\"].auth"* ]]
    no_secret

    # Missing --registry, empty or multi-line password, bad names: refused, never echoed.
    run --separate-stderr sm "$PW" "$PS" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 2 ]
    no_secret
    run --separate-stderr sm "" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 1 ]
    [ "$stderr" = "secret-merge: the password on standard input is empty" ]
    run --separate-stderr sm "$PW"$'\n'"$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 1 ]
    no_secret
    run --separate-stderr sm "$PW" "$PS" --registry "https://$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 2 ]
    [[ $stderr == *scheme* ]]
    no_secret
    run --separate-stderr sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME:$PW" --password-stdin
    [ "$status" -eq 2 ]
    no_secret
    run --separate-stderr sm "$PW" "$PS" --registry mirror --username "$USER_NAME" --password-stdin
    [ "$status" -eq 2 ]
    # The pull secret and the password cannot both come from standard input.
    run --separate-stderr sm "$PW" --registry "$MIRROR" --username "$USER_NAME" --password-stdin
    [ "$status" -eq 2 ]
    [[ $stderr == *"standard input"* ]]
    no_secret
    run --separate-stderr "$MK_BIN/secret-merge" --registry "$MIRROR" --username "$USER_NAME" --password-stdin - <"$PS"
    [ "$status" -eq 2 ]
}

@test "registry names: host, host:port and repository paths; no scheme" {
    for r in mirror.example.com mirror.example.com:5000 localhost:5000 127.0.0.1:5000 "[::1]:5000" \
        mirror.example.com:5000/ocp4/openshift4; do
        run --separate-stderr sm "$PW" "$PS" --registry "$r" --username "$USER_NAME" --password-stdin
        [ "$status" -eq 0 ] || { echo "$r: $stderr"; return 1; }
        [ "$(jq -r --arg k "$r" '.auths[$k].auth' <<<"$output")" = "$B64" ]
    done
    for r in "http://$MIRROR" "$MIRROR/repo:tag" "$MIRROR:99999" mirror "mirror.example.com/Upper"; do
        run --separate-stderr sm "$PW" "$PS" --registry "$r" --username "$USER_NAME" --password-stdin
        [ "$status" -eq 2 ] || { echo "$r: exit $status"; return 1; }
    done
}

@test "atomic write: a failed run leaves the previous file and no temporary file" {
    mkdir d
    sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin -o d/out.json 2>/dev/null
    cp d/out.json before.json
    echo '{"auths":' >bad.json
    run --separate-stderr sm "new pw" bad.json --registry "$MIRROR" --username "$USER_NAME" --password-stdin -o d/out.json
    [ "$status" -eq 1 ]
    run --separate-stderr sm "" d/out.json --registry "$MIRROR" --username "$USER_NAME" --password-stdin -o d/out.json
    [ "$status" -eq 1 ]
    run --separate-stderr "$MK_BIN/secret-merge" d/out.json --remove nowhere.example.com -o d/out.json
    [ "$status" -eq 1 ]
    cmp d/out.json before.json
    [ "$(ls -A d)" = out.json ]
    # The write itself fails (no file may grow: EFBIG): the old file stays whole, the temporary goes.
    # (Only secret-merge runs under the limit: its stderr goes through a pipe to cat.)
    run bash -c 'set -o pipefail; trap "" XFSZ; printf "%s\n" "new pw" |
        (ulimit -f 0; exec "$1/secret-merge" d/out.json --registry "$2" --username u --password-stdin -o d/out.json) 2>&1 |
        cat' _ "$MK_BIN" "$MIRROR"
    [ "$status" -eq 1 ]
    [[ $output == *"cannot write d/out.json"* ]]
    cmp d/out.json before.json
    [ "$(ls -A d)" = out.json ]
    [ "$(stat -c %a d/out.json)" = 600 ]
    # A path through a regular file cannot be made: nothing is written.
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" -o d/out.json/x/out.json
    [ "$status" -eq 1 ]
    cmp d/out.json before.json
    [ "$(ls -A d)" = out.json ]
}

@test "concurrent runs adding different registries to one file: every entry lands, mode 0600" {
    # Each run reads the file it rewrites; both must see the other's entry
    # (the lock on the file's directory orders them). 20 pairs, each racing.
    local i pa pb sa sb
    for i in $(seq 1 20); do
        cp "$PS" ps.json
        chmod 600 ps.json
        printf 'pw-a\n' | "$MK_BIN/secret-merge" ps.json --registry "a$i.example.com:5000" --username ua \
            --password-stdin -o ps.json 2>a.err &
        pa=$!
        printf 'pw-b\n' | "$MK_BIN/secret-merge" ps.json --registry "b$i.example.com:5000" --username ub \
            --password-stdin -o ps.json 2>b.err &
        pb=$!
        sa=0 sb=0
        wait "$pa" || sa=$?
        wait "$pb" || sb=$?
        [ "$sa" -eq 0 ] || { cat a.err; return 1; }
        [ "$sb" -eq 0 ] || { cat b.err; return 1; }
        jq -e --arg a "a$i.example.com:5000" --arg b "b$i.example.com:5000" \
            '.auths | has($a) and has($b) and has("quay.io") and has("registry.redhat.io")' ps.json >/dev/null ||
            { echo "pair $i lost an entry: $(keys ps.json)"; return 1; }
        [ "$(stat -c %a ps.json)" = 600 ]
    done
    # Nothing but the file: no lock file, no temporary.
    [ "$(ls -A | grep -c 'ps.json')" -eq 1 ]
}

@test "--list and the editing options do not mix; usage errors exit 2" {
    run --separate-stderr "$MK_BIN/secret-merge" --list "$PS" --remove quay.io
    [ "$status" -eq 2 ]
    run --separate-stderr "$MK_BIN/secret-merge" --list "$PS" -o x.json
    [ "$status" -eq 2 ]
    [ ! -e x.json ]
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" --for-install
    [ "$status" -eq 2 ]
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" --no-overwrite
    [ "$status" -eq 2 ]
    run --separate-stderr sm "$PW" "$PS" --registry "$MIRROR" --username "$USER_NAME" --password-stdin --remove "$MIRROR"
    [ "$status" -eq 2 ]
    run --separate-stderr "$MK_BIN/secret-merge" "$PS" extra.json
    [ "$status" -eq 2 ]
}

@test "skopeo and blob-copy authenticate with the pull secret secret-merge wrote (TLS + htpasswd registry)" {
    local rel digest src
    rel=$(jq -er .release "$BATS_FILE_TMPDIR/fixture.json")
    digest=$(jq -er .release_digest "$BATS_FILE_TMPDIR/fixture.json")
    src=$(jq -er '.components[0].source' "$BATS_FILE_TMPDIR/fixture.json")
    run --separate-stderr sm "$PW" "$PS" --registry "$REG_ADDR" --username "$USER_NAME" --password-stdin -o ps.json
    [ "$status" -eq 0 ]

    # skopeo (an independent client) reads it.
    skopeo inspect --raw --authfile ps.json --cert-dir "$REG_DIR/certs" "docker://$rel" >rel.json
    [ "sha256:$(sha256sum <rel.json | cut -d' ' -f1)" = "$digest" ]
    # ... and the registry really checks: the same pull secret with another password is refused.
    sm "wrong pw" "$PS" --registry "$REG_ADDR" --username "$USER_NAME" --password-stdin -o wrong.json 2>/dev/null
    run skopeo inspect --raw --authfile wrong.json --cert-dir "$REG_DIR/certs" "docker://$rel"
    [ "$status" -ne 0 ]

    # Our own blob-copy reads it, to push into the registry.
    run --separate-stderr "$MK_BIN/blob-copy" -a ps.json --ca-file "$REG_DIR/ca.crt" "$src" "$REG_ADDR/copied/one:latest"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]
    no_secret
    skopeo inspect --raw --authfile ps.json --cert-dir "$REG_DIR/certs" "docker://$REG_ADDR/copied/one:latest" >one.json
    [ "sha256:$(sha256sum <one.json | cut -d' ' -f1)" = "${src##*@}" ]
    # With a pull secret that lacks the registry, the push is refused.
    run --separate-stderr "$MK_BIN/blob-copy" -a "$PS" --ca-file "$REG_DIR/ca.crt" "$src" "$REG_ADDR/copied/two:latest"
    [ "$status" -eq 1 ]
}
