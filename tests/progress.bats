#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# blob-copy --progress (issue 14): progress goes to stderr only, stdout stays
# records; plain lines for logs, none at all, a usage error for anything else.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_setup_source --components 20 || return 1
    DST_ADDR=$(mirror_registry dst) || return 1
    export DST_ADDR
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DST_ADDR/base/openshift4" "$RELEASE" \
        >"$BATS_FILE_TMPDIR/plan.json" || return 1
}

teardown_file() {
    mirror_teardown
}

# copy_to REPO ARGS... : blob-copy the plan into DST_ADDR/REPO, with run
copy_to() {
    local repo=$1
    shift
    sed "s#$DST_ADDR/base/openshift4#$DST_ADDR/$repo#g" "$BATS_FILE_TMPDIR/plan.json" >"$BATS_TEST_TMPDIR/plan.json"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" "$@" \
        <"$BATS_TEST_TMPDIR/plan.json"
}

@test "--progress=plain: progress lines on stderr, stdout is records only" {
    copy_to plain --progress=plain
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s 'all(.[]; .status == "copied")' <<<"$output" >/dev/null
    [[ $output != *images* ]]
    # Every stderr line is a progress line; the last one has the totals.
    [ "${#stderr_lines[@]}" -ge 1 ] || return 1
    for l in "${stderr_lines[@]}"; do
        [[ $l =~ ^blob-copy:\ [0-9]+/[0-9]+\ images ]] || { echo "not a progress line: $l"; return 1; }
    done
    last=${stderr_lines[${#stderr_lines[@]} - 1]}
    n=$((NCOMP + 1))
    [[ $last =~ ^blob-copy:\ $n/$n\ images,\ [0-9.]+\ (B|KiB|MiB).*\ in\ [0-9]+s$ ]] || { echo "$last"; return 1; }
    [[ $last != *" images, 0 B"* ]] || { echo "no bytes counted: $last"; return 1; }
    # Plain means plain: no terminal escapes in a log.
    [[ $stderr != *$'\r'* && $stderr != *$'\033'* ]]
}

@test "--progress=none and the default off a terminal: nothing on stderr" {
    copy_to none --progress=none
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] || { echo "$stderr"; return 1; }
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    copy_to auto
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] || { echo "$stderr"; return 1; }
    copy_to auto2 --progress auto
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] || { echo "$stderr"; return 1; }
}

@test "--progress=tty: a line redrawn in place on stderr, cleared at the end" {
    copy_to tty --progress=tty
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    # Every write starts by going back to the line's start and clearing it,
    # and the run ends with the line cleared.
    [[ $stderr == $'\r\033[K'* ]] || { printf '%q\n' "$stderr"; return 1; }
    [[ $stderr == *$'\r\033[K' ]]
    [[ $stderr != *$'\n'* ]]
}

@test "--progress with a bad value: usage error, exit 2, nothing copied" {
    run --separate-stderr "$MK_BIN/blob-copy" --progress=sometimes --insecure "$SRC_ADDR" \
        "$(fixture_component cli source)" "$DST_ADDR/bad/cli:latest"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ $stderr == *"--progress must be auto, tty, plain or none, not 'sometimes'"* ]] || { echo "$stderr"; return 1; }
    [[ $stderr == *"Try 'blob-copy --help'"* ]]
    # An abbreviation is no option at all.
    run --separate-stderr "$MK_BIN/blob-copy" --prog=plain "$(fixture_component cli source)" "$DST_ADDR/bad/cli:x"
    [ "$status" -eq 2 ]
}
