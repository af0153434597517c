#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# graph-image (issue 12): the OpenShift Update Service's graph data image,
# built on a base image pushed into a test registry, pushed to a registry
# and into a dir:, read back with skopeo and unpacked with umoci (never
# with our own reader); ics-gen --format updateservice from its record.

bats_require_minimum_version 1.5.0

load lib/mirror

CMD='["/bin/bash","-c","exec cp -rp /var/lib/cincinnati-graph-data/* /var/lib/cincinnati/graph-data"]'

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    export DST_DIR DST_ADDR
    # The graph data, as api.openshift.com serves it (a few of its files),
    # and one with an entry that climbs out of its directory.
    GRAPH="$BATS_FILE_TMPDIR/graph-data.tar.gz"
    BAD_GRAPH="$BATS_FILE_TMPDIR/bad-graph-data.tar.gz"
    export GRAPH BAD_GRAPH
    python3 - "$GRAPH" "$BAD_GRAPH" <<'PY' || return 1
import io, sys, tarfile
def make(path, files):
    with tarfile.open(path, "w:gz") as t:
        for name, data in files:
            if data is None:
                ti = tarfile.TarInfo(name); ti.type = tarfile.DIRTYPE; ti.mode = 0o755
                t.addfile(ti)
                continue
            ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
            t.addfile(ti, io.BytesIO(data))
files = [("channels", None),
         ("channels/stable-4.3.yaml", b"name: stable-4.3\nversions:\n- 4.3.0\n- 4.3.1\n"),
         ("blocked-edges/4.3.1-bug.yaml", b"to: 4.3.1\nfrom: 4\\.2\\..*\n"),
         ("./version", bytes(range(256)))]
make(sys.argv[1], files)
make(sys.argv[2], files[:2] + [("../../etc/evil", b"owned\n")])
PY
    mkdir -p "$BATS_FILE_TMPDIR/graph-files"
    tar -xzf "$GRAPH" -C "$BATS_FILE_TMPDIR/graph-files" || return 1
    BASE=$(fixture_component installer source) || return 1
    export BASE
}

teardown_file() {
    mirror_teardown
}

gi() {
    "$MK_BIN/graph-image" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" "$@"
}

# The layer digests of an image's manifest (a skopeo transport reference).
layer_digests() {
    # shellcheck disable=SC2046
    skopeo inspect --raw $(skopeo_args "$DST_DIR") "$1" | jq -r '.layers[].digest'
}

# check_unpacked LAYOUT NAME: umoci unpacks the image, the graph data files
# are under var/lib/cincinnati-graph-data/ with the bytes given.
check_unpacked() {
    local out="$BATS_TEST_TMPDIR/bundle" f
    umoci unpack --rootless --image "$1:$2" "$out" >/dev/null || return 1
    for f in channels/stable-4.3.yaml blocked-edges/4.3.1-bug.yaml version; do
        cmp "$BATS_FILE_TMPDIR/graph-files/$f" "$out/rootfs/var/lib/cincinnati-graph-data/$f" || return 1
    done
    # The base's files are there too.
    [ -n "$(find "$out/rootfs/usr" -type f | head -1)" ]
}

@test "to a registry: base layers unchanged and first, one new layer, the Cmd, the files" {
    local dest="$DST_ADDR/ocp4/graph-data:latest"
    run --separate-stderr gi --graph-data "$GRAPH" --base "$BASE" --to "$dest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq 1 ]
    echo "$output" >"$BATS_FILE_TMPDIR/graph.jsonl"
    [ "$(jq -r .kind <<<"$output")" = graph-image ]
    [ "$(jq -r .dest <<<"$output")" = "$dest" ]
    [ "$(jq -r .files <<<"$output")" = 3 ]
    digest=$(jq -r .digest <<<"$output")
    [ "$(raw_digest "$DST_DIR" "$dest")" = "$digest" ]
    [ "$(jq -r .image <<<"$output")" = "$DST_ADDR/ocp4/graph-data@$digest" ]
    [ "$(jq -r .base <<<"$output")" = "${BASE%@*}@$(raw_digest "$SRC_DIR" "$BASE")" ]

    # shellcheck disable=SC2046
    skopeo inspect --config $(skopeo_args "$DST_DIR") "docker://$dest" >"$BATS_TEST_TMPDIR/config.json"
    [ "$(jq -c .config.Cmd "$BATS_TEST_TMPDIR/config.json")" = "$CMD" ]
    [ "$(jq -r '.config.Entrypoint // "none"' "$BATS_TEST_TMPDIR/config.json")" = none ]
    base_layers=$(skopeo inspect --raw --tls-verify=false "docker://$BASE" | jq -r '.layers[].digest')
    new_layers=$(layer_digests "docker://$dest")
    [ "$(head -n -1 <<<"$new_layers")" = "$base_layers" ]
    [ "$(wc -l <<<"$new_layers")" -eq $(($(wc -l <<<"$base_layers") + 1)) ]
    [ "$(tail -1 <<<"$new_layers")" = "$(jq -r .layer <<<"$output")" ]
    [ "$(jq '.rootfs.diff_ids | length' "$BATS_TEST_TMPDIR/config.json")" -eq "$(wc -l <<<"$new_layers")" ]

    mapfile -t src < <(skopeo_args "$DST_DIR" --src)
    skopeo copy --quiet "${src[@]}" "docker://$dest" "oci:$BATS_TEST_TMPDIR/layout:graph" >/dev/null
    check_unpacked "$BATS_TEST_TMPDIR/layout" graph
}

