#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# release-signatures (issue 12): a local signature store laid out like the
# public one (python's http.server over a directory), signatures made here by
# gpg from throwaway keys, and the ConfigMaps checked with jq and base64
# against the exact bytes served, never with our own reader.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    local d=$BATS_FILE_TMPDIR
    export GNUPGHOME="$d/gnupg"
    mkdir -m 0700 "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key 'Release Key <release@example.test>' default default never 2>/dev/null || return 1
    gpg --batch --quiet --passphrase '' --quick-gen-key 'Stranger <stranger@example.test>' default default never 2>/dev/null || return 1
    gpg --batch --export release@example.test >"$d/keyring.gpg" || return 1
    gpg --batch --armor --export release@example.test >"$d/keyring.asc" || return 1
    [ -s "$d/keyring.gpg" ] && [ -s "$d/keyring.asc" ] || return 1

    HEX=$(head -c 64 /dev/urandom | sha256sum | cut -d' ' -f1)
    OTHER_HEX=$(head -c 64 /dev/urandom | sha256sum | cut -d' ' -f1)
    MISSING_HEX=$(head -c 64 /dev/urandom | sha256sum | cut -d' ' -f1)
    export HEX OTHER_HEX MISSING_HEX DIGEST="sha256:$HEX"
    # The good store: two signatures by the release key.
    sign release@example.test "$HEX" one "$d/store/sha256=$HEX/signature-1" || return 1
    sign release@example.test "$HEX" two "$d/store/sha256=$HEX/signature-2" || return 1
    # A stranger's signature of the right digest; the release key's
    # signature of another digest, served under this one.
    sign stranger@example.test "$HEX" one "$d/stranger/sha256=$HEX/signature-1" || return 1
    sign release@example.test "$OTHER_HEX" one "$d/wrong/sha256=$HEX/signature-1" || return 1
    gpgconf --homedir "$GNUPGHOME" --kill all 2>/dev/null || true

    PORT=$(mk_free_port) || return 1
    python3 -m http.server --bind 127.0.0.1 --directory "$d" "$PORT" >"$d/http.log" 2>&1 &
    echo $! >"$d/http.pid"
    export STORE="http://127.0.0.1:$PORT/store"
    local i
    for i in $(seq 1 50); do
        curl -fsS -o /dev/null "$STORE/sha256=$HEX/signature-1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "the signature store did not start on port $PORT" >&2
    return 1
}

teardown_file() {
    [ -f "$BATS_FILE_TMPDIR/http.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/http.pid")" 2>/dev/null
    mirror_teardown
    # The agent gpg started for the test keys (signing in a test starts one).
    gpgconf --homedir "$GNUPGHOME" --kill all 2>/dev/null
    true
}

# sign KEY HEX CREATOR FILE: an atomic container signature of sha256:HEX.
sign() {
    mkdir -p "$(dirname "$4")"
    printf '{"critical":{"identity":{"docker-reference":"quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64"},"image":{"docker-manifest-digest":"sha256:%s"},"type":"atomic container signature"},"optional":{"creator":"%s"}}' "$2" "$3" |
        gpg --batch --quiet --local-user "$1" --sign >"$4"
}

# A release record as release-list writes it, for DIGEST (default $DIGEST).
release_record() {
    printf '{"kind":"release","name":"4.16.0","version":"4.16.0","arch":"x86_64","from":"quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64","source":"quay.io/openshift-release-dev/ocp-release@%s","digest":"%s","components":3}\n' "${1:-$DIGEST}" "${1:-$DIGEST}"
}

@test "two good signatures: a ConfigMap whose binaryData is exactly the served bytes, mode 0640" {
    local out=$BATS_TEST_TMPDIR/out
    run --separate-stderr "$MK_BIN/release-signatures" --store "$STORE" --keyring "$BATS_FILE_TMPDIR/keyring.gpg" \
        --to-dir "$out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 0 ]
    local file="$out/signature-sha256-${HEX:0:16}.json"
    [ "$(jq -r .kind <<<"${lines[1]}")" = signature ]
    [ "$(jq -r .digest <<<"${lines[1]}")" = "$DIGEST" ]
    [ "$(jq -r .count <<<"${lines[1]}")" = 2 ]
    [ "$(jq -r .verified <<<"${lines[1]}")" = true ]
    [ "$(jq -r .file <<<"${lines[1]}")" = "$file" ]
    [ "$(jq -r .store <<<"${lines[1]}")" = "$STORE" ]
    [ "$(stat -c %a "$file")" = 640 ]
    # Parsed back as YAML too, as `oc apply` reads it.
    python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["kind"] == "ConfigMap" and len(d["binaryData"]) == 2, d' "$file"
    [ "$(jq -r .apiVersion "$file")" = v1 ]
    [ "$(jq -r .kind "$file")" = ConfigMap ]
    [ "$(jq -r .metadata.namespace "$file")" = openshift-config-managed ]
    [ "$(jq -r .metadata.name "$file")" = "sha256-$HEX" ]
    [ "$(jq -r '.metadata.labels["release.openshift.io/verification-signatures"]' "$file")" = "" ]
    [ "$(jq -r '.binaryData | keys | join(" ")' "$file")" = "sha256-$HEX-1 sha256-$HEX-2" ]
    local n
    for n in 1 2; do
        jq -r --arg k "sha256-$HEX-$n" '.binaryData[$k]' "$file" | base64 -d >"$BATS_TEST_TMPDIR/sig-$n"
        cmp "$BATS_TEST_TMPDIR/sig-$n" "$BATS_FILE_TMPDIR/store/sha256=$HEX/signature-$n"
    done
    # Nothing left behind: no temporary file, no GnuPG home.
    [ "$(ls -A "$out")" = "signature-sha256-${HEX:0:16}.json" ]
}

