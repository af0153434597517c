#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# release-list --signatures: the sigstore signature tags (sha256-<hex>.sig)
# the source has are planned beside the images they sign, mirrored byte for
# byte by blob-copy (registry -> registry, registry -> dir -> registry), a
# digest without a signature is a skipped record, and ics-gen ignores them.
#
# The source gets two signatures (tests/fixtures/push-sigstore.py, cosign's
# layout): the release's (OCI manifest and config) and the cli component's
# (Docker manifest and config).

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    DEST_REPO="$DST_ADDR/ocp4/openshift4"
    MEDIA="$BATS_FILE_TMPDIR/media"
    case $MEDIA in *:*) echo "BATS_FILE_TMPDIR contains ':': $MEDIA" >&2; return 1 ;; esac
    TAG=4.3.0-x86_64
    PUSHSIG="$BATS_TEST_DIRNAME/fixtures/push-sigstore.py"
    CLI_DIGEST=$(fixture_component cli digest) || return 1
    REL_SIG=$("$PUSHSIG" --registry "$SRC_ADDR" --repo openshift-release-dev/ocp-release \
        --digest "$RELEASE_DIGEST") || return 1
    CLI_SIG=$("$PUSHSIG" --registry "$SRC_ADDR" --repo openshift-release-dev/ocp-v4.0-art-dev \
        --digest "$CLI_DIGEST" --docker) || return 1
    export DST_DIR DST_ADDR DEST_REPO MEDIA TAG PUSHSIG CLI_DIGEST REL_SIG CLI_SIG

    local d=$BATS_FILE_TMPDIR
    timeout 120 "$MK_BIN/release-list" --signatures --insecure "$SRC_ADDR" --to "$DEST_REPO" "$RELEASE" \
        2>"$d/plan.err" | tee "$d/plan.json" |
        timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$DST_ADDR" \
            >"$d/copy.json" 2>"$d/copy.err"
    echo "${PIPESTATUS[*]}" >"$d/copy.rc"
}

teardown_file() {
    mirror_teardown
}

# sig_tag DIGEST : the sigstore tag of DIGEST
sig_tag() {
    echo "sha256-${1#sha256:}.sig"
}

@test "the fixture's signatures are in the source under their sigstore tags" {
    [ "$(raw_digest "$SRC_DIR" "$SRC_ADDR/openshift-release-dev/ocp-release:$(sig_tag "$RELEASE_DIGEST")")" = "$REL_SIG" ]
    [ "$(raw_digest "$SRC_DIR" "$SRC_ADDR/openshift-release-dev/ocp-v4.0-art-dev:$(sig_tag "$CLI_DIGEST")")" = "$CLI_SIG" ]
}

@test "--signatures plans one sigstore record per signature the source has, into the image's repository" {
    local d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/copy.rc")" = "0 0 0" ] || { cat "$d/copy.rc" "$d/plan.err" "$d/copy.err"; return 1; }
    [ ! -s "$d/plan.err" ] || { cat "$d/plan.err"; return 1; }
    json_lines_ok "$d/plan.json"
    local version
    version=$(jq -r 'select(.kind == "release") | .version' "$d/plan.json")
    diff <(jq -r 'select(.kind == "sigstore") | "\(.name) \(.signs) \(.digest) \(.source) \(.dest)"' "$d/plan.json" | sort) \
        <(printf '%s\n' \
            "$version $RELEASE_DIGEST $REL_SIG $SRC_ADDR/openshift-release-dev/ocp-release:$(sig_tag "$RELEASE_DIGEST") $DEST_REPO:$(sig_tag "$RELEASE_DIGEST")" \
            "cli $CLI_DIGEST $CLI_SIG $SRC_ADDR/openshift-release-dev/ocp-v4.0-art-dev:$(sig_tag "$CLI_DIGEST") $DEST_REPO:$(sig_tag "$CLI_DIGEST")" |
            sort)
}

