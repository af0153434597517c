#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Storage plugins (mirrorkit-storage(7)): blob-copy into and out of
# oci-archive:FILE[:NAME] through the shipped plugin, checked with skopeo
# (an independent reader and writer of OCI archives); a killed copy leaves no
# archive under its name; a test plugin of these tests' own that fails or
# dies gives one clear error and the exit status of records/failures.h; a
# missing plugin is named.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source --components 20 || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    # The built plugin, and the test plugins, are found here first.
    PLUGINS="$BATS_FILE_TMPDIR/plugins"
    mkdir -p "$PLUGINS"
    export MIRRORKIT_PLUGIN_PATH="$PLUGINS:$MK_BIN"
    export DST_DIR DST_ADDR PLUGINS
}

teardown_file() {
    mirror_teardown
}

# sha256 of the manifest skopeo reads from a transport:reference.
skopeo_digest() {
    local sum
    sum=$(skopeo inspect --raw "$1" | sha256sum) || return 1
    echo "sha256:${sum%% *}"
}

# The release's records, with their destinations in the archive FILE.
archive_plan() {
    mk release-list --insecure "$SRC_ADDR" --to-dir "$BATS_FILE_TMPDIR/unused" "$RELEASE" |
        sed "s|\"dir:$BATS_FILE_TMPDIR/unused:|\"oci-archive:$1:|"
}

# wait_for PATH: until PATH exists, at most 20 s.
wait_for() {
    local i
    for ((i = 0; i < 400; i++)); do
        [ -e "$1" ] && return 0
        sleep 0.05
    done
    echo "timed out waiting for $1" >&2
    return 1
}

@test "blob-copy writes a release into an oci-archive that skopeo reads byte for byte" {
    local a=$BATS_FILE_TMPDIR/rel.tar dest
    archive_plan "$a" >"$BATS_TEST_TMPDIR/plan.json"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/plan.json")" -eq $((NCOMP + 1)) ]
    run --separate-stderr mk blob-copy --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/plan.json"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    jq -e -s 'length == '$((NCOMP + 1))' and all(.[]; .status == "copied")' <<<"$output" >/dev/null
    [ -f "$a" ]
    [ ! -e "$a.partial.d" ]
    ls -A "$BATS_FILE_TMPDIR" | { ! grep -q '\.tmp-'; }
    # skopeo finds an image by the name it was stored under, unchanged.
    # (skopeo's OCI transports look up OCI-typed images only; mirrorkit keeps
    # every manifest in its own media type, so the Docker schema 2 release
    # is checked with tar below.)
    local name
    for name in console etcd; do
        dest=$(jq -r --arg n "$name" 'select(.name == $n) | .dest' "$BATS_TEST_TMPDIR/plan.json")
        [ "$(skopeo_digest "$dest")" = "$(fixture_component "$name" digest)" ]
    done
    dest=$(jq -r 'select(.name == "console") | .dest' "$BATS_TEST_TMPDIR/plan.json")
    skopeo copy --quiet "$dest" "dir:$BATS_TEST_TMPDIR/out"
    [ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/out/manifest.json" | cut -d' ' -f1)" = "$(fixture_component console digest)" ]
    # The release: named in index.json with its digest, its bytes under it.
    [ "$(tar -xOf "$a" index.json | jq -r --arg n "$RELEASE" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest')" = "$RELEASE_DIGEST" ]
    [ "sha256:$(tar -xOf "$a" "blobs/sha256/${RELEASE_DIGEST#sha256:}" | sha256sum | cut -d' ' -f1)" = "$RELEASE_DIGEST" ]
    # Every image once in index.json, read with tar and jq alone.
    [ "$(tar -xOf "$a" index.json | jq '.manifests | length')" -eq $((NCOMP + 1)) ]
}

@test "release-list reads the release from the archive, and blob-copy pushes it to a registry" {
    local a=$BATS_FILE_TMPDIR/rel.tar
    [ -f "$a" ] || skip "needs the archive of the first test"
    run --separate-stderr mk release-list "oci-archive:$a:4.3.0*" --to "$DST_ADDR/ocp4/from-archive"
    echo "$stderr"
    [ "$status" -eq 0 ]
    # The sources name the archive, so the copy reads from it (no registry).
    jq -e -s 'length == '$((NCOMP + 1))' and all(.[]; .source | startswith("oci-archive:'"$a"':"))' <<<"$output" >/dev/null
    run --separate-stderr mk blob-copy --insecure "$DST_ADDR" <<<"$output"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/ocp4/from-archive:4.3.0-x86_64")" = "$RELEASE_DIGEST" ]
    check_index_copied "$DST_DIR" "$DST_ADDR/ocp4/from-archive:4.3.0-x86_64-pod" pod
}

@test "an oci-archive skopeo wrote is read back and copied to a registry unchanged" {
    local a=$BATS_TEST_TMPDIR/sk.tar comp src want
    comp=$(fixture_component etcd source)
    skopeo copy --quiet --src-tls-verify=false "docker://$comp" "oci-archive:$a:example.com/mirror/etcd:1"
    want=$(skopeo_digest "oci-archive:$a:example.com/mirror/etcd:1")
    # By a short name (the tag), as for dir: locations.
    run --separate-stderr mk blob-copy --insecure "$DST_ADDR" "oci-archive:$a:1" "$DST_ADDR/back/etcd:1"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    [ "$(jq -r .digest <<<"$output")" = "$want" ]
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/back/etcd@$want")" = "$want" ]
    # Reading changes nothing.
    [ ! -e "$a.partial.d" ]
}

