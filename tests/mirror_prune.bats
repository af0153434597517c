#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# mirror-prune (issue 15): two synthetic z-streams that share components,
# mirrored into one repository of a registry with delete enabled (and into
# one OCI layout); pruning with release 2's records removes exactly the
# release-1-only images and leaves release 2 whole. Results are checked
# with skopeo, and the registry's own garbage collection runs after.
#
# Release 1: 4.3.0, 24 components; release 2: 4.3.1, the first 20 of the
# same (same seed: byte-identical images). Both releases are signed (a
# sigstore tag sha256-<hex>.sig each, mirrored with --signatures).
# Release-1-only: its release image, 4 components and its signature. The
# records kept are release 2's without its sigstore record, so that its
# signature stays because it signs a kept digest.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source --version 4.3.0 --components 24 || return 1
    FIXTURE2="$BATS_FILE_TMPDIR/fixture2.json"
    "$MKREL" --registry "$SRC_ADDR" --plain --seed 7 --version 4.3.1 --components 20 \
        >"$FIXTURE2" 2>"$BATS_FILE_TMPDIR/fixture2.err" || {
        cat "$BATS_FILE_TMPDIR/fixture2.err" >&2
        return 1
    }
    RELEASE2=$(jq -er .release "$FIXTURE2") || return 1
    RELEASE2_DIGEST=$(jq -er .release_digest "$FIXTURE2") || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    DEST_REPO="$DST_ADDR/ocp4/openshift4"
    MEDIA="$BATS_FILE_TMPDIR/media"
    case $MEDIA in *:*) echo "BATS_FILE_TMPDIR contains ':': $MEDIA" >&2; return 1 ;; esac
    local pushsig="$BATS_TEST_DIRNAME/fixtures/push-sigstore.py"
    REL1_SIG=$("$pushsig" --registry "$SRC_ADDR" --repo openshift-release-dev/ocp-release \
        --digest "$RELEASE_DIGEST") || return 1
    REL2_SIG=$("$pushsig" --registry "$SRC_ADDR" --repo openshift-release-dev/ocp-release \
        --digest "$RELEASE2_DIGEST") || return 1
    export FIXTURE2 RELEASE2 RELEASE2_DIGEST DST_DIR DST_ADDR DEST_REPO MEDIA REL1_SIG REL2_SIG

    local d=$BATS_FILE_TMPDIR rel n=0
    for rel in "$RELEASE" "$RELEASE2"; do
        n=$((n + 1))
        timeout 120 "$MK_BIN/release-list" --signatures --insecure "$SRC_ADDR" --to "$DEST_REPO" "$rel" 2>"$d/list$n.err" |
            timeout 300 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" \
                >"$d/copy$n.json" 2>"$d/copy$n.err" || { cat "$d/list$n.err" "$d/copy$n.err" >&2; return 1; }
        timeout 120 "$MK_BIN/release-list" --signatures --insecure "$SRC_ADDR" --to-dir "$MEDIA" "$rel" 2>"$d/dlist$n.err" |
            timeout 300 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" \
                >"$d/dcopy$n.json" 2>"$d/dcopy$n.err" || { cat "$d/dlist$n.err" "$d/dcopy$n.err" >&2; return 1; }
    done
    # What is kept: release 2's records without its signature's.
    for n in 1 2; do
        jq -c 'select(.kind != "sigstore" and .kind != "skipped")' "$d/copy$n.json" >"$d/keep$n.json"
        jq -c 'select(.kind != "sigstore" and .kind != "skipped")' "$d/dcopy$n.json" >"$d/dkeep$n.json"
    done
    # The digests of release 1 that release 2 does not have, and those it has.
    jq -r '.components[].digest' "$FIXTURE2" | sort -u >"$d/kept.digests"
    echo "$RELEASE2_DIGEST" >>"$d/kept.digests"
    { jq -r '.components[].digest' "$FIXTURE"; echo "$RELEASE_DIGEST"; echo "$REL1_SIG"; } | sort -u |
        comm -23 - <(sort -u "$d/kept.digests") >"$d/gone.digests"
    # The tags of release 1 whose images go.
    jq -r --slurpfile gone <(jq -R . "$d/gone.digests") \
        'select(.digest as $x | $gone | index($x)) | .dest' "$d/copy1.json" | sort >"$d/gone.tags"
}

teardown_file() {
    mirror_teardown
}