@test "the same graph data on the same base gives the same digest" {
    run -0 gi --graph-data "$GRAPH" --base "$BASE" --to "$DST_ADDR/ocp4/graph-data:again"
    [ "$(jq -r .digest <<<"$output")" = "$(jq -r .digest "$BATS_FILE_TMPDIR/graph.jsonl")" ]
}

@test "to a dir: layout that skopeo and umoci read (an OCI base: an OCI layer)" {
    # skopeo's oci: transport reads OCI manifests only: console is one.
    local layout="$BATS_TEST_TMPDIR/media" base
    base=$(fixture_component console source)
    run --separate-stderr gi --graph-data "$GRAPH" --base "$base" --to "dir:$layout:ocp4/graph-data:latest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    dest=$(jq -r .dest <<<"$output")
    [[ $dest == "dir:$layout:"* ]]
    name=${dest#"dir:$layout:"}
    [ "$(skopeo inspect --config "oci:$layout:$name" | jq -c .config.Cmd)" = "$CMD" ]
    base_layers=$(skopeo inspect --raw --tls-verify=false "docker://$base" | jq -r '.layers[].digest')
    skopeo inspect --raw "oci:$layout:$name" >"$BATS_TEST_TMPDIR/m.json"
    new_layers=$(jq -r '.layers[].digest' "$BATS_TEST_TMPDIR/m.json")
    [ "$(head -n -1 <<<"$new_layers")" = "$base_layers" ]
    [ "$(jq -r '.layers[-1].mediaType' "$BATS_TEST_TMPDIR/m.json")" = application/vnd.oci.image.layer.v1.tar+gzip ]
    check_unpacked "$layout" "$name"
}

@test "to an oci-archive: the archive is written before the record names it; skopeo and umoci read it" {
    local tar="$BATS_TEST_TMPDIR/graph.tar" base out="$BATS_TEST_TMPDIR/layout" dest
    base=$(fixture_component console source)
    run --separate-stderr env MIRRORKIT_PLUGIN_PATH="$MK_BIN" "$MK_BIN/graph-image" --insecure "$SRC_ADDR" \
        --graph-data "$GRAPH" --base "$base" --to "oci-archive:$tar:ocp4/graph-data:latest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -f "$tar" ]
    # the name is kept as a full reference, as for dir:
    dest=$(jq -r .dest <<<"$output")
    [ "$dest" = "oci-archive:$tar:docker.io/ocp4/graph-data:latest" ]
    # the manifest in the archive is the one the record names
    [ "sha256:$(skopeo inspect --raw "$dest" | sha256sum | cut -d' ' -f1)" = "$(jq -r .digest <<<"$output")" ]
    skopeo copy -q "$dest" "oci:$out:x"
    check_unpacked "$out" x
}

@test "a manifest list base: --arch picks the child (default amd64)" {
    local list
    list=$(fixture_component pod source)
    run -0 gi --graph-data "$GRAPH" --base "$list" --arch arm64 --to "$DST_ADDR/ocp4/graph-data:arm64"
    # shellcheck disable=SC2046
    [ "$(skopeo inspect --config $(skopeo_args "$DST_DIR") "docker://$DST_ADDR/ocp4/graph-data:arm64" | jq -r .architecture)" = arm64 ]
    run -0 gi --graph-data "$GRAPH" --base "$list" --to "$DST_ADDR/ocp4/graph-data:amd64"
    # shellcheck disable=SC2046
    [ "$(skopeo inspect --config $(skopeo_args "$DST_DIR") "docker://$DST_ADDR/ocp4/graph-data:amd64" | jq -r .architecture)" = amd64 ]
}

@test "graph data with a ../ entry is refused in one line and nothing is pushed" {
    run --separate-stderr gi --graph-data "$BAD_GRAPH" --base "$BASE" --to "$DST_ADDR/ocp4/bad:latest"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [ "$(wc -l <<<"$stderr")" -eq 1 ]
    [[ $stderr == "graph-image: "*"../../etc/evil"* ]]
    # shellcheck disable=SC2046
    run ! skopeo inspect --raw $(skopeo_args "$DST_DIR") "docker://$DST_ADDR/ocp4/bad:latest"
}

@test "usage errors exit 2; a missing graph data file exits 1 naming it" {
    run --separate-stderr gi --base "$BASE" --to "$DST_ADDR/ocp4/x:1"
    [ "$status" -eq 2 ]
    [[ $stderr == *--graph-data* ]]
    run --separate-stderr gi --graph-data "$GRAPH" --base "$BASE" --to "$DST_ADDR/ocp4/x:1" --arch multi
    [ "$status" -eq 2 ]
    run --separate-stderr gi --graph-data "$BATS_TEST_TMPDIR/nope.tar.gz" --base "$BASE" --to "$DST_ADDR/ocp4/x:1"
    [ "$status" -eq 1 ]
    [[ $stderr == *nope.tar.gz* ]]
}

@test "--releases: a release repository that also holds component tags gives a warning" {
    mapfile -t src < <(skopeo_args "$SRC_DIR" --src)
    mapfile -t dst < <(skopeo_args "$DST_DIR" --dest)
    skopeo copy --quiet "${src[@]}" "${dst[@]}" "docker://$RELEASE" "docker://$DST_ADDR/ocp4/mixed:4.3.0-x86_64"
    skopeo copy --quiet "${src[@]}" "${dst[@]}" "docker://$BASE" "docker://$DST_ADDR/ocp4/mixed:4.3.0-x86_64-installer"
    skopeo copy --quiet "${src[@]}" "${dst[@]}" "docker://$RELEASE" "docker://$DST_ADDR/ocp4/clean:4.3.0-x86_64"
    run --separate-stderr gi --graph-data "$GRAPH" --base "$BASE" --to "$DST_ADDR/ocp4/graph-data:w" \
        --releases "$DST_ADDR/ocp4/mixed"
    [ "$status" -eq 0 ]
    [[ $stderr == *warning*"$DST_ADDR/ocp4/mixed"*4.3.0-x86_64-installer*--to-release-image* ]] || { echo "$stderr"; return 1; }
    run --separate-stderr gi --graph-data "$GRAPH" --base "$BASE" --to "$DST_ADDR/ocp4/graph-data:w" \
        --releases "$DST_ADDR/ocp4/clean"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
}

@test "ics-gen --format updateservice: the UpdateService from the release and graph-image records" {
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DST_ADDR/ocp4/openshift4" \
        --to-release-image "$DST_ADDR/ocp4/release:4.3.0-x86_64" "$RELEASE" >"$BATS_TEST_TMPDIR/plan.jsonl"
    run --separate-stderr "$MK_BIN/ics-gen" --format updateservice "$BATS_TEST_TMPDIR/plan.jsonl" \
        "$BATS_FILE_TMPDIR/graph.jsonl"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    digest=$(jq -r .digest "$BATS_FILE_TMPDIR/graph.jsonl")
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/us.yaml"
    python3 - "$DST_ADDR" "$digest" "$BATS_TEST_TMPDIR/us.yaml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[3]))
addr, digest = sys.argv[1], sys.argv[2]
want = {
    "apiVersion": "updateservice.operator.openshift.io/v1",
    "kind": "UpdateService",
    "metadata": {"name": "service", "namespace": "openshift-update-service"},
    "spec": {"replicas": 2, "releases": addr + "/ocp4/release",
             "graphDataImage": addr + "/ocp4/graph-data@" + digest},
}
assert doc == want, doc
PY
    run -0 "$MK_BIN/ics-gen" --format updateservice --name osus "$BATS_TEST_TMPDIR/plan.jsonl" "$BATS_FILE_TMPDIR/graph.jsonl"
    [[ $output == *"name: osus"* ]]
    # Without the graph-image record there is nothing to print.
    run --separate-stderr "$MK_BIN/ics-gen" --format updateservice "$BATS_TEST_TMPDIR/plan.jsonl"
    [ "$status" -eq 1 ]
    [[ $stderr == *graph-image* ]]
}