@test "a second run adds to an archive and keeps what it held" {
    local a=$BATS_TEST_TMPDIR/two.tar one two
    one=$(fixture_component etcd source)
    two=$(fixture_component console source)
    mk blob-copy --insecure "$SRC_ADDR" "$one" "oci-archive:$a:example.com/a:1" >/dev/null
    mk blob-copy --insecure "$SRC_ADDR" "$two" "oci-archive:$a:example.com/b:1" >/dev/null
    [ "$(skopeo_digest "oci-archive:$a:example.com/a:1")" = "$(fixture_component etcd digest)" ]
    [ "$(skopeo_digest "oci-archive:$a:example.com/b:1")" = "$(fixture_component console digest)" ]
}

@test "a killed blob-copy or a killed plugin leaves no archive under its name" {
    local a=$BATS_TEST_TMPDIR/killed.tar fifo=$BATS_TEST_TMPDIR/records pid plugin
    archive_plan "$a" >"$BATS_TEST_TMPDIR/plan.json"
    # Records arrive through a FIFO this test holds open (fd 7; bats owns
    # fd 3): one image is
    # written, then the tool is killed while it waits for more.
    mkfifo "$fifo"
    "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" -j 1 <"$fifo" >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    exec 7>"$fifo"
    head -1 "$BATS_TEST_TMPDIR/plan.json" >&7
    wait_for "$a.partial.d/layout/index.json"
    kill -9 "$pid"
    wait "$pid" || true
    exec 7>&-
    [ ! -e "$a" ]
    # The plugin saw its input end without "finish" and discarded.
    for ((i = 0; i < 200; i++)); do [ -e "$a.partial.d" ] || break; sleep 0.05; done
    [ ! -e "$a.partial.d" ]

    # Now the plugin is killed: the tool names it, fails, writes nothing.
    rm -f "$fifo" && mkfifo "$fifo"
    "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" -j 1 <"$fifo" >"$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    exec 7>"$fifo"
    head -1 "$BATS_TEST_TMPDIR/plan.json" >&7
    wait_for "$a.partial.d/layout/index.json"
    plugin=$(pgrep -P "$pid")
    [ -n "$plugin" ]
    kill -9 "$plugin"
    sed -n 2p "$BATS_TEST_TMPDIR/plan.json" >&7
    exec 7>&-
    local rc=0
    wait "$pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/err"
    [ "$rc" -eq 1 ]
    [ ! -e "$a" ]
    grep -q 'mirrorkit-storage-oci-archive exited with status 137' "$BATS_TEST_TMPDIR/err"
    # The next run removes the dead writer's staging and succeeds.
    mk blob-copy --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/plan.json" >/dev/null
    [ -f "$a" ]
    [ ! -e "$a.partial.d" ]
}

# A plugin of the tests' own: MODE is its ADDRESS.
#   refuse  answers every request after capabilities with an error line
#   die     takes a blob's first chunk header, then exits 7 mid-stream
make_test_plugin() {
    cat >"$PLUGINS/mirrorkit-storage-mktest" <<'EOF'
#!/bin/bash
mode=$1
read -r line || exit 0
echo "ok 1 list stat-blob get-blob put-blob get-manifest put-manifest finish"
while read -r line; do
    case $mode:$line in
    refuse:*) echo "error unavailable the tape robot is offline" ;;
    die:list) printf 'ok\nend\n' ;;
    die:stat-blob*) echo "error not-found no such blob" ;;
    die:put-blob*) read -r chunk; exit 7 ;;
    *) echo "error unsupported $line" ;;
    esac
done
EOF
    chmod +x "$PLUGINS/mirrorkit-storage-mktest"
}

@test "a plugin's error answer is one clear error, with the exit status its code earns" {
    make_test_plugin
    local comp
    comp=$(fixture_component etcd source)
    run --separate-stderr mk blob-copy --insecure "$SRC_ADDR" "$comp" "mktest::refuse:example.com/a:1"
    echo "$output"
    echo "$stderr"
    [ "$status" -eq 3 ]  # unavailable: transient
    [ "$(jq -r .code <<<"$output")" = unavailable ]
    [[ $(jq -r .error <<<"$output") == *"the tape robot is offline"* ]]
}

@test "a plugin that dies mid-stream is named with its exit status" {
    make_test_plugin
    local comp
    comp=$(fixture_component etcd source)
    run --separate-stderr mk blob-copy --insecure "$SRC_ADDR" "$comp" "mktest::die:example.com/a:1"
    echo "$output"
    echo "$stderr"
    [ "$status" -eq 1 ]
    [[ $(jq -r .error <<<"$output") == *"mirrorkit-storage-mktest exited with status 7 during put-blob"* ]]
}

@test "a missing plugin is named, with where it was looked for" {
    run --separate-stderr mk blob-copy --insecure "$SRC_ADDR" "$(fixture_component etcd source)" "nosuch::x:example.com/a:1"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $(jq -r .error <<<"$output") == *"no storage plugin mirrorkit-storage-nosuch (looked in \$MIRRORKIT_PLUGIN_PATH"* ]]
    # "SCHEME:..." without "::" stays a registry reference (here a bad one).
    run --separate-stderr mk blob-copy "$(fixture_component etcd source)" "nosuch:x"
    [ "$status" -ne 0 ]
    [[ $output != *"storage plugin"* ]]
}

@test "a compressed archive is refused with a clear message" {
    local a=$BATS_TEST_TMPDIR/c.tar
    mk blob-copy --insecure "$SRC_ADDR" "$(fixture_component etcd source)" "oci-archive:$a:example.com/a:1" >/dev/null
    gzip -c "$a" >"$a.gz"
    run --separate-stderr mk blob-copy --insecure "$DST_ADDR" "oci-archive:$a.gz:example.com/a:1" "$DST_ADDR/x/a:1"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $(jq -r .error <<<"$output") == *"gzip-compressed"* ]]
}
