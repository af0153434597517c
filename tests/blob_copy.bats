#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# blob-copy (and the release-list | blob-copy | ics-gen pipeline) between
# plain-HTTP registries; results checked independently with skopeo.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_setup_source || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    DEST_REPO="$DST_ADDR/ocp4/openshift4"
    export DST_DIR DST_ADDR DEST_REPO

    # The full pipeline, once. Each stage's status and stderr are kept for
    # the tests; a failure here must not hide the other tests.
    local d=$BATS_FILE_TMPDIR
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DEST_REPO" "$RELEASE" 2>"$d/list.err" |
        tee "$d/plan.json" |
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" 2>"$d/copy1.err" |
        tee "$d/copy1.json" |
        "$MK_BIN/ics-gen" >"$d/ics.yaml" 2>"$d/ics.err"
    echo "${PIPESTATUS[*]}" >"$d/pipeline.rc"
}

teardown_file() {
    mirror_teardown
}

# sum FIELD FILE|- : sum of a numeric field over JSON lines
sum_field() {
    jq -s --arg f "$1" 'map(.[$f] // 0) | add // 0' "$2"
}

@test "pipeline: every stage exits 0, one copied record per image" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/pipeline.rc")" = "0 0 0 0 0" ] || {
        cat "$d/pipeline.rc" "$d/list.err" "$d/copy1.err" "$d/ics.err"
        return 1
    }
    [ ! -s "$d/list.err" ]
    [ ! -s "$d/copy1.err" ] || { cat "$d/copy1.err"; return 1; }
    json_lines_ok "$d/copy1.json"
    [ "$(wc -l <"$d/copy1.json")" -eq $((NCOMP + 1)) ]
    jq -e -s 'length > 0 and all(.[]; .status == "copied")' "$d/copy1.json" >/dev/null || {
        jq -c 'select(.status != "copied")' "$d/copy1.json"
        return 1
    }
    # the same records came out as went in (completion order may differ),
    # each with the digest of its source
    diff <(jq -r '"\(.kind) \(.source) \(.dest)"' "$d/plan.json" | sort) \
        <(jq -r '"\(.kind) \(.source) \(.dest)"' "$d/copy1.json" | sort)
    jq -e -s 'all(.[]; .digest as $d | .source | endswith("@" + $d))' "$d/copy1.json" >/dev/null
}

@test "pipeline: every dest manifest is byte-identical to its source (skopeo)" {
    d=$BATS_FILE_TMPDIR
    n=0
    while read -r dest digest; do
        got=$(raw_digest "$DST_DIR" "$dest")
        [ "$got" = "$digest" ] || { echo "$dest: $got != $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$d/plan.json")
    [ "$n" -eq $((NCOMP + 1)) ]
    # the release landed at REPO:4.3.0-x86_64 with the fixture's digest
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:4.3.0-x86_64")" = "$RELEASE_DIGEST" ]
    # and the media types were kept
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.media_type)"' "$d/copy1.json" | sort) \
        <(jq -r '.components[] | "\(.name) \(.media_type)"' "$FIXTURE" | sort)
}

@test "pipeline: manifest list and OCI index copied with all their children" {
    for name in pod etcd; do
        check_index_copied "$DST_DIR" "$DEST_REPO:4.3.0-x86_64-$name" "$name"
        [ "$(jq '.manifests | length' "$BATS_TEST_TMPDIR/$name.json")" -eq 2 ]
    done
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/pod.json")" = application/vnd.docker.distribution.manifest.list.v2+json ]
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/etcd.json")" = application/vnd.oci.image.index.v1+json ]
}

@test "pipeline: shared blobs are copied once (sum of blobs_copied == distinct blobs)" {
    got=$(sum_field blobs_copied "$BATS_FILE_TMPDIR/copy1.json")
    [ "$got" -eq "$NBLOBS" ] || { echo "blobs_copied sum $got, fixture has $NBLOBS distinct blobs"; return 1; }
}

@test "pipeline: ics-gen prints exactly the expected imageContentSources" {
    d=$BATS_FILE_TMPDIR
    [ ! -s "$d/ics.err" ] || { cat "$d/ics.err"; return 1; }
    expected_ics "$DEST_REPO" | diff - "$d/ics.yaml"
}

# requests LOG : the HTTP requests in a registry's log so far ("METHOD PATH")
requests() {
    grep -oE '"(GET|HEAD|PUT|POST|PATCH|DELETE) /v2/[^ ]*' "$1" | tr -d '"' || true
}

