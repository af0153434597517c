#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Bad input and unreachable or broken sources: exit codes, one-line errors,
# error records, and that good work is still done next to the bad.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_setup_source || return 1
    # the --broken release (no image-references) next to the good one
    "$MKREL" --registry "$SRC_ADDR" --plain --seed 7 --broken \
        >"$BATS_FILE_TMPDIR/broken.json" 2>"$BATS_FILE_TMPDIR/broken.err" || {
        cat "$BATS_FILE_TMPDIR/broken.err" >&2
        return 1
    }
    BROKEN=$(jq -er .release "$BATS_FILE_TMPDIR/broken.json") || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    export BROKEN DST_DIR DST_ADDR
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DST_ADDR/ocp4/openshift4" "$RELEASE" \
        >"$BATS_FILE_TMPDIR/plan.json" || return 1
}

teardown_file() {
    mirror_teardown
}

# images N REPO : the first N image records of the plan, dests moved to $DST_ADDR/REPO
images() {
    jq -c 'select(.kind == "image")' "$BATS_FILE_TMPDIR/plan.json" | head -n "$1" |
        sed "s#$DST_ADDR/ocp4/openshift4#$DST_ADDR/$2#g"
}

copy() {
    "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" "$@"
}

@test "release-list: malformed reference exits 2 with one line naming it" {
    run --separate-stderr "$MK_BIN/release-list" 'Bad//Ref'
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ ${stderr_lines[0]} == release-list:*'Bad//Ref'* ]] || { echo "$stderr"; return 1; }
    # exactly one line names it; anything else may only be the usage hint
    [ "$(grep -c 'Bad//Ref' <<<"$stderr")" -eq 1 ]
    for l in "${stderr_lines[@]:1}"; do
        [[ $l == "Try 'release-list --help' for more information." ]] || { echo "extra stderr: $l"; return 1; }
    done
}

@test "release-list: unreachable registry exits 3 (transient) with one line naming it" {
    port=$(mk_free_port)
    run --separate-stderr timeout 60 "$MK_BIN/release-list" --insecure "127.0.0.1:$port" \
        "127.0.0.1:$port/openshift-release-dev/ocp-release:4.3.0-x86_64"
    [ "$status" -eq 3 ]
    [ -z "$output" ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ $stderr == release-list:*"127.0.0.1:$port"* ]]
}

@test "blob-copy: unreachable dest registry gives a failed record naming it, exit 3 (transient)" {
    port=$(mk_free_port)
    cli=$(fixture_component cli source)
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "127.0.0.1:$port" \
        "$cli" "127.0.0.1:$port/nowhere/x:cli"
    [ "$status" -eq 3 ]
    [ "$(jq -r .code <<<"$output")" = unavailable ]
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $(jq -r .error <<<"$output") == *"127.0.0.1:$port"* ]]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == *"127.0.0.1:$port"* ]]
}

@test "release-list: release without image-references exits 1 naming the problem" {
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" "$BROKEN"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ $stderr == release-list:*image-references* ]]
    # --to does not change that
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DST_ADDR/broken/x" "$BROKEN"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
}

@test "blob-copy: a malformed JSON line is reported, the good lines are still copied" {
    in="$BATS_TEST_TMPDIR/in.json"
    {
        images 2 bad/json
        printf '%s\n' '{"kind":"image", "source": broken'
        images 4 bad/json | tail -n 2
    } >"$in"
    [ "$(wc -l <"$in")" -eq 5 ]
    run --separate-stderr copy <"$in"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 5 ]
    json_lines_ok <(printf '%s\n' "$output")
    # the error record for line 3
    [ "$(jq -c 'select(.kind == "error") | {kind, line}' <<<"$output")" = '{"kind":"error","line":3}' ]
    [ -n "$(jq -r 'select(.kind == "error") | .error' <<<"$output")" ]
    # the four good records copied
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "copied")] | length' <<<"$output")" -eq 4 ]
    diff <(jq -r 'select(.kind == "image") | .dest' <<<"$output" | sort) \
        <(grep -v broken "$in" | jq -r .dest | sort)
    while read -r dest digest; do
        [ "$(raw_digest "$DST_DIR" "$dest")" = "$digest" ]
    done < <(grep -v broken "$in" | jq -r '"\(.dest) \(.digest)"')
    # stderr names the line
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ $stderr == blob-copy:*"line 3"* ]]
}