# pullable REF... : skopeo reads each manifest and copies each image whole.
pullable() {
    local ref out=$BATS_TEST_TMPDIR/pull i=0
    mkdir -p "$out"
    for ref in "$@"; do
        i=$((i + 1))
        timeout 60 skopeo copy -q --all --src-tls-verify=false "docker://$ref" "dir:$out/$i" >/dev/null 2>"$out.err" ||
            { echo "not pullable: $ref: $(cat "$out.err")"; return 1; }
        rm -rf "${out:?}/$i"
    done
}

# layout_whole DIR DIGEST : the manifest DIGEST of the OCI layout DIR and
# everything it references (children, config, layers) are there, each
# hashing to its digest (sha256sum: an independent check).
layout_whole() {
    local dir=$1 digest=$2 f b
    f="$dir/blobs/sha256/${digest#sha256:}"
    [ "sha256:$(sha256sum <"$f" | cut -d' ' -f1)" = "$digest" ] || { echo "damaged or missing: $digest"; return 1; }
    if jq -e 'has("manifests")' "$f" >/dev/null; then
        for b in $(jq -r '.manifests[].digest' "$f"); do layout_whole "$dir" "$b" || return 1; done
        return 0
    fi
    for b in $(jq -r '.config.digest, .layers[].digest' "$f"); do
        [ "sha256:$(sha256sum <"$dir/blobs/sha256/${b#sha256:}" | cut -d' ' -f1)" = "$b" ] ||
            { echo "blob $b of $digest: damaged or missing"; return 1; }
    done
}

# refs_by_digest FILE ADDR : every dest of FILE's records as REPO@DIGEST at ADDR.
refs_by_digest() {
    jq -r --arg a "$2" '"\(.dest | sub("^[^/]+/"; $a + "/") | sub(":[^:/]+$"; ""))@\(.digest)"' "$1"
}

@test "setup: both releases mirrored, release 1 has 6 images release 2 lacks (one a signature)" {
    [ "$(wc -l <"$BATS_FILE_TMPDIR/gone.digests")" -eq 6 ]
    [ "$(wc -l <"$BATS_FILE_TMPDIR/gone.tags")" -eq 6 ]
    [ "$(wc -l <"$BATS_FILE_TMPDIR/keep2.json")" -eq 21 ]
    jq -e -s 'all(.[] | select(.kind != "skipped"); .status == "copied" or .status == "present")' \
        "$BATS_FILE_TMPDIR"/copy[12].json "$BATS_FILE_TMPDIR"/dcopy[12].json >/dev/null
    # both signatures were mirrored
    [ "$(jq -s '[.[] | select(.kind == "sigstore")] | length' "$BATS_FILE_TMPDIR"/copy[12].json)" -eq 2 ]
}

@test "usage: no --keep, RECORDS naming nothing, no TARGET: exit 2, nothing read" {
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --insecure "$DST_ADDR" "$DEST_REPO"
    [ "$status" -eq 2 ]
    [[ $stderr == *"--keep"* ]]
    : >"$BATS_TEST_TMPDIR/empty.json"
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_TEST_TMPDIR/empty.json" --insecure "$DST_ADDR" "$DEST_REPO"
    [ "$status" -eq 2 ]
    [[ $stderr == *"names no image"* ]]
    [ -z "$output" ]
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_FILE_TMPDIR/keep2.json"
    [ "$status" -eq 2 ]
    # a registry is no target, nor one image of a directory
    for bad in "$DST_ADDR" "$DEST_REPO:4.3.1-x86_64" "dir:$MEDIA:name"; do
        run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_FILE_TMPDIR/keep2.json" "$bad"
        [ "$status" -eq 2 ] || { echo "$bad: $status $stderr"; return 1; }
        [[ $stderr == *"target"* ]]
    done
}

@test "registry refusal: a kept image missing from the target is an error, nothing deleted (even with --apply)" {
    k=$BATS_TEST_TMPDIR/keep.json
    cp "$BATS_FILE_TMPDIR/keep2.json" "$k"
    echo "{\"kind\":\"image\",\"source\":\"x/y@sha256:$(printf '%064d' 0)\",\"dest\":\"$DEST_REPO:no-such-tag\"}" >>"$k"
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --apply --keep "$k" --insecure "$DST_ADDR" "$DEST_REPO"
    [ "$status" -eq 1 ]
    [[ $stderr == *"no-such-tag"* ]] || { echo "$stderr"; return 1; }
    [ -z "$output" ]
    mapfile -t tags <"$BATS_FILE_TMPDIR/gone.tags"
    pullable "${tags[@]}"
}

@test "registry dry run: one record per release-1-only image, nothing deleted" {
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_FILE_TMPDIR/keep2.json" --insecure "$DST_ADDR" "$DEST_REPO"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    diff <(jq -r .digest <<<"$output" | sort) "$BATS_FILE_TMPDIR/gone.digests"
    jq -e -s --arg t "$DEST_REPO" 'all(.[]; .kind == "prune" and .action == "would-delete" and .target == $t
        and (.tags | length) == 1 and .ref == $t + "@" + .digest)' <<<"$output" >/dev/null
    diff <(jq -r --arg r "$DEST_REPO" '$r + ":" + .tags[0]' <<<"$output" | sort) "$BATS_FILE_TMPDIR/gone.tags"
    [[ $stderr == *"would delete 6 image(s)"*"dry run"* ]] || { echo "$stderr"; return 1; }
    # the namespace (every repository under ocp4/, from the registry's catalog): the same
    local plan=$output
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_FILE_TMPDIR/keep2.json" --insecure "$DST_ADDR" "$DST_ADDR/ocp4/"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    diff <(jq -r .ref <<<"$output" | sort) <(jq -r .ref <<<"$plan" | sort)
    mapfile -t tags <"$BATS_FILE_TMPDIR/gone.tags"
    pullable "${tags[@]}"
}

@test "registry --apply: release-1-only tags gone, release 2 whole, shared components stay" {
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --apply --keep "$BATS_FILE_TMPDIR/keep2.json" \
        --insecure "$DST_ADDR" "$DEST_REPO"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    diff <(jq -r .digest <<<"$output" | sort) "$BATS_FILE_TMPDIR/gone.digests"
    jq -e -s 'all(.[]; .action == "deleted")' <<<"$output" >/dev/null
    local pruned=$output
    local tag
    while read -r tag; do
        run timeout 60 skopeo inspect --raw --tls-verify=false "docker://$tag"
        [ "$status" -ne 0 ] || { echo "still there: $tag"; return 1; }
    done <"$BATS_FILE_TMPDIR/gone.tags"
    # every image of release 2, by tag and by digest (lists with all their children)
    mapfile -t refs < <(jq -r .dest "$BATS_FILE_TMPDIR/keep2.json"; refs_by_digest "$BATS_FILE_TMPDIR/keep2.json" "$DST_ADDR")
    [ "${#refs[@]}" -eq 42 ]
    pullable "${refs[@]}"
    # release 1's signature went with it; release 2's stays, no record naming it
    [ "$(jq -r --arg d "$REL1_SIG" 'select(.digest == $d) | .reason' <<<"$pruned")" = "signature of an image not kept" ]
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:sha256-${RELEASE2_DIGEST#sha256:}.sig")" = "$REL2_SIG" ]
    # a component both releases share is still there under release 1's tag too
    # (a registry deletes manifests, not tags, and this manifest is kept)
    run timeout 60 skopeo inspect --raw --tls-verify=false "docker://$DEST_REPO:4.3.0-x86_64-cli"
    [ "$status" -eq 0 ]
    # a second run finds nothing more to delete
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_FILE_TMPDIR/keep2.json" --insecure "$DST_ADDR" "$DEST_REPO"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "registry garbage-collect after the prune frees blobs; release 2 stays pullable" {
    local blobs=$DST_DIR/data/docker/registry/v2/blobs before after addr
    before=$(find "$blobs" -name data -type f | wc -l)
    registry_stop "$DST_DIR"
    run timeout 120 docker-registry garbage-collect "$DST_DIR/config.yml"
    [ "$status" -eq 0 ] || { echo "$output" | tail -5; return 1; }
    after=$(find "$blobs" -name data -type f | wc -l)
    [ "$after" -lt "$before" ] || { echo "blobs: $before before, $after after"; return 1; }
    addr=$(registry_start "$DST_DIR")
    mapfile -t refs < <(refs_by_digest "$BATS_FILE_TMPDIR/keep2.json" "$addr")
    [ "${#refs[@]}" -eq 21 ]
    pullable "${refs[@]}"
}

@test "registry without delete enabled: a clear error naming storage.delete.enabled, nothing deleted" {
    local addr
    addr=$(mirror_registry nodel --no-delete)
    timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$addr" \
        "$RELEASE" "$addr/ocp4/openshift4:4.3.0-x86_64" "$RELEASE2" "$addr/ocp4/openshift4:4.3.1-x86_64" >/dev/null
    echo "{\"kind\":\"release\",\"digest\":\"$RELEASE2_DIGEST\",\"dest\":\"$addr/ocp4/openshift4:4.3.1-x86_64\"}" \
        >"$BATS_TEST_TMPDIR/keep.json"
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$BATS_TEST_TMPDIR/keep.json" --insecure "$addr" "$addr/ocp4/openshift4"
    [ "$status" -eq 0 ]
    [ "$(jq -r .digest <<<"$output")" = "$RELEASE_DIGEST" ]
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --apply --keep "$BATS_TEST_TMPDIR/keep.json" --insecure "$addr" "$addr/ocp4/openshift4"
    [ "$status" -eq 1 ]
    [[ $stderr == *"storage.delete.enabled"* ]] || { echo "$stderr"; return 1; }
    [ -z "$output" ]
    pullable "$addr/ocp4/openshift4:4.3.0-x86_64"
}

# --- the same on an OCI layout directory ---------------------------------

@test "directory refusal: a kept image missing from the layout is an error, nothing deleted" {
    k=$BATS_TEST_TMPDIR/keep.json
    cp "$BATS_FILE_TMPDIR/dkeep2.json" "$k"
    echo "{\"kind\":\"image\",\"dest\":\"dir:$MEDIA:example.com/not/there:1\"}" >>"$k"
    cp "$MEDIA/index.json" "$BATS_TEST_TMPDIR/index.before"
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --apply --keep "$k" "dir:$MEDIA"
    [ "$status" -eq 1 ]
    [[ $stderr == *"example.com/not/there:1"* ]] || { echo "$stderr"; return 1; }
    cmp "$MEDIA/index.json" "$BATS_TEST_TMPDIR/index.before"
}

@test "directory dry run, then --apply: release-1-only images and blobs go, oci-dir verify clean, skopeo reads the rest" {
    local d=$BATS_FILE_TMPDIR before after name
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$d/dkeep2.json" "dir:$MEDIA"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    diff <(jq -r .digest <<<"$output" | sort) "$d/gone.digests"
    jq -e -s --arg m "dir:$MEDIA" 'all(.[]; .kind == "prune" and .action == "would-delete" and .target == $m)' \
        <<<"$output" >/dev/null
    before=$(find "$MEDIA/blobs" -type f | wc -l)
    [ "$(jq '.manifests | length' "$MEDIA/index.json")" -eq 28 ]

    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --apply --keep "$d/dkeep2.json" "dir:$MEDIA"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    diff <(jq -r .digest <<<"$output" | sort) "$d/gone.digests"
    after=$(find "$MEDIA/blobs" -type f | wc -l)
    [ "$after" -lt "$before" ]
    [ "$(jq '.manifests | length' "$MEDIA/index.json")" -eq 22 ]
    # release 2's signature stays, named
    jq -e --arg d "$REL2_SIG" 'any(.manifests[]; .digest == $d)' "$MEDIA/index.json" >/dev/null
    run --separate-stderr timeout 120 "$MK_BIN/oci-dir" verify "$MEDIA"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    # every kept image is whole (hashed here); skopeo reads those of OCI
    # media types (skopeo 1.9's oci: transport skips Docker ones)
    local read_by_skopeo=0 type
    while read -r name digest; do
        layout_whole "$MEDIA" "$digest"
        type=$(jq -r --arg n "$name" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n)
            | .mediaType' "$MEDIA/index.json")
        [ -n "$type" ] || { echo "not in index.json: $name"; return 1; }
        [[ $type == application/vnd.oci.* ]] || continue
        timeout 60 skopeo copy -q --all "oci:$MEDIA:$name" "dir:$BATS_TEST_TMPDIR/img" >/dev/null ||
            { echo "not readable: $name"; return 1; }
        rm -rf "$BATS_TEST_TMPDIR/img"
        read_by_skopeo=$((read_by_skopeo + 1))
    done < <(jq -r '"\(.dest | sub("^dir:[^:]*:"; "")) \(.digest)"' "$d/dkeep2.json")
    [ "$read_by_skopeo" -ge 1 ]
    # the pruned ones are no longer named, and their own manifests are gone
    while read -r name digest; do
        jq -e --arg n "$name" 'any(.manifests[]; .annotations["org.opencontainers.image.ref.name"] == $n)' \
            "$MEDIA/index.json" >/dev/null && { echo "still named: $name"; return 1; }
        [ ! -e "$MEDIA/blobs/sha256/${digest#sha256:}" ] || { echo "still there: $digest"; return 1; }
    done < <(jq -r --slurpfile gone <(jq -R . "$d/gone.digests") \
        'select(.digest as $x | $gone | index($x)) | "\(.dest | sub("^dir:[^:]*:"; "")) \(.digest)"' "$d/dcopy1.json")
    # a blob only a pruned image had is gone, one a kept image shares stays
    run --separate-stderr timeout 120 "$MK_BIN/mirror-prune" --keep "$d/dkeep2.json" "dir:$MEDIA"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [[ $stderr == *"0 blob(s)"* ]] || { echo "$stderr"; return 1; }
}
