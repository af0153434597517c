#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Disconnected mirroring through an OCI image layout directory (removable
# media): registry -> dir:DIR -> registry, selection of images in DIR,
# interoperability with skopeo and umoci, a damaged DIR, volumes
# (oci-dir pack/unpack) and two writers at once. Fault injection (kill -9,
# read-only and full file systems) is in tests/dir_faults.bats.
#
#   internet side:   release-list SRC/...:4.3.0-x86_64 --to-dir DIR | blob-copy
#   restricted side: release-list dir:DIR:4.3.0-x86_64 --to DST/ocp4/openshift4
#                    | blob-copy | ics-gen

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    DEST_REPO="$DST_ADDR/ocp4/openshift4"
    # the media; a dir: location may not contain ':'
    MEDIA="$BATS_FILE_TMPDIR/media"
    case $MEDIA in *:*) echo "BATS_FILE_TMPDIR contains ':': $MEDIA" >&2; return 1 ;; esac
    # top manifests (components + release) and platform manifests
    NCHILDREN=$(jq -er '[.components[].children // [] | length] | add' "$FIXTURE") || return 1
    NMANIFESTS=$((NCOMP + 1 + NCHILDREN))
    TAG=4.3.0-x86_64
    export DST_DIR DST_ADDR DEST_REPO MEDIA NCHILDREN NMANIFESTS TAG

    local d=$BATS_FILE_TMPDIR
    # internet side
    timeout 120 "$MK_BIN/release-list" "$RELEASE" --to-dir "$MEDIA" --insecure "$SRC_ADDR" 2>"$d/in-list.err" |
        tee "$d/in-plan.json" |
        timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" >"$d/in-copy.json" 2>"$d/in-copy.err"
    echo "${PIPESTATUS[*]}" >"$d/in.rc"
    # restricted side: only the directory and the mirror registry
    timeout 120 "$MK_BIN/release-list" "dir:$MEDIA:$TAG" --to "$DEST_REPO" 2>"$d/out-list.err" |
        tee "$d/out-plan.json" |
        timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" 2>"$d/out-copy.err" |
        tee "$d/out-copy.json" |
        timeout 60 "$MK_BIN/ics-gen" >"$d/ics.yaml" 2>"$d/ics.err"
    echo "${PIPESTATUS[*]}" >"$d/out.rc"
}

teardown_file() {
    mirror_teardown
}

sum_field() {
    jq -s --arg f "$1" 'map(.[$f] // 0) | add // 0' "$2"
}

# all_status FILE STATUS : every record in FILE has that status (prints the others)
all_status() {
    jq -e -s --arg s "$2" 'length > 0 and all(.[]; .status == $s)' "$1" >/dev/null || {
        jq -c --arg s "$2" 'select(.status != $s)' "$1"
        return 1
    }
}

# index_names DIR : the ref.name annotations of DIR/index.json, sorted
index_names() {
    jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' "$1/index.json" | sort
}

# fixture_names : the names every image must have in the media, sorted
fixture_names() {
    { echo "$RELEASE"; jq -r '.components[].source' "$FIXTURE"; } | sort
}

# name -> digest, as "NAME DIGEST" lines, sorted
fixture_name_digests() {
    { echo "$RELEASE $RELEASE_DIGEST"; jq -r '.components[] | "\(.source) \(.digest)"' "$FIXTURE"; } | sort
}
index_name_digests() {
    jq -r '.manifests[] | "\(.annotations["org.opencontainers.image.ref.name"]) \(.digest)"' "$1/index.json" | sort
}

# check_dests_digests PLAN : every dest of PLAN (a release-list --to plan) in
# the mirror has the fixture's digest, by an independent client (skopeo)
check_dests_digests() {
    local dest digest got n=0
    while read -r dest digest; do
        got=$(raw_digest "$DST_DIR" "$dest")
        [ "$got" = "$digest" ] || { echo "$dest: $got != $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$1")
    [ "$n" -eq $((NCOMP + 1)) ] || { echo "checked $n dests"; return 1; }
}

# sha256_names_ok DIR : every file under DIR/blobs/sha256 hashes to its name
sha256_names_ok() {
    local f sum bad=0
    for f in "$1"/blobs/sha256/*; do
        sum=$(sha256sum <"$f")
        [ "${sum%% *}" = "${f##*/}" ] || { echo "wrong content: $f"; bad=1; }
    done
    return "$bad"
}

