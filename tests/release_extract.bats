#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# release-extract (seed §3.3.4, last step): an installer pinned to the
# mirrored release, from the mirror registry and from removable media. The
# original binary is taken out of the source with skopeo and tar, never
# with our code, and compared byte for byte outside the placeholder.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
    MIRROR_DIR="$BATS_FILE_TMPDIR/mirror"
    MIRROR_ADDR=$(mirror_registry mirror --tls --auth admin 'pw with: colon') || return 1
    export MIRROR_DIR MIRROR_ADDR REPO="$MIRROR_ADDR/ocp4/openshift4"
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$REPO" "$RELEASE" |
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --ca-file "$MIRROR_DIR/ca.crt" -a "$MIRROR_DIR/auth.json" \
            >"$BATS_FILE_TMPDIR/copy.jsonl" || return 1
    # The original installer, independently: skopeo copies the image to an
    # OCI layout, tar unpacks its last layer.
    local src oci
    src=$(fixture_component installer source)
    oci="$BATS_FILE_TMPDIR/installer-oci"
    skopeo copy --quiet --src-tls-verify=false "docker://$src" "oci:$oci:installer" >/dev/null || return 1
    local layer
    layer=$(jq -r '.layers[-1].digest | sub("sha256:"; "")' "$oci/blobs/sha256/$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$oci/index.json")")
    mkdir -p "$BATS_FILE_TMPDIR/orig"
    tar -xzf "$oci/blobs/sha256/$layer" -C "$BATS_FILE_TMPDIR/orig" usr/bin/openshift-install || return 1
}

teardown_file() {
    mirror_teardown
}

# check_pinned FILE VALUE: FILE equals the original but for VALUE + NUL
# written at the image placeholder's first byte, as oc writes it.
check_pinned() {
    /usr/bin/python3 - "$BATS_FILE_TMPDIR/orig/usr/bin/openshift-install" "$1" "$2" <<'PY'
import sys
orig, got, value = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3].encode()
ph = b"\0_RELEASE_IMAGE_LOCATION_\0" + b"X" * 300 + b"\0"
at = orig.find(ph)
assert at >= 0, "the original has no placeholder"
assert len(got) == len(orig), "sizes differ"
want = orig[:at] + value + b"\0" + orig[at + len(value) + 1:]
for name, ver in ((b"_RELEASE_VERSION_LOCATION_", b"4.3.0"), (b"_RELEASE_ARCHITECTURE_LOCATION_", b"amd64")):
    p = b"\0" + name + b"\0" + b"X" * 64 + b"\0"
    i = want.find(p)
    if i >= 0:
        want = want[:i] + ver + b"\0" + want[i + len(ver) + 1:]
assert got == want, "bytes differ from the original outside the placeholders"
PY
}

@test "openshift-install from the mirror: mode 0755, pinned to the mirror by digest, every other byte the original's" {
    out="$BATS_TEST_TMPDIR/bin"
    run --separate-stderr "$MK_BIN/release-extract" -a "$MIRROR_DIR/auth.json" --ca-file "$MIRROR_DIR/ca.crt" \
        --command openshift-install --to "$out" "$REPO:4.3.0-x86_64"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    json_lines_ok <(printf '%s\n' "$output")
    want="$REPO@$RELEASE_DIGEST"
    [ "$(jq -r .pinned_to <<<"$output")" = "$want" ]
    [ "$(jq -r .path <<<"$output")" = "$out/openshift-install" ]
    [ "$(stat -c %a "$out/openshift-install")" = 755 ]
    check_pinned "$out/openshift-install" "$want"
    # the component came from the mirror, not from the source registry
    [[ "$(jq -r .component <<<"$output")" == "$REPO@sha256:"* ]]
    # nothing else was written
    [ "$(ls -A "$out")" = openshift-install ]
}

@test "oc from the mirror is the original byte for byte and carries no pin" {
    out="$BATS_TEST_TMPDIR/bin"
    run --separate-stderr "$MK_BIN/release-extract" -a "$MIRROR_DIR/auth.json" --ca-file "$MIRROR_DIR/ca.crt" \
        --command oc --to "$out" "$REPO:4.3.0-x86_64"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r 'has("pinned_to")' <<<"$output")" = false ]
    src=$(fixture_component cli source)
    skopeo copy --quiet --src-tls-verify=false "docker://$src" "oci:$BATS_TEST_TMPDIR/cli:cli" >/dev/null
    m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$BATS_TEST_TMPDIR/cli/index.json")
    layer=$(jq -r '.layers[-1].digest | sub("sha256:"; "")' "$BATS_TEST_TMPDIR/cli/blobs/sha256/$m")
    tar -xzf "$BATS_TEST_TMPDIR/cli/blobs/sha256/$layer" -O usr/bin/oc | cmp - "$out/oc"
}

