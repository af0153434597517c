#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr come from bats `run`
#
# The man pages' EXAMPLES run as tests (as jq runs its manual): every
# example block (.EX ... .EE) that a page marks with the roff comment line
#
#   .\" runnable-example
#
# just before its .EX runs, the blocks of one page in order, in one working
# directory, with bash -euo pipefail, and must exit 0. A runnable example is
# written against the variables of the OpenShift mirror procedure, which
# the test sets to its own registries:
#
#   LOCAL_REGISTRY        the mirror registry (127.0.0.1:PORT, empty at first;
#                         one per page)
#   LOCAL_REPOSITORY      ocp4/openshift4
#   LOCAL_SECRET_JSON     a credentials file (no entries: the test registries
#                         need none)
#   RELEASE               the synthetic release (tests/fixtures/make-release.py)
#   OCP_RELEASE, ARCHITECTURE   its version and architecture (4.3.0, x86_64)
#   PRODUCT_REPO, RELEASE_NAME  openshift-release-dev, ocp-release
#   REMOVABLE_MEDIA_PATH  an empty directory
#
# Two changes are made to an example: quay.io/ becomes the source test
# registry, which holds the synthetic release under the same name
# (openshift-release-dev/ocp-release:4.3.0-x86_64); and, as the test
# registries speak plain HTTP, "--insecure SRC --insecure MIRROR" is added
# after each command that talks to a registry (insecure_commands below).

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
    MK_BIN=$(cd "$MK_BIN" && pwd -P)
    export ROOT MK_BIN
    mirror_isolate_credentials
    mirror_setup_source || return 1
}

teardown_file() {
    mirror_teardown
}

# The commands that get --insecure for the test registries, as they are
# written at the start of a line or after "| ".
insecure_commands() {
    printf '%s\n' 'mirrorkit mirror-release' 'mirrorkit release-list' 'mirrorkit blob-copy' \
        release-list blob-copy release-extract graph-image
}

# examples PAGE: the runnable blocks of PAGE as shell text, roff escapes
# undone, each block ended by a line "#--- end of example".
examples() {
    awk '
        /^\.\\" runnable-example$/ { marked = 1; next }
        /^\.EX$/ { if (marked) { inside = 1 }; marked = 0; next }
        /^\.EE$/ { if (inside) { print "#--- end of example" }; inside = 0; next }
        inside { print }
        !/^\.\\"/ { marked = 0 }
    ' "$1" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g'
}

# with_insecure: the example text on stdin, with quay.io/ the source test
# registry and --insecure added.
with_insecure() {
    local cmd script=(-e 's#quay\.io/#$MK_SRC/#g')
    while IFS= read -r cmd; do
        script+=(-e "s#^\\( *\\)$cmd #\\1$cmd --insecure \"\$MK_SRC\" --insecure \"\$LOCAL_REGISTRY\" #"
            -e "s#| *$cmd #| $cmd --insecure \"\$MK_SRC\" --insecure \"\$LOCAL_REGISTRY\" #")
    done < <(insecure_commands)
    sed "${script[@]}"
}

# The pages with runnable examples.
runnable_pages() {
    grep -l '^\.\\" runnable-example$' "$ROOT"/man/*.[0-9]
}

@test "the runnable examples are found and extracted" {
    local pages
    pages=$(runnable_pages)
    [ -n "$pages" ]
    grep -qx "$ROOT/man/mirrorkit-mirror-release.1" <<<"$pages"
    run -0 examples "$ROOT/man/mirrorkit-mirror-release.1"
    [[ $output == *'mirrorkit mirror-release -a "$LOCAL_SECRET_JSON" --dry-run \'* ]]
    [[ $output != *'\-'* ]]
}

@test "every runnable man page example runs on the test registries" {
    local page name dst_addr work failures=()
    for page in $(runnable_pages); do
        name=${page##*/}
        dst_addr=$(mirror_registry "mirror-${name%.*}") || return 1
        work=$BATS_TEST_TMPDIR/$name
        mkdir -p "$work/media" "$work/home"
        echo '{"auths": {}}' >"$work/auth.json"
        examples "$page" | with_insecure >"$work/examples.sh"
        # one block at a time, so that a failure names its block
        local n=0 block=''
        while IFS= read -r line; do
            if [ "$line" = "#--- end of example" ]; then
                n=$((n + 1))
                if ! (cd "$work" && timeout 300 env HOME="$work/home" \
                    PATH="$MK_BIN:$PATH" MIRRORKIT_PLUGIN_PATH="$ROOT/plugins" \
                    LOCAL_REGISTRY="$dst_addr" LOCAL_REPOSITORY=ocp4/openshift4 \
                    LOCAL_SECRET_JSON="$work/auth.json" RELEASE="$RELEASE" OCP_RELEASE=4.3.0 \
                    ARCHITECTURE=x86_64 PRODUCT_REPO=openshift-release-dev RELEASE_NAME=ocp-release \
                    REMOVABLE_MEDIA_PATH="$work/media" MK_SRC="$SRC_ADDR" \
                    bash -euo pipefail -c "$block" >"$work/out.$n" 2>"$work/err.$n"); then
                    failures+=("$name, example $n failed:" "$block" "$(tail -n 5 "$work/err.$n")")
                fi
                block=''
            else
                block+="$line"$'\n'
            fi
        done <"$work/examples.sh"
        [ "$n" -gt 0 ] || failures+=("$name: no example extracted")
    done
    # the examples did their work: the pages that mirror the release left it
    # in their mirror (by its digest, skopeo), oci-dir's on the media
    for name in mirrorkit-mirror-release release-list ics-gen; do
        [ "$(raw_digest "$BATS_FILE_TMPDIR/mirror-$name" \
            "$(registry_addr "$BATS_FILE_TMPDIR/mirror-$name")/ocp4/openshift4:4.3.0-x86_64")" = "$RELEASE_DIGEST" ] ||
            failures+=("$name.1: the release is not in the mirror")
    done
    [ "$(jq -s length "$BATS_TEST_TMPDIR/oci-dir.1/to-media.json")" -eq $((NCOMP + 1)) ] ||
        failures+=("oci-dir.1: no image copied to the media")
    [ "$(jq -s length "$BATS_TEST_TMPDIR/mirrorkit-mirror-release.1/mirrored.json")" -eq $((NCOMP + 1)) ] ||
        failures+=("mirrorkit-mirror-release.1: no mirrored.json")
    grep -q '^kind: ImageDigestMirrorSet' "$BATS_TEST_TMPDIR"/mirrorkit-mirror-release.1/out.* ||
        failures+=("mirrorkit-mirror-release.1: ics-gen --format idms printed nothing")
    grep -qx '{"kind":"count","images":'$((NCOMP + 1))'}' "$BATS_TEST_TMPDIR"/mirrorkit.1/out.* ||
        failures+=("mirrorkit.1: the count plugin did not count the release")
    if ((${#failures[@]})); then
        printf '%s\n' "${failures[@]}" >&2
        return 1
    fi
}