# --- 1. round trip ------------------------------------------------------------

@test "internet side: release-list --to-dir | blob-copy stores every image under its original name" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/in.rc")" = "0 0 0" ] || { cat "$d/in.rc" "$d/in-list.err" "$d/in-copy.err"; return 1; }
    [ ! -s "$d/in-list.err" ] || { cat "$d/in-list.err"; return 1; }
    [ ! -s "$d/in-copy.err" ] || { cat "$d/in-copy.err"; return 1; }
    json_lines_ok "$d/in-copy.json"
    [ "$(wc -l <"$d/in-copy.json")" -eq $((NCOMP + 1)) ]
    all_status "$d/in-copy.json" copied
    # planned and copied into the media under the original reference
    diff <(jq -r .dest "$d/in-copy.json" | sort) <(fixture_names | sed "s|^|dir:$MEDIA:|")
    # every distinct blob came from the source once
    [ "$(sum_field blobs_copied "$d/in-copy.json")" -eq "$NBLOBS" ]
    # index.json: one entry per image, each with the fixture's digest
    [ "$(jq '.manifests | length' "$MEDIA/index.json")" -eq $((NCOMP + 1)) ]
    diff <(index_name_digests "$MEDIA") <(fixture_name_digests)
}

@test "the media is a plain OCI layout: oci-layout, index.json, blobs/sha256; FAT-safe names; no links" {
    [ "$(jq -r .imageLayoutVersion "$MEDIA/oci-layout")" = 1.0.0 ]
    [ "$(jq -r .schemaVersion "$MEDIA/index.json")" = 2 ]
    # no ':' in any name, no symbolic links, no hard links
    [ -z "$(find "$MEDIA" -name '*:*')" ] || { find "$MEDIA" -name '*:*'; return 1; }
    [ -z "$(find "$MEDIA" -type l)" ] || { find "$MEDIA" -type l; return 1; }
    [ -z "$(find "$MEDIA" ! -type d -links +1)" ] || { find "$MEDIA" ! -type d -links +1; return 1; }
    # every blob and manifest once: the fixture's blobs + every manifest
    n=$(find "$MEDIA/blobs/sha256" -type f | wc -l)
    [ "$n" -eq $((NBLOBS + NMANIFESTS)) ] || { echo "$n blob files, want $NBLOBS + $NMANIFESTS"; return 1; }
    # every blob file is a regular file named by its own sha256
    [ -z "$(find "$MEDIA/blobs/sha256" -mindepth 1 ! -type f)" ]
    bad=$(find "$MEDIA/blobs/sha256" -type f ! -regextype posix-extended ! -regex '.*/[0-9a-f]{64}')
    [ -z "$bad" ] || { echo "not blob names: $bad"; return 1; }
    sha256_names_ok "$MEDIA"
    run --separate-stderr "$MK_BIN/oci-dir" verify "$MEDIA"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "ok")] | length' <<<"$output")" -eq $((NCOMP + 1)) ]
    # nothing but the layout itself
    extra=$(cd "$MEDIA" && find . -mindepth 1 ! -path './blobs' ! -path './blobs/sha256' \
        ! -path './blobs/sha256/*' ! -path './oci-layout' ! -path './index.json' | sort)
    [ -z "$extra" ] || { echo "unexpected files in the media: $extra"; return 1; }
}

@test "restricted side: release-list dir:DIR:TAG | blob-copy copies every image into the mirror" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/out.rc")" = "0 0 0 0 0" ] || {
        cat "$d/out.rc" "$d/out-list.err" "$d/out-copy.err" "$d/ics.err"
        return 1
    }
    [ ! -s "$d/out-list.err" ] || { cat "$d/out-list.err"; return 1; }
    [ ! -s "$d/out-copy.err" ] || { cat "$d/out-copy.err"; return 1; }
    json_lines_ok "$d/out-copy.json"
    [ "$(wc -l <"$d/out-copy.json")" -eq $((NCOMP + 1)) ]
    all_status "$d/out-copy.json" copied
    # the plan reads the media, the dests are the usual mirror tags
    jq -e -s --arg m "dir:$MEDIA:" 'all(.[]; .source | startswith($m))' "$d/out-plan.json" >/dev/null
    diff <(jq -r .dest "$d/out-copy.json" | sort) \
        <({ echo "$DEST_REPO:$TAG"; jq -r --arg r "$DEST_REPO:$TAG-" '.components[] | $r + .name' "$FIXTURE"; } | sort)
    [ "$(sum_field blobs_copied "$d/out-copy.json")" -eq "$NBLOBS" ]
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.media_type)"' "$d/out-copy.json" | sort) \
        <(jq -r '.components[] | "\(.name) \(.media_type)"' "$FIXTURE" | sort)
}