@test "second run: every image present, no blob copied" {
    requests "$SRC_DIR/log" >"$BATS_TEST_TMPDIR/src-before"
    requests "$DST_DIR/log" >"$BATS_TEST_TMPDIR/dst-before"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" \
        <"$BATS_FILE_TMPDIR/plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    # the plan pins every digest: the destination is asked, once per image
    # (HEAD), and the source not at all
    requests "$SRC_DIR/log" | tail -n +$(($(wc -l <"$BATS_TEST_TMPDIR/src-before") + 1)) >"$BATS_TEST_TMPDIR/src-new"
    requests "$DST_DIR/log" | tail -n +$(($(wc -l <"$BATS_TEST_TMPDIR/dst-before") + 1)) >"$BATS_TEST_TMPDIR/dst-new"
    [ ! -s "$BATS_TEST_TMPDIR/src-new" ] || { echo "source requests:"; cat "$BATS_TEST_TMPDIR/src-new"; return 1; }
    [ -z "$(grep -v -e '^HEAD /v2/.*/manifests/' -e '^GET /v2/$' "$BATS_TEST_TMPDIR/dst-new")" ] ||
        { echo "destination requests:"; cat "$BATS_TEST_TMPDIR/dst-new"; return 1; }
    [ "$(grep -c '^HEAD ' "$BATS_TEST_TMPDIR/dst-new")" -le $((NCOMP + 1)) ]
    # and the records still name each image's media type, as the first run did
    diff <(jq -r '.dest + " " + .media_type' "$BATS_FILE_TMPDIR/copy1.json" | sort) \
        <(jq -r '.dest + " " + .media_type' <<<"$output" | sort)
    [ -z "$stderr" ]
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/copy2.json"
    json_lines_ok "$BATS_TEST_TMPDIR/copy2.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s 'length > 0 and all(.[]; .status == "present")' "$BATS_TEST_TMPDIR/copy2.json" >/dev/null ||
        { echo "$output"; return 1; }
    [ "$(sum_field blobs_copied "$BATS_TEST_TMPDIR/copy2.json")" -eq 0 ]
    [ "$(sum_field bytes_copied "$BATS_TEST_TMPDIR/copy2.json")" -eq 0 ]
}

@test "positional SOURCE DEST pairs are copied" {
    cli=$(fixture_component cli source)
    pod=$(fixture_component pod source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" \
        "$cli" "$DST_ADDR/pairs/test:cli" "$pod" "$DST_ADDR/pairs/test:pod"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    [ "${#lines[@]}" -eq 2 ]
    json_lines_ok <(printf '%s\n' "$output")
    [ "$(jq -r --arg d "$DST_ADDR/pairs/test:cli" 'select(.dest == $d) | .status' <<<"$output")" = copied ]
    [ "$(jq -r --arg d "$DST_ADDR/pairs/test:pod" 'select(.dest == $d) | .status' <<<"$output")" = copied ]
    [ "$(jq -r --arg d "$DST_ADDR/pairs/test:cli" 'select(.dest == $d) | .source' <<<"$output")" = "$cli" ]
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/pairs/test:cli")" = "$(fixture_component cli digest)" ]
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/pairs/test:pod")" = "$(fixture_component pod digest)" ]
}

@test "odd number of positional arguments is a usage error (exit 2)" {
    cli=$(fixture_component cli source)
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" \
        "$cli" "$DST_ADDR/odd/test:a" "$cli"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ ${stderr_lines[0]} == blob-copy:* ]]
    # nothing was copied
    run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/odd/test:a"
    [ "$status" -ne 0 ]
}

@test "same-registry copy mounts blobs instead of copying them" {
    cli=$(fixture_component cli source)
    dest="$SRC_ADDR/mirror/same:cli"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" "$cli" "$dest"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    [ "$(jq -r .blobs_mounted <<<"$output")" -gt 0 ]
    [ "$(jq -r .blobs_copied <<<"$output")" -eq 0 ]
    [ "$(raw_digest "$SRC_DIR" "$dest")" = "$(fixture_component cli digest)" ]
}

@test "records of other kinds and kindless records without source or dest pass through byte for byte" {
    in="$BATS_TEST_TMPDIR/in.json"
    {
        printf '%s\n' '{"kind":"weird","foo":1,"nested":{"a":[1,2,{"b":null}]},"flag":true}'
        # spacing, a number's spelling and escapes a re-serialization would change
        printf '%s\n' '{"kind":"note", "n":1.50e0, "s":"caf\u00e9 \/ \t"}'
        printf '%s\n' "{\"kind\":\"skipped\",\"stream\":\"x\",\"dest\":\"$DST_ADDR/pass/through:x\"}"
        printf '%s\n' '{"note":"no kind either","n":-3.5}'
    } >"$in"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" <"$in"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq 4 ]
    diff <(sort "$in") <(printf '%s\n' "$output" | sort)
    [ -z "$stderr" ]
    # nothing was written for the skipped record's dest
    run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/pass/through:x"
    [ "$status" -ne 0 ]
}

@test "records that already carry an error pass through unchanged, uncopied" {
    cli=$(fixture_component cli source)
    rec="{\"kind\":\"image\",\"source\":\"$cli\",\"dest\":\"$DST_ADDR/pass/error:x\",\"status\":\"failed\",\"error\":\"upstream\"}"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" <<<"$rec"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 1 ]
    [ "$output" = "$rec" ]
    run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/pass/error:x"
    [ "$status" -ne 0 ]
}

@test "unknown fields in input records are kept in the result record" {
    cli=$(fixture_component cli source)
    rec=$(jq -cn --arg s "$cli" --arg d "$DST_ADDR/keep/fields:cli" '{
        kind: "image", name: "cli", source: $s, dest: $d,
        "x-custom": "keep me", labels: {team: "mirror", n: [1, 2, 3]}, priority: 7}')
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" <<<"$rec"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = copied ]
    # every input field is still there with its value
    jq -e --argjson in "$rec" '. as $out | all($in | keys[]; . as $k | $out[$k] == $in[$k])' <<<"$output" >/dev/null ||
        { echo "$output"; return 1; }
    [ "$(raw_digest "$DST_DIR" "$DST_ADDR/keep/fields:cli")" = "$(fixture_component cli digest)" ]
}