@test "blob-copy: a record whose source is not a reference fails, the others are done" {
    in="$BATS_TEST_TMPDIR/in.json"
    {
        images 1 bad/ref
        printf '%s\n' "{\"kind\":\"image\",\"name\":\"bogus\",\"source\":\"Not//A@@Ref\",\"dest\":\"$DST_ADDR/bad/ref:bogus\"}"
        images 2 bad/ref | tail -n 1
    } >"$in"
    run --separate-stderr copy <"$in"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 3 ]
    bogus=$(jq -c 'select(.name == "bogus")' <<<"$output")
    [ "$(jq -r .status <<<"$bogus")" = failed ]
    [ -n "$(jq -r '.error // empty' <<<"$bogus")" ]
    [ "$(jq -r .source <<<"$bogus")" = 'Not//A@@Ref' ]
    [ "$(jq -s '[.[] | select(.name != "bogus" and .status == "copied")] | length' <<<"$output")" -eq 2 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == *'Not//A@@Ref'* ]]
    run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/bad/ref:bogus"
    [ "$status" -ne 0 ]
}

@test "ics-gen: no records exits 1" {
    run --separate-stderr "$MK_BIN/ics-gen" </dev/null
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [ -n "$stderr" ]
    # records without source and dest do not count
    run --separate-stderr "$MK_BIN/ics-gen" <<<'{"kind":"note","text":"nothing to map"}'
    [ "$status" -eq 1 ]
    [ -z "$output" ]
}