@test "restricted side: every mirrored manifest has the fixture's digest (skopeo), lists and indexes with their children" {
    check_dests_digests "$BATS_FILE_TMPDIR/out-plan.json"
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:$TAG")" = "$RELEASE_DIGEST" ]
    for name in pod etcd; do
        check_index_copied "$DST_DIR" "$DEST_REPO:$TAG-$name" "$name"
    done
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/pod.json")" = application/vnd.docker.distribution.manifest.list.v2+json ]
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/etcd.json")" = application/vnd.oci.image.index.v1+json ]
    # a Docker schema 2 image and an OCI image, as such
    [ "$(fixture_component cli media_type)" = application/vnd.docker.distribution.manifest.v2+json ]
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:$TAG-cli")" = "$(fixture_component cli digest)" ]
    [ "$(fixture_component console media_type)" = application/vnd.oci.image.manifest.v1+json ]
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:$TAG-console")" = "$(fixture_component console digest)" ]
}

@test "restricted side: ics-gen maps the ORIGINAL source repositories; the directory is invisible" {
    d=$BATS_FILE_TMPDIR
    [ ! -s "$d/ics.err" ] || { cat "$d/ics.err"; return 1; }
    expected_ics "$DEST_REPO" | diff - "$d/ics.yaml"
    run ! grep -q -e 'dir:' -e "$MEDIA" "$d/ics.yaml"
}

@test "second run on each side: every image present, no blob copied, the media unchanged" {
    d=$BATS_FILE_TMPDIR
    before=$(cd "$MEDIA" && find . -type f ! -name .index.lock | sort && sha256sum index.json)
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$d/in-plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/in2.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    all_status "$BATS_TEST_TMPDIR/in2.json" present
    [ "$(sum_field blobs_copied "$BATS_TEST_TMPDIR/in2.json")" -eq 0 ]
    [ "$(sum_field bytes_copied "$BATS_TEST_TMPDIR/in2.json")" -eq 0 ]
    [ "$before" = "$(cd "$MEDIA" && find . -type f ! -name .index.lock | sort && sha256sum index.json)" ]

    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$d/out-plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out2.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    all_status "$BATS_TEST_TMPDIR/out2.json" present
    [ "$(sum_field blobs_copied "$BATS_TEST_TMPDIR/out2.json")" -eq 0 ]
    [ "$(sum_field bytes_copied "$BATS_TEST_TMPDIR/out2.json")" -eq 0 ]
}

# --- 2. selection ---------------------------------------------------------------

@test "selection: dir:DIR:TAG, a glob, the name without registry and the full name give the same plan" {
    run --separate-stderr "$MK_BIN/release-list" "dir:$MEDIA:$TAG"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    want=$output
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(head -n1 <<<"$output" | jq -r .kind)" = release ]
    [ "$(head -n1 <<<"$output" | jq -r .digest)" = "$RELEASE_DIGEST" ]
    for sel in '4.3.0*' "openshift-release-dev/ocp-release:$TAG" "$RELEASE"; do
        run --separate-stderr "$MK_BIN/release-list" "dir:$MEDIA:$sel"
        [ "$status" -eq 0 ] || { echo "$sel: $stderr"; return 1; }
        [ -z "$stderr" ]
        [ "$output" = "$want" ] || { echo "$sel: different plan"; diff <(echo "$want") <(echo "$output"); return 1; }
    done
}

@test "selection: a pattern matching nothing is exit 1 and names the pattern" {
    run --separate-stderr "$MK_BIN/release-list" "dir:$MEDIA:9.9.*-nomatch"
    [ "$status" -eq 1 ]
    [[ $stderr == *'9.9.*-nomatch'* ]] || { echo "stderr: $stderr"; return 1; }
    [ -z "$output" ] || json_lines_ok <(printf '%s\n' "$output")
    jq -e -s 'all(.[]; .kind != "release")' <<<"$output" >/dev/null
}

