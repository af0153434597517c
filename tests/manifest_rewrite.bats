#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# manifest-rewrite between release-list and blob-copy: plan rewrites (digests
# kept), platform filters and format conversions (new digests, content
# carried in the record), pushed by blob-copy into a real docker-registry and
# read back with skopeo and umoci, never with our own code.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_setup_source || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    DEST_REPO="$DST_ADDR/ocp4/openshift4"
    PLAN="$BATS_FILE_TMPDIR/plan.json"
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DEST_REPO" "$RELEASE" >"$PLAN" || return 1
    export DST_DIR DST_ADDR DEST_REPO PLAN
}

teardown_file() {
    mirror_teardown
}

rewrite() {
    "$MK_BIN/manifest-rewrite" --insecure "$SRC_ADDR" "$@"
}

copy() {
    "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" "$@"
}

# component NAME: the plan's record of component NAME.
component() {
    jq -c --arg n "$1" 'select(.kind == "image" and .name == $n)' "$PLAN"
}

# inspect REF: the raw manifest of REF in the mirror.
inspect() {
    # shellcheck disable=SC2046
    skopeo inspect --raw $(skopeo_args "$DST_DIR") "docker://$1"
}

@test "no option: every record comes out byte for byte" {
    run --separate-stderr rewrite "$PLAN"
    [ "$status" -eq 0 ]
    diff <(printf '%s\n' "$output") "$PLAN"
    [ -z "$stderr" ]
}

@test "--map re-roots dest prefixes at a path boundary, first match wins, digests kept" {
    run --separate-stderr rewrite --map "$DST_ADDR/ocp4x=$DST_ADDR/never" \
        --map "$DST_ADDR/ocp4=$DST_ADDR/mirror/ocp" --map "$DST_ADDR/ocp4=$DST_ADDR/second" "$PLAN"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    printf '%s\n' "$output" | jq -e --arg p "$DST_ADDR/mirror/ocp/openshift4:" '(.dest | startswith($p))' >/dev/null
    [ "$(printf '%s\n' "$output" | jq -r 'select(.dest | startswith("'"$DST_ADDR"'/mirror/ocp/openshift4:") | not)')" = "" ]
    diff <(jq -r .digest "$PLAN") <(printf '%s\n' "$output" | jq -r .digest)
    [ "$(printf '%s\n' "$output" | jq -r 'select(has("rewrite"))')" = "" ]
}

@test "--tag renames with the release's version and the image's name and digest" {
    run --separate-stderr rewrite --tag '{version}-{name}-{digest12}' "$PLAN"
    [ "$status" -eq 0 ]
    cli=$(printf '%s\n' "$output" | jq -r 'select(.name == "cli") | .dest')
    dig=$(fixture_component cli digest)
    version=$(jq -r .version "$FIXTURE")
    [ "$cli" = "$DEST_REPO:$version-cli-${dig:7:12}" ]
}

@test "--include and --exclude select by name or source; others are dropped" {
    run --separate-stderr rewrite --include 'c*' --exclude console "$PLAN"
    [ "$status" -eq 0 ]
    names=$(printf '%s\n' "$output" | jq -r .name | sort | tr '\n' ' ')
    want=$(jq -r 'select(.name | test("^c")) | select(.name != "console") | .name' "$PLAN" | sort | tr '\n' ' ')
    [ -n "$want" ]
    [ "$names" = "$want" ]
    run --separate-stderr rewrite --include "*ocp-release*" "$PLAN"
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .kind <<<"$output")" = release ]
}