@test "file:// store offline, with an armored keyring" {
    local out=$BATS_TEST_TMPDIR/out
    run --separate-stderr "$MK_BIN/release-signatures" --store "file://$BATS_FILE_TMPDIR/store" \
        --keyring "$BATS_FILE_TMPDIR/keyring.asc" --to-dir "$out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jq -r .count <<<"${lines[1]}")" = 2 ]
    [ "$(jq -r .verified <<<"${lines[1]}")" = true ]
    jq -r --arg k "sha256-$HEX-1" '.binaryData[$k]' "$out/signature-sha256-${HEX:0:16}.json" | base64 -d |
        cmp - "$BATS_FILE_TMPDIR/store/sha256=$HEX/signature-1"
}

@test "a stranger's signature is refused: nothing written, exit 1" {
    local out=$BATS_TEST_TMPDIR/out
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_FILE_TMPDIR/stranger" \
        --keyring "$BATS_FILE_TMPDIR/keyring.gpg" --to-dir "$out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(jq -r .kind <<<"${lines[1]}")" = error ]
    [ "$(jq -r .code <<<"${lines[1]}")" = permission-denied ]
    [ "$(jq -r .record.digest <<<"${lines[1]}")" = "$DIGEST" ]
    [[ $stderr == *"not in the keyring"* ]]
    [ ! -e "$out" ] || [ -z "$(ls -A "$out")" ]
}

@test "a good signature for another digest is refused" {
    local out=$BATS_TEST_TMPDIR/out
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_FILE_TMPDIR/wrong" \
        --keyring "$BATS_FILE_TMPDIR/keyring.gpg" --to-dir "$out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(jq -r .kind <<<"${lines[1]}")" = error ]
    [[ $(jq -r .error <<<"${lines[1]}") == *"is for sha256:$OTHER_HEX, not for $DIGEST"* ]]
    [ ! -e "$out" ] || [ -z "$(ls -A "$out")" ]
}

@test "no signature (404 at signature-1): a record saying none was found, exit 1" {
    run --separate-stderr "$MK_BIN/release-signatures" --store "$STORE" --keyring "$BATS_FILE_TMPDIR/keyring.gpg" \
        --to-dir "$BATS_TEST_TMPDIR/out" < <(release_record "sha256:$MISSING_HEX")
    echo "$output"; echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(jq -r .kind <<<"${lines[1]}")" = error ]
    [ "$(jq -r .code <<<"${lines[1]}")" = not-found ]
    [[ $(jq -r .error <<<"${lines[1]}") == "no signature found for sha256:$MISSING_HEX"* ]]
}

@test "an unreachable store: one clear line, exit 3; the next store is tried" {
    local port
    port=$(mk_free_port)
    run --separate-stderr "$MK_BIN/release-signatures" --retries 0 --store "http://127.0.0.1:$port/sigs" \
        --to-dir "$BATS_TEST_TMPDIR/out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 3 ]
    [ "$(jq -r .code <<<"${lines[1]}")" = unavailable ]
    [ "$(wc -l <<<"$stderr")" -eq 1 ]
    [[ $stderr == *"127.0.0.1:$port"* ]]
    # With a good store after it, the signatures come from that one.
    run --separate-stderr "$MK_BIN/release-signatures" --retries 0 --store "http://127.0.0.1:$port/sigs" \
        --store "$STORE" --keyring "$BATS_FILE_TMPDIR/keyring.gpg" --to-dir "$BATS_TEST_TMPDIR/out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jq -r .store <<<"${lines[1]}")" = "$STORE" ]
}