@test "selection: oci-dir list DIR '*ocp-release*' gives the release only; list DIR gives all" {
    run --separate-stderr "$MK_BIN/oci-dir" list "$MEDIA" '*ocp-release*'
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .name <<<"$output")" = "$RELEASE" ]
    [ "$(jq -r .digest <<<"$output")" = "$RELEASE_DIGEST" ]
    run --separate-stderr "$MK_BIN/oci-dir" list "$MEDIA"
    [ "$status" -eq 0 ]
    json_lines_ok <(printf '%s\n' "$output")
    diff <(jq -r .name <<<"$output" | sort) <(fixture_names)
    run --separate-stderr "$MK_BIN/oci-dir" list "$MEDIA" 'zz-nothing*'
    [ "$status" -eq 1 ]
    [ -z "$output" ]
}

# --- 3. interoperability --------------------------------------------------------

@test "interop: skopeo copy oci:DIR:<full name> reads our media, digest kept" {
    name=$(fixture_component console source)
    want=$(fixture_component console digest)
    run skopeo copy -q --dest-tls-verify=false "oci:$MEDIA:$name" "docker://$DST_ADDR/interop/console:1"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/interop/console:1")" = "$want" ]
}

@test "interop: umoci unpack --rootless --image DIR:<full name> unpacks an image of our media" {
    name=$(fixture_component console source)
    out="$BATS_TEST_TMPDIR/bundle"
    run umoci unpack --rootless --image "$MEDIA:$name" "$out"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(cat "$out/rootfs/usr/share/mirrorkit/console/amd64/NAME")" = "console amd64 seed=7" ]
    [ -f "$out/rootfs/etc/os-release" ]
}

@test "interop: a layout written by skopeo (oci:SKDIR:console) is read by blob-copy dir:SKDIR[:console]" {
    sk="$BATS_TEST_TMPDIR/skopeo-layout"
    src=$(fixture_component console source)
    run skopeo copy -q --src-tls-verify=false "docker://$src" "oci:$sk:console"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    want=$(jq -r '.manifests[0].digest' "$sk/index.json")
    [ "$want" = "$(fixture_component console digest)" ]
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$DST_ADDR" \
        "dir:$sk:console" "$DST_ADDR/x/console:1" "dir:$sk" "$DST_ADDR/x/console:2"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "${#lines[@]}" -eq 2 ]
    jq -e -s 'all(.[]; .status == "copied")' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/x/console:1")" = "$want" ]
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/x/console:2")" = "$want" ]
}

# --- 4. corruption ---------------------------------------------------------------

@test "corruption: one flipped byte in a layer -> verify names the image and blob; that copy fails, the rest go" {
    c="$BATS_FILE_TMPDIR/damaged"
    cp -a "$MEDIA" "$c"
    man=$(fixture_component cli digest)
    layer=$(jq -r '.layers[-1].digest' "$c/blobs/sha256/${man#sha256:}")
    [[ $layer == sha256:* ]]
    # a layer only cli uses: exactly one manifest in the media names it
    [ "$(grep -l -F "$layer" "$c"/blobs/sha256/* | wc -l)" -eq 1 ]
    python3 - "$c/blobs/sha256/${layer#sha256:}" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1000)
    b = f.read(1)
    f.seek(1000)
    f.write(bytes([b[0] ^ 0x01]))