@test "from removable media (dir:): pinned to the release's original name by digest" {
    media="$BATS_TEST_TMPDIR/media"
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to-dir "$media" "$RELEASE" |
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" >/dev/null
    out="$BATS_TEST_TMPDIR/bin"
    run --separate-stderr "$MK_BIN/release-extract" --command openshift-install --to "$out" "dir:$media:4.3.0-x86_64"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    want="${RELEASE%:*}@$RELEASE_DIGEST"
    [ "$(jq -r .pinned_to <<<"$output")" = "$want" ]
    check_pinned "$out/openshift-install" "$want"
}

@test "bad input: unknown command exits 2; no credentials exit 1 and write nothing; a component without the command" {
    run --separate-stderr "$MK_BIN/release-extract" --command bash "$REPO:4.3.0-x86_64"
    [ "$status" -eq 2 ]
    [[ $stderr == *"unknown command bash"* ]]
    out="$BATS_TEST_TMPDIR/bin"
    run --separate-stderr "$MK_BIN/release-extract" --ca-file "$MIRROR_DIR/ca.crt" --command openshift-install \
        --to "$out" "$REPO:4.3.0-x86_64"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == *401* ]]
    [ ! -e "$out/openshift-install" ]
    run --separate-stderr "$MK_BIN/release-extract" --insecure "$SRC_ADDR" --command openshift-install-mac \
        --to "$out" "$RELEASE"
    [ "$status" -eq 1 ]
    [[ $stderr == *"usr/share/openshift/mac/openshift-install is not in the installer-artifacts image"* ]]
}

@test "a re-run removes the temporary file a killed run left, never one another run is writing" {
    out="$BATS_TEST_TMPDIR/bin"
    mkdir -p "$out"
    # What a SIGKILL leaves: a temporary nobody holds a lock on.
    printf 'half an installer' >"$out/.openshift-install.tmp-Killed"
    # A run still writing holds an flock on its temporary: here this shell
    # holds one, on a descriptor of its own.
    printf 'in progress' >"$out/.openshift-install.tmp-Live01"
    exec {held}<"$out/.openshift-install.tmp-Live01"
    flock -x "$held"
    # Another command's temporary is not this run's business.
    printf 'half of oc' >"$out/.oc.tmp-Killed"
    run --separate-stderr "$MK_BIN/release-extract" -a "$MIRROR_DIR/auth.json" --ca-file "$MIRROR_DIR/ca.crt" \
        --command openshift-install --to "$out" "$REPO:4.3.0-x86_64"
    exec {held}<&-
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ ! -e "$out/.openshift-install.tmp-Killed" ]
    [ -e "$out/.openshift-install.tmp-Live01" ]
    [ -e "$out/.oc.tmp-Killed" ]
    [ "$(ls -A "$out" | LC_ALL=C sort | tr '\n' ' ')" = ".oc.tmp-Killed .openshift-install.tmp-Live01 openshift-install " ]
}

@test "SIGINT while a big installer is written: exit 130, no file under its name or a temporary one" {
    media="$BATS_TEST_TMPDIR/big"
    "$BATS_TEST_DIRNAME/fixtures/make-big-installer.py" "$media" 1024
    out="$BATS_TEST_TMPDIR/bin"
    mkdir -p "$out"
    "$MK_BIN/release-extract" --command openshift-install --to "$out" "dir:$media:4.3.0-x86_64" \
        >"$BATS_TEST_TMPDIR/rec.json" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
    pid=$!
    # Interrupt once the temporary holds some of the installer (at most ~20 s).
    seen=0
    for ((i = 0; i < 2000; i++)); do
        for f in "$out"/.openshift-install.tmp-*; do
            [ -s "$f" ] && seen=1
        done
        [ "$seen" -eq 1 ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill -INT "$pid" 2>/dev/null || true
    rc=0
    wait "$pid" || rc=$?
    [ "$seen" -eq 1 ] || { echo "the run ended (exit $rc) before it was seen writing"; return 1; }
    [ "$rc" -eq 130 ] || { echo "exit $rc"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
    [ ! -s "$BATS_TEST_TMPDIR/rec.json" ]
    [ -z "$(ls -A "$out")" ] || { ls -la "$out"; return 1; }
}