@test "without --keyring: written unverified, with a warning" {
    local out=$BATS_TEST_TMPDIR/out
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_FILE_TMPDIR/stranger" --to-dir "$out" \
        < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jq -r .verified <<<"${lines[1]}")" = false ]
    [ "$(jq -r .count <<<"${lines[1]}")" = 1 ]
    [[ $stderr == *"warning"*"unverified"* ]]
    [ -f "$out/signature-sha256-${HEX:0:16}.json" ]
}

@test "other records pass through byte for byte, in order" {
    local in=$BATS_TEST_TMPDIR/in.jsonl
    {
        printf '{"kind":"image","name":"etcd",  "source":"quay.io/x@sha256:%s"}\n' "$OTHER_HEX"
        release_record
        printf '{"kind":"something-new","z":1,"a":[1, 2]}\n'
    } >"$in"
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_FILE_TMPDIR/store" \
        --keyring "$BATS_FILE_TMPDIR/keyring.gpg" --to-dir "$BATS_TEST_TMPDIR/out" <"$in"
    echo "$output"; echo "$stderr"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(sed -n 1p "$in")" ]
    [ "${lines[1]}" = "$(sed -n 2p "$in")" ]
    [ "$(jq -r .kind <<<"${lines[2]}")" = signature ]
    [ "$(jq -r .digest <<<"${lines[2]}")" = "$DIGEST" ]
    [ "${lines[3]}" = "$(sed -n 3p "$in")" ]
    [ "${#lines[@]}" -eq 4 ]
}

@test "usage errors: a store that is not one, a keyring without keys" {
    run --separate-stderr "$MK_BIN/release-signatures" --store "ftp://127.0.0.1/x" </dev/null
    [ "$status" -eq 2 ]
    [[ $stderr == *"ftp://127.0.0.1/x"* ]]
    echo "not a key" >"$BATS_TEST_TMPDIR/empty.asc"
    run --separate-stderr "$MK_BIN/release-signatures" --keyring "$BATS_TEST_TMPDIR/empty.asc" </dev/null
    [ "$status" -eq 2 ]
    [[ $stderr == *"empty.asc"* ]]
}

@test "a missing dir: store is named, not taken for a store without signatures" {
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_TEST_TMPDIR/not-mounted" \
        --to-dir "$BATS_TEST_TMPDIR/out" < <(release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(jq -r .code <<<"${lines[1]}")" = invalid-argument ]
    [[ $stderr == *"not-mounted: no such directory"* ]]
}

@test "a line that is not a record becomes an error record; the others go on" {
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_FILE_TMPDIR/store" \
        --to-dir "$BATS_TEST_TMPDIR/out" < <(echo 'not json'; release_record)
    echo "$output"; echo "$stderr"
    [ "$status" -eq 1 ]
    [ "$(jq -r .kind <<<"${lines[0]}")" = error ]
    [ "$(jq -r .line <<<"${lines[0]}")" = 1 ]
    [ "$(jq -r .kind <<<"${lines[2]}")" = signature ]
}

@test "a real multi-arch release from release-list: signed by its list digest" {
    mirror_isolate_credentials
    mirror_setup_source --multi oci --components 20
    local list
    list=$(raw_digest "$SRC_DIR" "$RELEASE")
    [ "$list" = "$RELEASE_DIGEST" ]
    sign release@example.test "${list#sha256:}" real "$BATS_TEST_TMPDIR/real/sha256=${list#sha256:}/signature-1"
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" "$RELEASE" >"$BATS_TEST_TMPDIR/plan.jsonl"
    run --separate-stderr "$MK_BIN/release-signatures" --store "dir:$BATS_TEST_TMPDIR/real" \
        --keyring "$BATS_FILE_TMPDIR/keyring.gpg" --to-dir "$BATS_TEST_TMPDIR/out" <"$BATS_TEST_TMPDIR/plan.jsonl"
    echo "$stderr"
    [ "$status" -eq 0 ]
    local sig
    sig=$(jq -c 'select(.kind == "signature")' <<<"$output")
    [ "$(jq -r .digest <<<"$sig")" = "$list" ]
    [ "$(jq -r .verified <<<"$sig")" = true ]
    [ -f "$BATS_TEST_TMPDIR/out/signature-sha256-${list:7:16}.json" ]
    # Every planned record passed on as it was, the signature record added.
    [ "$(grep -vc '"kind":"signature"' <<<"$output")" -eq "$(wc -l <"$BATS_TEST_TMPDIR/plan.jsonl")" ]
    diff <(grep -v '"kind":"signature"' <<<"$output") "$BATS_TEST_TMPDIR/plan.jsonl"
}

