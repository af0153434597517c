#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# release-list against the synthetic release (tests/fixtures/make-release.py)
# in a plain-HTTP registry.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_setup_source || return 1
    # A mirror address with nothing behind it: release-list only plans, so
    # it must never need to talk to it.
    TO_ADDR="127.0.0.1:$(mk_free_port)"
    export TO_ADDR
}

teardown_file() {
    mirror_teardown
}

# run_list ARGS... : release-list of the fixture release with ARGS
run_list() {
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" "$@" "$RELEASE"
}

# check_clean_success : exit 0, stderr empty, stdout only JSON lines
check_clean_success() {
    [ "$status" -eq 0 ] || { echo "status $status; stderr: $stderr"; return 1; }
    [ -z "$stderr" ] || { echo "unexpected stderr: $stderr"; return 1; }
    [ -n "$output" ]
    json_lines_ok <(printf '%s\n' "$output")
}

@test "lists 1 release record + one image record per fixture component" {
    run_list
    check_clean_success
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(jq -s '[.[] | select(.kind == "release")] | length' <<<"$output")" -eq 1 ]
    [ "$(jq -s '[.[] | select(.kind == "image")] | length' <<<"$output")" -eq "$NCOMP" ]
    # the same (name, source, digest) set as the fixture
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.source) \(.digest)"' <<<"$output" | sort) \
        <(jq -r '.components[] | "\(.name) \(.source) \(.digest)"' "$FIXTURE" | sort)
}

@test "every source is pinned by digest and matches its digest field" {
    run_list
    check_clean_success
    jq -e -s 'length > 0 and all(.[];
        (.source | test("@sha256:[0-9a-f]{64}$"))
        and (.digest | test("^sha256:[0-9a-f]{64}$"))
        and (.digest as $d | .source | endswith("@" + $d)))' <<<"$output" >/dev/null ||
        { echo "$output"; return 1; }
    # component sources point at the art repo of the source registry
    jq -e -s --arg r "$SRC_ADDR/openshift-release-dev/ocp-v4.0-art-dev@" '
        all(.[] | select(.kind == "image"); .source | startswith($r))' <<<"$output" >/dev/null
}

@test "release record: digest, version, arch, source, from" {
    run_list
    check_clean_success
    rel=$(jq -c 'select(.kind == "release")' <<<"$output")
    [ "$(jq -r .digest <<<"$rel")" = "$RELEASE_DIGEST" ]
    [ "$(jq -r .version <<<"$rel")" = 4.3.0 ]
    [ "$(jq -r .name <<<"$rel")" = 4.3.0 ]
    [ "$(jq -r .arch <<<"$rel")" = x86_64 ]
    [ "$(jq -r .source <<<"$rel")" = "$SRC_ADDR/openshift-release-dev/ocp-release@$RELEASE_DIGEST" ]
    [ "$(jq -r .from <<<"$rel")" = "$RELEASE" ]
    # every image record names its release
    jq -e -s 'all(.[] | select(.kind == "image"); .release == "4.3.0")' <<<"$output" >/dev/null
}

@test "without --to no record has a dest" {
    run_list
    check_clean_success
    [ "$(jq -s '[.[] | select(has("dest"))] | length' <<<"$output")" -eq 0 ]
}

@test "--to REPO: component dests REPO:4.3.0-x86_64-<name>, release REPO:4.3.0-x86_64" {
    to="$TO_ADDR/ocp4/openshift4"
    run_list --to "$to"
    check_clean_success
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(jq -r 'select(.kind == "release") | .dest' <<<"$output")" = "$to:4.3.0-x86_64" ]
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.dest)"' <<<"$output" | sort) \
        <(jq -r --arg to "$to" '.components[] | "\(.name) \($to):4.3.0-x86_64-\(.name)"' "$FIXTURE" | sort)
    # sources are still the pinned fixture sources
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.source)"' <<<"$output" | sort) \
        <(jq -r '.components[] | "\(.name) \(.source)"' "$FIXTURE" | sort)
    [ "$(jq -r 'select(.kind == "release") | .digest' <<<"$output")" = "$RELEASE_DIGEST" ]
}

@test "--to-release-image overrides the release dest only" {
    to="$TO_ADDR/ocp4/openshift4"
    rel_to="$TO_ADDR/ocp4/release:custom-tag"
    run_list --to "$to" --to-release-image "$rel_to"
    check_clean_success
    [ "$(jq -r 'select(.kind == "release") | .dest' <<<"$output")" = "$rel_to" ]
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.dest)"' <<<"$output" | sort) \
        <(jq -r --arg to "$to" '.components[] | "\(.name) \($to):4.3.0-x86_64-\(.name)"' "$FIXTURE" | sort)
}

@test "raw stdout is only JSON lines and stderr is empty, with and without --to" {
    for args in "" "--to $TO_ADDR/ocp4/openshift4"; do
        # shellcheck disable=SC2086  # $args is split on purpose
        "$MK_BIN/release-list" --insecure "$SRC_ADDR" $args "$RELEASE" \
            >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
        [ ! -s "$BATS_TEST_TMPDIR/err" ] || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
        json_lines_ok "$BATS_TEST_TMPDIR/out"
        [ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq $((NCOMP + 1)) ]
        # newline-terminated last record
        [ "$(tail -c 1 "$BATS_TEST_TMPDIR/out" | od -An -c | tr -d ' ')" = '\n' ]
    done
}

@test "the release named by digest lists the same records" {
    run_list
    check_clean_success
    by_tag=$output
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" \
        "$SRC_ADDR/openshift-release-dev/ocp-release@$RELEASE_DIGEST"
    check_clean_success
    diff <(jq -cS 'del(.from)' <<<"$by_tag" | sort) <(jq -cS 'del(.from)' <<<"$output" | sort)
}