EOF

    run --separate-stderr "$MK_BIN/oci-dir" verify "$c"
    [ "$status" -eq 1 ]
    json_lines_ok <(printf '%s\n' "$output")
    damaged=$(jq -c 'select(.status != "ok")' <<<"$output")
    [ "$(wc -l <<<"$damaged")" -eq 1 ] || { echo "$damaged"; return 1; }
    [ "$(jq -r .name <<<"$damaged")" = "$(fixture_component cli source)" ]
    [ "$(jq -r .status <<<"$damaged")" = damaged ]
    [ "$(jq -r '.corrupt | join(" ")' <<<"$damaged")" = "$layer" ]
    [[ $stderr == *"1 damaged"* && $stderr == *"1 corrupt"* ]] || { echo "$stderr"; return 1; }

    repo="$DST_ADDR/damaged/openshift4"
    "$MK_BIN/release-list" "dir:$c:$TAG" --to "$repo" >"$BATS_TEST_TMPDIR/plan.json"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$BATS_TEST_TMPDIR/plan.json"
    [ "$status" -eq 4 ]  # integrity: a blob did not match its digest
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/copy.json"
    json_lines_ok "$BATS_TEST_TMPDIR/copy.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    failed=$(jq -c 'select(.status != "copied")' "$BATS_TEST_TMPDIR/copy.json")
    [ "$(wc -l <<<"$failed")" -eq 1 ] || { echo "$failed"; return 1; }
    [ "$(jq -r .name <<<"$failed")" = cli ]
    [ "$(jq -r .status <<<"$failed")" = failed ]
    [[ "$(jq -r .error <<<"$failed")" == *"$layer"* ]] || { echo "$failed"; return 1; }
    [[ $stderr == *"$layer"* ]]
    # nothing of it in the mirror: no manifest, no damaged blob
    run skopeo inspect --raw --tls-verify=false "docker://$repo:$TAG-cli"
    [ "$status" -ne 0 ]
    code=$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 5 -I \
        "http://$DST_ADDR/v2/damaged/openshift4/blobs/$layer")
    [ "$code" = 404 ] || { echo "HEAD blob: $code"; return 1; }
    # every other image is whole
    while read -r dest digest; do
        [ "$(raw_digest "$DST_DIR" "$dest")" = "$digest" ] || { echo "$dest"; return 1; }
    done < <(jq -r 'select(.name != "cli") | "\(.dest) \(.digest)"' "$BATS_TEST_TMPDIR/plan.json")
}

# --- 7. volumes ---------------------------------------------------------------