@test "every unsigned component is a skipped record naming its digest, and nothing fails" {
    local d=$BATS_FILE_TMPDIR
    diff <(jq -r 'select(.kind == "skipped") | .signs' "$d/plan.json" | sort) \
        <(jq -r '.components[] | select(.name != "cli") | .digest' "$FIXTURE" | sort)
    [ "$(jq -s '[.[] | select(.kind == "skipped")] | length' "$d/plan.json")" -eq $((NCOMP - 1)) ]
    [ "$(jq -s '[.[] | select(.kind == "error" or .error)] | length' "$d/plan.json" "$d/copy.json")" -eq 0 ]
    # skipped records pass blob-copy untouched
    diff <(jq -c 'select(.kind == "skipped")' "$d/plan.json") <(jq -c 'select(.kind == "skipped")' "$d/copy.json")
}

@test "blob-copy mirrors the signature tags byte for byte" {
    local d=$BATS_FILE_TMPDIR
    [ "$(jq -s '[.[] | select(.kind == "sigstore" and .status == "copied")] | length' "$d/copy.json")" -eq 2 ]
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:$(sig_tag "$RELEASE_DIGEST")")" = "$REL_SIG" ]
    [ "$(raw_digest "$DST_DIR" "$DEST_REPO:$(sig_tag "$CLI_DIGEST")")" = "$CLI_SIG" ]
    # the cosign layer kept its media type and annotation
    # shellcheck disable=SC2046  # one flag a line, meant to be split
    skopeo inspect --raw $(skopeo_args "$DST_DIR") "docker://$DEST_REPO:$(sig_tag "$CLI_DIGEST")" |
        jq -e '.layers[0].mediaType == "application/vnd.dev.cosign.simplesigning.v1+json"
               and (.layers[0].annotations["dev.cosignproject.cosign/signature"] | length > 0)' >/dev/null
}

@test "without --signatures the plan has no sigstore or skipped record" {
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$DEST_REPO" "$RELEASE"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(jq -s '[.[] | select(.kind == "sigstore" or .kind == "skipped")] | length' <<<"$output")" -eq 0 ]
}

@test "ics-gen output is unchanged by the sigstore records (every format)" {
    local d=$BATS_FILE_TMPDIR fmt with
    jq -c 'select(.kind != "sigstore")' "$d/copy.json" >"$BATS_TEST_TMPDIR/nosig.json"
    # itms fails alike both ways: release-list maps digests, not tags
    for fmt in install-config idms itms registries-conf; do
        run --separate-stderr "$MK_BIN/ics-gen" --format "$fmt" "$d/copy.json"
        with="$status $output $stderr"
        if [ "$fmt" != itms ]; then [ "$status" -eq 0 ] || { echo "$fmt: $with"; return 1; }; fi
        run --separate-stderr "$MK_BIN/ics-gen" --format "$fmt" "$BATS_TEST_TMPDIR/nosig.json"
        [ "$with" = "$status $output $stderr" ] ||
            { echo "$fmt differs"; diff <(echo "$with") <(echo "$status $output $stderr"); return 1; }
    done
    run --separate-stderr "$MK_BIN/ics-gen" "$d/copy.json"
    [ "$output" = "$(expected_ics "$DEST_REPO")" ]
}

@test "manifest-rewrite keeps a sigstore record's tag and bytes" {
    local d=$BATS_FILE_TMPDIR
    run --separate-stderr "$MK_BIN/manifest-rewrite" --tag '{version}-{name}' \
        --insecure "$SRC_ADDR" <"$d/plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    diff <(jq -c 'select(.kind == "sigstore")' "$d/plan.json") <(jq -c 'select(.kind == "sigstore")' <<<"$output")
    # while the images did get the template
    [ "$(jq -s '[.[] | select(.kind == "image" and (.dest | endswith(":4.3.0-cli")))] | length' <<<"$output")" -eq 1 ]
}