@test "--filter-by-os: the list keeps arm64 only, child digest unchanged; the mirror holds exactly that" {
    rec=$(component pod)
    [ -n "$rec" ]
    old=$(jq -r .digest <<<"$rec")
    arm=$(fixture_component pod 'children[] | select(.architecture == "arm64") | .digest')
    amd=$(fixture_component pod 'children[] | select(.architecture == "amd64") | .digest')
    run --separate-stderr rewrite --filter-by-os 'linux/arm64.*' <<<"$rec"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [[ $stderr == *"1 image(s) rewritten"* ]]
    new=$(jq -r .digest <<<"$output")
    [ "$new" != "$old" ]
    [ "$(jq -r .source_digest <<<"$output")" = "$old" ]
    [ "$(jq -r .source <<<"$output")" = "$(jq -r .source <<<"$rec")" ]
    jq -e '.warning | test("digest mirror")' <<<"$output" >/dev/null
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rewritten.json"

    run --separate-stderr copy <"$BATS_TEST_TMPDIR/rewritten.json"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = copied ]
    [ "$(jq -r .digest <<<"$output")" = "$new" ]
    dest=$(jq -r .dest <<<"$output")
    inspect "$dest" >"$BATS_TEST_TMPDIR/list.json"
    sum=$(sha256sum <"$BATS_TEST_TMPDIR/list.json")
    [ "sha256:${sum%% *}" = "$new" ]
    [ "$(jq -r '.manifests | length' "$BATS_TEST_TMPDIR/list.json")" = 1 ]
    [ "$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/list.json")" = "$arm" ]
    [ "$(raw_digest "$DST_DIR" "${dest%:*}@$arm")" = "$arm" ]
    # the amd64 child was not copied
    run raw_digest "$DST_DIR" "${dest%:*}@$amd"
    [ "$status" -ne 0 ]
    # the image is pullable whole: skopeo copies it out (all its blobs there)
    skopeo copy -q --src-tls-verify=false --override-arch arm64 "docker://$dest" "dir:$BATS_TEST_TMPDIR/out"
}

@test "--filter-by-os matching no platform fails that record only, exit 1" {
    run --separate-stderr rewrite --filter-by-os 'windows/.*' < <(component pod; component cli)
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(jq -r .kind <<<"${lines[0]}")" = error ]
    [ "$(jq -r .line <<<"${lines[0]}")" = 1 ]
    [[ $(jq -r .error <<<"${lines[0]}") == *"linux/amd64"* ]]
    # a single-platform image is left as it was
    [ "${lines[1]}" = "$(component cli)" ]
}

@test "exit status tells the failures apart: a moved tag is integrity (4), an unreachable source transient (3)" {
    # a record whose source is a tag that now names other content than its "digest"
    rec=$(component pod | jq -c --arg s "$SRC_ADDR/moved/pod:v1" '.source = $s')
    pod=$(component pod | jq -r .source)
    skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$(component cli | jq -r .source)" \
        "docker://$SRC_ADDR/moved/pod:v1"
    run --separate-stderr rewrite --filter-by-os 'linux/.*' <<<"$rec"
    [ "$status" -eq 4 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .code <<<"$output")" = data-loss ]
    [[ $stderr == *"tag moved"* ]]
    # a source registry that is not there: transient, a re-run may succeed
    port=$(mk_free_port)
    rec=$(component pod | jq -c --arg s "127.0.0.1:$port/gone/pod@${pod#*@}" '.source = $s')
    run --separate-stderr "$MK_BIN/manifest-rewrite" --insecure "127.0.0.1:$port" --retries 1 \
        --filter-by-os 'linux/.*' <<<"$rec"
    [ "$status" -eq 3 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .code <<<"$output")" = unavailable ]
}

@test "--convert oci: a Docker image becomes OCI; skopeo copies it to an OCI layout that umoci unpacks" {
    rec=$(component cli)
    [ "$(fixture_component cli media_type)" = application/vnd.docker.distribution.manifest.v2+json ]
    run --separate-stderr rewrite --convert oci <<<"$rec"
    [ "$status" -eq 0 ]
    [ "$(jq -r .rewrite.manifest.media_type <<<"$output")" = application/vnd.oci.image.manifest.v1+json ]
    printf '%s\n' "$output" | copy >"$BATS_TEST_TMPDIR/copied.json"
    new=$(jq -r .digest "$BATS_TEST_TMPDIR/copied.json")
    [ "$(jq -r .status "$BATS_TEST_TMPDIR/copied.json")" = copied ]
    dest=$(jq -r .dest "$BATS_TEST_TMPDIR/copied.json")
    [ "$(raw_digest "$DST_DIR" "$dest")" = "$new" ]
    inspect "$dest" | jq -en 'input | .mediaType == "application/vnd.oci.image.manifest.v1+json" and
        .config.mediaType == "application/vnd.oci.image.config.v1+json" and
        all(.layers[]; .mediaType == "application/vnd.oci.image.layer.v1.tar+gzip")' >/dev/null
    # layer blobs are the source's: same digests
    diff <(inspect "$dest" | jq -r '.layers[].digest') \
        <(skopeo inspect --raw --tls-verify=false "docker://$(jq -r .source <<<"$rec")" | jq -r '.layers[].digest')
    skopeo copy -q --src-tls-verify=false "docker://$dest" "oci:$BATS_TEST_TMPDIR/layout:cli"
    umoci unpack --rootless --image "$BATS_TEST_TMPDIR/layout:cli" "$BATS_TEST_TMPDIR/bundle" >/dev/null
    [ -f "$BATS_TEST_TMPDIR/bundle/rootfs/usr/bin/oc" ]
}