@test "ics-gen: records carrying an error are left out, exit 1, the rest printed" {
    good="$BATS_FILE_TMPDIR/plan.json"
    # sanity: the plan alone is fine
    run --separate-stderr "$MK_BIN/ics-gen" "$good"
    [ "$status" -eq 0 ]
    want=$output
    [[ $want == imageContentSources:* ]]

    dig=$(fixture_component cli digest)
    in="$BATS_TEST_TMPDIR/in.json"
    {
        head -n 3 "$good"
        printf '%s\n' "{\"kind\":\"image\",\"name\":\"failed\",\"source\":\"$SRC_ADDR/failed/repo@$dig\",\"dest\":\"$DST_ADDR/failed/mirror:x\",\"status\":\"failed\",\"error\":\"HTTP 500\"}"
        printf '%s\n' '{"kind":"error","line":7,"error":"invalid json"}'
        tail -n +4 "$good"
    } >"$in"
    run --separate-stderr "$MK_BIN/ics-gen" "$in"
    [ "$status" -eq 1 ]
    [ "$output" = "$want" ]
    [[ $output != *failed/* ]]
    [[ $stderr == *"$SRC_ADDR/failed/repo"* ]]
    # the same from standard input
    run --separate-stderr "$MK_BIN/ics-gen" <"$in"
    [ "$status" -eq 1 ]
    [ "$output" = "$want" ]
}

# Defect 7: a mapping record (kind image or release, or no kind with a
# source or dest) with a missing or wrong-typed field is an error record
# naming the line and the field; the exit status is 1; nothing is copied
# for it, and the good records around it are.

@test "blob-copy: wrong-typed source and dest give an error record with line and field, the others are copied" {
    in="$BATS_TEST_TMPDIR/in.json"
    {
        images 1 bad/types
        printf '%s\n' '{"source":1,"dest":true}'
        images 2 bad/types | tail -n 1
    } >"$in"
    run --separate-stderr copy <"$in"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 3 ]
    json_lines_ok <(printf '%s\n' "$output")
    err=$(jq -c 'select(.kind == "error")' <<<"$output")
    [ "$(jq -c '{kind, line, field, record}' <<<"$err")" = '{"kind":"error","line":2,"field":"source","record":{"source":1,"dest":true}}' ]
    [[ $(jq -r .error <<<"$err") == *'"source" is a number'* ]]
    [ "$(jq -s '[.[] | select(.status == "copied")] | length' <<<"$output")" -eq 2 ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ $stderr == blob-copy:*"line 2"*source* ]]
}

@test "blob-copy: a misspelled src is an error record, not a record passed on" {
    cli=$(fixture_component cli source)
    in="$BATS_TEST_TMPDIR/in.json"
    {
        printf '%s\n' "{\"kind\":\"image\",\"src\":\"$cli\",\"dest\":\"$DST_ADDR/bad/src:kind\"}"
        printf '%s\n' "{\"src\":\"$cli\",\"dst\":\"$DST_ADDR/bad/src:nokind\"}"
        printf '%s\n' "{\"kind\":\"image\",\"name\":\"nosrc\",\"dest\":\"$DST_ADDR/bad/src:none\"}"
    } >"$in"
    run --separate-stderr copy <"$in"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 3 ]
    [ "$(jq -c '{kind, line, field}' <<<"$output" | sort)" = "$(printf '%s\n' \
        '{"kind":"error","line":1,"field":"source"}' \
        '{"kind":"error","line":2,"field":"source"}' \
        '{"kind":"error","line":3,"field":"source"}')" ]
    [[ $(jq -r 'select(.line == 1) | .error' <<<"$output") == *'"src"'* ]]
    [ "${#stderr_lines[@]}" -eq 3 ] || { echo "$stderr"; return 1; }
    for tag in kind nokind none; do
        run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/bad/src:$tag"
        [ "$status" -ne 0 ]
    done
}

@test "blob-copy: a digest that disagrees with the pinned source is an error record, nothing copied" {
    cli=$(fixture_component cli source)
    other=$(fixture_component installer digest)
    [ "$other" != "$(fixture_component cli digest)" ]
    rec="{\"kind\":\"image\",\"name\":\"cli\",\"source\":\"$cli\",\"digest\":\"$other\",\"dest\":\"$DST_ADDR/bad/digest:cli\"}"
    run --separate-stderr copy <<<"$rec"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -c '{kind, line, field}' <<<"$output")" = '{"kind":"error","line":1,"field":"digest"}' ]
    [[ $(jq -r .error <<<"$output") == *"$other"*"$(fixture_component cli digest)"* ]]
    # the record as read is kept, its digest not overwritten
    [ "$(jq -c .record <<<"$output")" = "$(jq -c . <<<"$rec")" ]
    run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/bad/digest:cli"
    [ "$status" -ne 0 ]
}

@test "blob-copy: a tag source that no longer has the record's digest fails, the claimed digest kept" {
    claimed=$(fixture_component cli digest)
    [ "$claimed" != "$RELEASE_DIGEST" ]
    rec="{\"kind\":\"image\",\"source\":\"$RELEASE\",\"digest\":\"$claimed\",\"dest\":\"$DST_ADDR/bad/moved:x\"}"
    run --separate-stderr copy <<<"$rec"
    # integrity: the source's bytes are not the ones the record's digest names
    [ "$status" -eq 4 ]
    [ "$(jq -r .code <<<"$output")" = data-loss ]
    [ "${#lines[@]}" -eq 1 ]
    [ "$(jq -r .status <<<"$output")" = failed ]
    [ "$(jq -r .digest <<<"$output")" = "$claimed" ]
    [[ $(jq -r .error <<<"$output") == *"$claimed"* ]]
    [[ $(jq -r .error <<<"$output") == *"$RELEASE_DIGEST"* ]]
    [[ $stderr == blob-copy:*"$claimed"* ]]
    # refused before the copy: the destination holds nothing
    run skopeo inspect --raw --tls-verify=false "docker://$DST_ADDR/bad/moved:x"
    [ "$status" -ne 0 ]
}

@test "ics-gen: mapping records with wrong-typed or misspelled fields exit 1 naming line and field; others ignored" {
    good="$BATS_FILE_TMPDIR/plan.json"
    run --separate-stderr "$MK_BIN/ics-gen" "$good"
    [ "$status" -eq 0 ]
    want=$output
    in="$BATS_TEST_TMPDIR/in.json"
    {
        head -n 2 "$good"
        printf '%s\n' '{"source":1,"dest":true}'
        printf '%s\n' "{\"kind\":\"image\",\"src\":\"$SRC_ADDR/x/y:1\",\"dest\":\"$DST_ADDR/x/y:1\"}"
        tail -n +3 "$good"
    } >"$in"
    run --separate-stderr "$MK_BIN/ics-gen" "$in"
    [ "$status" -eq 1 ]
    [ "$output" = "$want" ]
    [ "${#stderr_lines[@]}" -eq 2 ] || { echo "$stderr"; return 1; }
    [[ ${stderr_lines[0]} == ics-gen:*"line 3"*'"source" is a number'* ]]
    [[ ${stderr_lines[1]} == ics-gen:*"line 4"*'"src"'* ]]
    # a record of another kind with odd fields is not a mapping: ignored, exit 0
    run --separate-stderr "$MK_BIN/ics-gen" <(cat "$good"; printf '%s\n' '{"kind":"note","source":1,"dest":true}')
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$output" = "$want" ]
}