@test "--to-dir carries the signatures under their tags, and back into a registry" {
    local d=$BATS_FILE_TMPDIR back_dir back_addr
    timeout 120 "$MK_BIN/release-list" --signatures --insecure "$SRC_ADDR" --to-dir "$MEDIA" "$RELEASE" \
        2>"$d/in.err" | tee "$d/in-plan.json" |
        timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" >"$d/in-copy.json" 2>"$d/in-copy.err"
    [ "${PIPESTATUS[*]}" = "0 0 0" ] || { cat "$d/in.err" "$d/in-copy.err"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "sigstore" and .status == "copied")] | length' "$d/in-copy.json")" -eq 2 ]
    # the OCI layout names each signature by its tag, pointing at the same bytes
    jq -r '.manifests[] | "\(.annotations["org.opencontainers.image.ref.name"]) \(.digest)"' "$MEDIA/index.json" |
        grep -Fx "$SRC_ADDR/openshift-release-dev/ocp-release:$(sig_tag "$RELEASE_DIGEST") $REL_SIG"
    jq -r '.manifests[] | "\(.annotations["org.opencontainers.image.ref.name"]) \(.digest)"' "$MEDIA/index.json" |
        grep -Fx "$SRC_ADDR/openshift-release-dev/ocp-v4.0-art-dev:$(sig_tag "$CLI_DIGEST") $CLI_SIG"

    back_dir="$BATS_FILE_TMPDIR/back"
    back_addr=$(mirror_registry back) || return 1
    timeout 120 "$MK_BIN/release-list" --signatures "dir:$MEDIA:$TAG" --to "$back_addr/ocp4/openshift4" \
        2>"$d/out.err" | tee "$d/out-plan.json" |
        timeout 120 "$MK_BIN/blob-copy" --insecure "$back_addr" >"$d/out-copy.json" 2>"$d/out-copy.err"
    [ "${PIPESTATUS[*]}" = "0 0 0" ] || {
        cat "$d/out.err" "$d/out-copy.err"
        jq -c 'select(.kind == "error")' "$d/out-plan.json" | head -3
        return 1
    }
    [ "$(jq -s '[.[] | select(.kind == "sigstore" and .status == "copied")] | length' "$d/out-copy.json")" -eq 2 ]
    [ "$(jq -s '[.[] | select(.kind == "skipped")] | length' "$d/out-plan.json")" -eq $((NCOMP - 1)) ]
    [ "$(raw_digest "$back_dir" "$back_addr/ocp4/openshift4:$(sig_tag "$RELEASE_DIGEST")")" = "$REL_SIG" ]
    [ "$(raw_digest "$back_dir" "$back_addr/ocp4/openshift4:$(sig_tag "$CLI_DIGEST")")" = "$CLI_SIG" ]
}

@test "--jobs is checked" {
    run --separate-stderr "$MK_BIN/release-list" --signatures --jobs 0 "$RELEASE"
    [ "$status" -eq 2 ]
    [[ $stderr == *"--jobs"* ]]
}

@test "a release kept whole as its list: the list and each child are looked up, and the signed ones mirrored" {
    local f="$BATS_TEST_TMPDIR/multi.json" list child1 child2 list_sig child_sig repo
    "$MKREL" --registry "$SRC_ADDR" --plain --seed 11 --version 4.9.0 --components 20 --multi oci \
        >"$f" 2>"$BATS_TEST_TMPDIR/multi.err" || { cat "$BATS_TEST_TMPDIR/multi.err"; return 1; }
    list=$(jq -er .release_digest "$f")
    child1=$(jq -er '.children[0].digest' "$f")
    child2=$(jq -er '.children[1].digest' "$f")
    # the list's signature with an OCI 1.1 empty config and artifactType
    list_sig=$("$PUSHSIG" --registry "$SRC_ADDR" --repo openshift-release-dev/ocp-release --digest "$list" --empty-config)
    child_sig=$("$PUSHSIG" --registry "$SRC_ADDR" --repo openshift-release-dev/ocp-release --digest "$child2" --docker)
    repo="$DST_ADDR/ocp4/multi"
    run --separate-stderr bash -c '"$1/release-list" --signatures --insecure "$2" --to "$3" "$4" |
        "$1/blob-copy" --insecure "$2" --insecure "$5"' _ "$MK_BIN" "$SRC_ADDR" "$repo" "$(jq -er .release "$f")" "$DST_ADDR"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    diff <(jq -r 'select(.kind == "sigstore") | "\(.signs) \(.status) \(.dest)"' <<<"$output" | sort) \
        <(printf '%s\n' "$list copied $repo:$(sig_tag "$list")" "$child2 copied $repo:$(sig_tag "$child2")" | sort)
    # the unsigned child is skipped, named by its digest
    jq -e -s --arg c "$child1" 'any(.[]; .kind == "skipped" and .signs == $c)' <<<"$output" >/dev/null
    [ "$(raw_digest "$DST_DIR" "$repo:$(sig_tag "$list")")" = "$list_sig" ]
    [ "$(raw_digest "$DST_DIR" "$repo:$(sig_tag "$child2")")" = "$child_sig" ]
}