@test "--convert docker: an OCI index and its children become a Docker list; children travel in the record" {
    rec=$(component etcd)
    run --separate-stderr rewrite --convert docker <<<"$rec"
    [ "$status" -eq 0 ]
    [ "$(jq -r .rewrite.manifest.media_type <<<"$output")" = application/vnd.docker.distribution.manifest.list.v2+json ]
    [ "$(jq -r '.rewrite.manifests | length' <<<"$output")" = 2 ]
    printf '%s\n' "$output" | copy >"$BATS_TEST_TMPDIR/copied.json"
    [ "$(jq -r .status "$BATS_TEST_TMPDIR/copied.json")" = copied ]
    dest=$(jq -r .dest "$BATS_TEST_TMPDIR/copied.json")
    inspect "$dest" >"$BATS_TEST_TMPDIR/list.json"
    for child in $(jq -r '.manifests[].digest' "$BATS_TEST_TMPDIR/list.json"); do
        inspect "${dest%:*}@$child" | jq -en 'input | .mediaType == "application/vnd.docker.distribution.manifest.v2+json"' >/dev/null
    done
    # converting back gives OCI again; converting an OCI index to oci changes nothing
    run --separate-stderr rewrite --convert oci <<<"$rec"
    [ "$output" = "$rec" ]
}

@test "rewrites chain: filter then convert in one run, or in two stages, give the same image" {
    rec=$(component pod)
    one=$(rewrite --filter-by-os 'linux/arm64.*' --convert oci <<<"$rec" | jq -r .digest)
    two=$(rewrite --filter-by-os 'linux/arm64.*' <<<"$rec" | rewrite --convert oci | jq -r .digest)
    [ -n "$one" ] && [ "$one" = "$two" ]
    rewrite --filter-by-os 'linux/arm64.*' <<<"$rec" | rewrite --convert oci | jq -e --arg o "$(jq -r .digest <<<"$rec")" '.source_digest == $o' >/dev/null
}

@test "blob-copy refuses a rewritten record whose inline manifest was edited; nothing is pushed" {
    rec=$(component pod)
    rewrite --filter-by-os 'linux/arm64.*' <<<"$rec" |
        jq -c '.dest = "'"$DST_ADDR"'/tampered/pod:x" | .rewrite.manifest.data |= sub("arm64"; "amd64")' \
            >"$BATS_TEST_TMPDIR/bad.json"
    run --separate-stderr copy <"$BATS_TEST_TMPDIR/bad.json"
    [ "$status" -eq 1 ]
    [ "$(jq -r .kind <<<"$output")" = error ]
    [ "$(jq -r .field <<<"$output")" = rewrite ]
    [[ $(jq -r .error <<<"$output") == *"does not match the data"* ]]
    run inspect "$DST_ADDR/tampered/pod:x"
    [ "$status" -ne 0 ]
}