@test "volumes: pack --max-size 256K gives several self-describing tars of at most 262144 bytes" {
    vols="$BATS_FILE_TMPDIR/vols"
    run --separate-stderr "$MK_BIN/oci-dir" pack "$MEDIA" --max-size 256K --out "$vols"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    tars=("$vols"/*.tar)
    n=${#tars[@]}
    [ "$n" -ge 2 ] || { echo "$n volumes"; return 1; }
    [ "${#lines[@]}" -eq "$n" ]
    sets=()
    for v in "$vols"/*.tar; do
        size=$(stat -c %s "$v")
        [ "$size" -le 262144 ] || { echo "$v: $size bytes"; return 1; }
        [ "$(tar -tf "$v" | head -n3 | tr '\n' ' ')" = "mirrorkit-volume.json oci-layout index.json " ] || {
            tar -tf "$v" | head -n3
            return 1
        }
        tar -xOf "$v" mirrorkit-volume.json >"$BATS_TEST_TMPDIR/meta.json"
        [ "$(jq -r .kind "$BATS_TEST_TMPDIR/meta.json")" = mirrorkit-volume ]
        [ "$(jq -r .volumes "$BATS_TEST_TMPDIR/meta.json")" -eq "$n" ]
        sets+=("$(jq -r .set "$BATS_TEST_TMPDIR/meta.json")")
        jq -r .volume "$BATS_TEST_TMPDIR/meta.json" >>"$BATS_TEST_TMPDIR/numbers"
        # the whole index in every volume
        cmp <(tar -xOf "$v" index.json) "$MEDIA/index.json"
        # the blobs it says it holds are the ones it holds
        diff <(jq -r '.blobs[].digest | sub("^sha256:"; "blobs/sha256/")' "$BATS_TEST_TMPDIR/meta.json" | sort) \
            <(tar -tf "$v" | grep '^blobs/sha256/.' | sort)
        tar -tf "$v" | grep '^blobs/sha256/.' >>"$BATS_TEST_TMPDIR/all-blobs"
    done
    [ "$(printf '%s\n' "${sets[@]}" | sort -u | wc -l)" -eq 1 ]
    diff <(sort -n "$BATS_TEST_TMPDIR/numbers") <(seq 1 "$n")
    # every blob of the media in exactly one volume
    diff <(sort "$BATS_TEST_TMPDIR/all-blobs") <(cd "$MEDIA" && find blobs/sha256 -type f | sort)
}

@test "volumes: unpack of all volumes rebuilds the media; a push from it keeps every digest" {
    vols="$BATS_FILE_TMPDIR/vols"
    [ -f "$vols/mirror-001.tar" ] || skip "no volumes (the pack test failed)"
    d2="$BATS_FILE_TMPDIR/unpacked"
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$vols"/*.tar --to "$d2"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    diff <(index_name_digests "$d2") <(fixture_name_digests)
    diff <(cd "$d2" && find blobs/sha256 -type f | sort) <(cd "$MEDIA" && find blobs/sha256 -type f | sort)
    sha256_names_ok "$d2"
    run --separate-stderr "$MK_BIN/oci-dir" verify "$d2"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }

    repo="$DST_ADDR/fromvolumes/openshift4"
    "$MK_BIN/release-list" "dir:$d2:$TAG" --to "$repo" >"$BATS_TEST_TMPDIR/plan.json"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$BATS_TEST_TMPDIR/plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/copy.json"
    all_status "$BATS_TEST_TMPDIR/copy.json" copied
    check_dests_digests "$BATS_TEST_TMPDIR/plan.json"
}

@test "volumes: unpack with one volume missing is exit 1, names it, and a later unpack of it completes the directory" {
    vols="$BATS_FILE_TMPDIR/vols"
    [ -f "$vols/mirror-002.tar" ] || skip "fewer than 2 volumes (the pack test failed)"
    given=()
    for v in "$vols"/*.tar; do
        [ "$v" = "$vols/mirror-002.tar" ] || given+=("$v")
    done
    n=$((${#given[@]} + 1))
    run --separate-stderr "$MK_BIN/oci-dir" unpack "${given[@]}" --to "$BATS_TEST_TMPDIR/partial"
    [ "$status" -eq 1 ]
    json_lines_ok <(printf '%s\n' "$output")
    [ "$(jq -c 'select(.kind == "missing-volume") | [.volume, .volumes]' <<<"$output")" = "[2,$n]" ] || {
        echo "$output"
        return 1
    }
    # images the missing volume would complete are reported damaged
    jq -e -s 'any(.[]; .kind == "image" and .status == "damaged")' <<<"$output" >/dev/null
    # whatever it did write is sound
    sha256_names_ok "$BATS_TEST_TMPDIR/partial"
    # one disc at a time: the missing volume alone, later, completes it
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$vols/mirror-002.tar" --to "$BATS_TEST_TMPDIR/partial"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    run "$MK_BIN/oci-dir" verify "$BATS_TEST_TMPDIR/partial"
    [ "$status" -eq 0 ]
}

@test "volumes: plain tar -xf of every volume into one folder passes oci-dir verify" {
    vols="$BATS_FILE_TMPDIR/vols"
    [ -f "$vols/mirror-001.tar" ] || skip "no volumes (the pack test failed)"
    x="$BATS_TEST_TMPDIR/extracted"
    mkdir -p "$x"
    for v in "$vols"/*.tar; do tar -xf "$v" -C "$x"; done
    run --separate-stderr "$MK_BIN/oci-dir" verify "$x"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "ok")] | length' <<<"$output")" -eq $((NCOMP + 1)) ]
    cmp "$x/index.json" "$MEDIA/index.json"
}

@test "volumes: a crafted volume's ../ entries, link and lying blob are refused; nothing lands outside" {
    top="$BATS_TEST_TMPDIR/craft"
    mkdir -p "$top/a/b" "$top/cwd"
    python3 - "$top/evil.tar" >"$top/names" <<'EOF'
import hashlib, io, json, sys, tarfile
def add(tf, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), 0o644, 1577836800
    tf.addfile(ti, io.BytesIO(data))
good = b"a good blob\n"
good_hex = hashlib.sha256(good).hexdigest()
liar_hex = hashlib.sha256(b"what the name promises\n").hexdigest()
liar = b"other bytes, same size\n"
meta = {"kind": "mirrorkit-volume", "set": "0123456789abcdef", "volume": 1, "volumes": 1,
        "blobs": [{"digest": "sha256:" + good_hex, "size": len(good)},
                  {"digest": "sha256:" + liar_hex, "size": len(liar)}]}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as tf:
    add(tf, "mirrorkit-volume.json", (json.dumps(meta) + "\n").encode())
    add(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}\n')
    add(tf, "index.json", (json.dumps(index) + "\n").encode())
    add(tf, "../evil", b"evil\n")
    add(tf, "blobs/sha256/../../x", b"x\n")
    add(tf, "blobs/sha256/" + good_hex, good)
    add(tf, "blobs/sha256/" + liar_hex, liar)
    link = tarfile.TarInfo("blobs/sha256/" + "ab" * 32)
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    tf.addfile(link)
print(good_hex, liar_hex)
EOF
    read -r good liar <"$top/names"
    d3="$top/a/b/d3"
    # relative paths, from an unrelated working directory
    cd "$top/cwd"
    run --separate-stderr "$MK_BIN/oci-dir" unpack ../evil.tar --to ../a/b/d3
    cd "$BATS_TEST_TMPDIR"
    [ "$status" -eq 1 ]
    json_lines_ok <(printf '%s\n' "$output")
    refused=$(jq -r 'select(.kind == "refused") | .error' <<<"$output")
    [[ $refused == *'../evil'* ]] || { echo "$output"; return 1; }
    [[ $refused == *'blobs/sha256/../../x'* ]] || { echo "$output"; return 1; }
    [[ $refused == *"blobs/sha256/$(printf 'ab%.0s' {1..32})"* ]] || { echo "$output"; return 1; }
    # the lying blob is reported and not written under its name
    [[ "$(jq -r 'select(.kind == "blob") | .error' <<<"$output")" == *"$liar"* ]] || { echo "$output"; return 1; }
    [ ! -e "$d3/blobs/sha256/$liar" ]
    # nothing outside d3; in d3 only the layout and the good blob (index.json
    # may be written, empty; a left-over lock file is the media layout test's
    # business)
    diff <(cd "$top" && find . -mindepth 1 ! -path ./a/b/d3/.index.lock ! -path ./a/b/d3/index.json | sort) \
        <(sort <<EOF
./a
./a/b
./a/b/d3
./a/b/d3/blobs
./a/b/d3/blobs/sha256
./a/b/d3/blobs/sha256/$good
./a/b/d3/oci-layout
./cwd
./evil.tar
./names
EOF
        )
    if [ -e "$d3/index.json" ]; then
        [ "$(jq '.manifests | length' "$d3/index.json")" -eq 0 ]
    fi
    [ "$(cat "$d3/blobs/sha256/$good")" = "a good blob" ]
}

# --- 8. two writers at once -------------------------------------------------------

@test "concurrent writers: two blob-copy processes fill one directory; index.json whole, verify clean" {
    c="$BATS_FILE_TMPDIR/concurrent"
    plan="$BATS_TEST_TMPDIR/plan.json"
    "$MK_BIN/release-list" "$RELEASE" --to-dir "$c" --insecure "$SRC_ADDR" >"$plan"
    awk 'NR % 2 == 1' "$plan" >"$BATS_TEST_TMPDIR/half1.json"
    awk 'NR % 2 == 0' "$plan" >"$BATS_TEST_TMPDIR/half2.json"
    for i in 1 2; do
        timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/half$i.json" \
            >"$BATS_TEST_TMPDIR/copy$i.json" 2>"$BATS_TEST_TMPDIR/copy$i.err" 3>&- &
        echo $! >"$BATS_TEST_TMPDIR/pid$i"
    done
    rc1=0 rc2=0
    wait "$(cat "$BATS_TEST_TMPDIR/pid1")" || rc1=$?
    wait "$(cat "$BATS_TEST_TMPDIR/pid2")" || rc2=$?
    [ "$rc1$rc2" = 00 ] || { cat "$BATS_TEST_TMPDIR"/copy*.err; return 1; }
    cat "$BATS_TEST_TMPDIR/copy1.json" "$BATS_TEST_TMPDIR/copy2.json" >"$BATS_TEST_TMPDIR/copy.json"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/copy.json")" -eq $((NCOMP + 1)) ]
    jq -e -s 'all(.[]; .status == "copied" or .status == "present")' "$BATS_TEST_TMPDIR/copy.json" >/dev/null
    jq -e . "$c/index.json" >/dev/null
    [ "$(jq '.manifests | length' "$c/index.json")" -eq $((NCOMP + 1)) ]
    diff <(index_name_digests "$c") <(fixture_name_digests)
    run --separate-stderr "$MK_BIN/oci-dir" verify "$c"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "ok")] | length' <<<"$output")" -eq $((NCOMP + 1)) ]
    [ "$(jq -s '[.[] | select(.kind != "image")] | length' <<<"$output")" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(find "$c/blobs/sha256" -type f | wc -l)" -eq $((NBLOBS + NMANIFESTS)) ]
}