# signed_layout NAME SEED LAYOUT: a release made with SEED in a registry of
# the test's own (another test of this file has the shared source), mirrored
# into the OCI layout LAYOUT, its signature by the release key written there
# by release-signatures; prints the release digest.
signed_layout() {
    local addr release t=$BATS_TEST_TMPDIR
    addr=$(mirror_registry "$1") || return 1
    "$MKREL" --registry "$addr" --plain --seed "$2" --components 20 >"$t/fixture.json" || return 1
    "$MK_BIN/release-list" --insecure "$addr" --to-dir "$3" "$(jq -er .release "$t/fixture.json")" >"$t/plan.jsonl" || return 1
    "$MK_BIN/blob-copy" --insecure "$addr" <"$t/plan.jsonl" >/dev/null || return 1
    release=$(jq -r 'select(.kind == "release") | .digest' "$t/plan.jsonl")
    sign release@example.test "${release#sha256:}" "$1" "$t/st/sha256=${release#sha256:}/signature-1" || return 1
    "$MK_BIN/release-signatures" --store "dir:$t/st" --keyring "$BATS_FILE_TMPDIR/keyring.gpg" \
        --to-dir "$3" <"$t/plan.jsonl" >/dev/null || return 1
    echo "$release"
}

@test "signatures written into an OCI layout travel with it: oci-dir verify checks them" {
    mirror_isolate_credentials
    local layout="$BATS_TEST_TMPDIR/media" release
    release=$(signed_layout media-src 8 "$layout")
    local file="$layout/signature-sha256-${release:7:16}.json"
    [ -f "$file" ]
    run --separate-stderr "$MK_BIN/oci-dir" verify "$layout"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    sig=$(jq -c 'select(.kind == "signature")' <<<"$output")
    [ "$(jq -r .status <<<"$sig")" = ok ]
    [ "$(jq -r .digest <<<"$sig")" = "$release" ]
    [ "$(jq -r .count <<<"$sig")" = 1 ]
    [[ $stderr == *"1 signature files ok, 0 damaged"* ]]
    # Damaged on the way (cut short): reported, exit 1.
    head -c 200 "$file" >"$file.cut" && mv "$file.cut" "$file"
    run --separate-stderr "$MK_BIN/oci-dir" verify "$layout"
    [ "$status" -eq 1 ]
    [ "$(jq -r 'select(.kind == "signature") | .status' <<<"$output")" = damaged ]
    [[ $stderr == *"$file"* ]]
    # A signature for a release the media does not carry: reported too.
    "$MK_BIN/release-signatures" --store "file://$BATS_FILE_TMPDIR/store" --keyring "$BATS_FILE_TMPDIR/keyring.gpg" \
        --to-dir "$layout" < <(release_record) >/dev/null
    rm -f "$file"
    run --separate-stderr "$MK_BIN/oci-dir" verify "$layout"
    [ "$status" -eq 1 ]
    [[ $stderr == *"is not in the layout"* ]]
}

@test "signatures travel on the volumes: pack carries them in every volume, unpack writes them back, verify checks them" {
    mirror_isolate_credentials
    local layout="$BATS_TEST_TMPDIR/media" back="$BATS_TEST_TMPDIR/back" release file
    release=$(signed_layout volumes-src 9 "$layout")
    file="signature-sha256-${release:7:16}.json"
    [ -f "$layout/$file" ]
    run --separate-stderr "$MK_BIN/oci-dir" pack "$layout" --max-size 256K --out "$BATS_TEST_TMPDIR/vol"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    local n v
    n=$(jq -s length <<<"$output")
    [ "$n" -gt 1 ]
    # every volume carries the file, byte for byte (tar, an independent reader)
    for v in "$BATS_TEST_TMPDIR"/vol/*.tar; do
        cmp <(tar -xOf "$v" "$file") "$layout/$file" || { echo "$v"; return 1; }
    done
    # one volume is enough to bring it; the whole set, to name the images
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$BATS_TEST_TMPDIR/vol/mirror-001.tar" --to "$back"
    [[ $stderr == *" 1 signature files,"* ]] || { echo "$stderr"; return 1; }
    cmp "$back/$file" "$layout/$file"
    [ "$(stat -c %a "$back/$file")" = 640 ]
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$BATS_TEST_TMPDIR"/vol/*.tar --to "$back"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    run --separate-stderr "$MK_BIN/oci-dir" verify "$back"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r 'select(.kind == "signature") | "\(.status) \(.digest)"' <<<"$output")" = "ok $release" ]
    # a damaged signature file stops the pack: nothing written
    head -c 200 "$layout/$file" >"$layout/$file.cut" && mv "$layout/$file.cut" "$layout/$file"
    run --separate-stderr "$MK_BIN/oci-dir" pack "$layout" --max-size 256K --out "$BATS_TEST_TMPDIR/vol2"
    [ "$status" -eq 1 ]
    [[ $stderr == *"$file"*"run oci-dir verify"* ]] || { echo "$stderr"; return 1; }
    [ -z "$(find "$BATS_TEST_TMPDIR/vol2" -name '*.tar' 2>/dev/null)" ]
}