@test "ics-gen: a rewritten image is never a digest mirror; itms keeps it when the tag is kept" {
    rec=$(component pod)
    rewritten=$(rewrite --filter-by-os 'linux/arm64.*' <<<"$rec")
    # by digest (release-list's dest): left out of every format
    run --separate-stderr "$MK_BIN/ics-gen" < <(component cli; printf '%s\n' "$rewritten")
    [ "$status" -eq 0 ]
    [[ $stderr == *"1 rewritten image(s) left out"* ]]
    [[ $output == *"ocp-v4.0-art-dev"* ]]
    # by tag: an itms mapping, and still not an idms one
    bytag=$(jq -c --arg s "$SRC_ADDR/tagged/pod:v1" --arg d "$DST_ADDR/tagged/pod:v1" '.source = $s | .dest = $d' <<<"$rewritten")
    run --separate-stderr "$MK_BIN/ics-gen" --format itms <<<"$bytag"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [[ $output == *"$SRC_ADDR/tagged/pod"* ]]
    [[ $stderr == *"mirrored by tag"* ]]
    run --separate-stderr "$MK_BIN/ics-gen" --format idms <<<"$bytag"
    [ "$status" -eq 1 ]
    [[ $output != *"tagged/pod"* ]]
}

@test "usage errors exit 2: --map without =, unknown --tag field, bad --filter-by-os, bad --convert" {
    run --separate-stderr rewrite --map nothing "$PLAN"
    [ "$status" -eq 2 ]
    run --separate-stderr rewrite --tag '{bogus}' "$PLAN"
    [ "$status" -eq 2 ]
    [[ $stderr == *"bogus"* ]]
    run --separate-stderr rewrite --filter-by-os '(' "$PLAN"
    [ "$status" -eq 2 ]
    run --separate-stderr rewrite --convert zip "$PLAN"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
}

@test "--convert docker: a schema 1 image (which blob-copy refuses) becomes schema 2; skopeo and umoci read it" {
    local s1_addr summary ref
    s1_addr=$(mirror_registry schema1 --schema1)
    summary="$BATS_TEST_TMPDIR/schema1.json"
    python3 "$BATS_TEST_DIRNAME/fixtures/make-schema1.py" --registry "$s1_addr" --plain --layers 3 >"$summary"
    ref=$(jq -er .reference "$summary")
    rec=$(jq -nc --arg s "$ref" --arg d "$DST_ADDR/legacy/app:converted" '{kind: "image", name: "app", source: $s, dest: $d}')

    # unconverted: refused, naming the conversion
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$s1_addr" --insecure "$DST_ADDR" <<<"$rec"
    [ "$status" -eq 1 ]
    [[ $(jq -r .error <<<"$output") == *"schema 1"*"manifest-rewrite --convert docker"* ]]

    run --separate-stderr "$MK_BIN/manifest-rewrite" --insecure "$s1_addr" --convert docker <<<"$rec"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .rewrite.manifest.media_type <<<"$output")" = application/vnd.docker.distribution.manifest.v2+json ]
    [ "$(jq -r '.rewrite.blobs | length' <<<"$output")" = 1 ]   # the config built from the history
    [ "$(jq -r .source_digest <<<"$output")" = "$(jq -r .digest "$summary")" ]
    printf '%s\n' "$output" | "$MK_BIN/blob-copy" --insecure "$s1_addr" --insecure "$DST_ADDR" >"$BATS_TEST_TMPDIR/copied.json"
    [ "$(jq -r .status "$BATS_TEST_TMPDIR/copied.json")" = copied ]
    dest=$(jq -r .dest "$BATS_TEST_TMPDIR/copied.json")
    [ "$(raw_digest "$DST_DIR" "$dest")" = "$(jq -r .digest "$BATS_TEST_TMPDIR/copied.json")" ]
    # the layers are the schema 1 image's blobs, oldest first; diff_ids are their uncompressed digests
    skopeo inspect --tls-verify=false --config "docker://$dest" >"$BATS_TEST_TMPDIR/config.json"
    diff <(jq -r '.layers[] | .diff_id' "$summary") <(jq -r '.rootfs.diff_ids[]' "$BATS_TEST_TMPDIR/config.json")
    diff <(jq -r '.layers[] | .digest' "$summary") <(inspect "$dest" | jq -r '.layers[].digest')
    skopeo copy -q --src-tls-verify=false "docker://$dest" "oci:$BATS_TEST_TMPDIR/layout:app"
    umoci unpack --rootless --image "$BATS_TEST_TMPDIR/layout:app" "$BATS_TEST_TMPDIR/bundle" >/dev/null
    [ -d "$BATS_TEST_TMPDIR/bundle/rootfs" ]
}
