# shellcheck shell=bash
#
# tests/lib/mirror.bash - shared setup for the mirrorkit tool tests
# (release-list, blob-copy, ics-gen) on throwaway registries.
#
# Load it at the top of a .bats file (`load lib/mirror`); it loads
# tests/lib/registry.bash itself. Everything a file starts lives under
# $BATS_FILE_TMPDIR, and every port is picked at run time, so files can run
# in parallel (`bats --jobs 2 tests`).
#
# Variables:
#   MK_BIN        where the built tools are (default: tests/../bin)
#   MKREL         tests/fixtures/make-release.py
#
# Public functions:
#   mirror_setup_source [FIXTURE-ARGS...]
#                     start the plain-HTTP source registry ($BATS_FILE_TMPDIR/src)
#                     and push the fixture release into it; exports SRC_DIR,
#                     SRC_ADDR, FIXTURE (summary JSON file), RELEASE,
#                     RELEASE_DIGEST, NCOMP, NBLOBS
#   mirror_registry NAME [registry_start options]
#                     start another registry in $BATS_FILE_TMPDIR/NAME, print ADDR
#   mirror_teardown   stop every registry started by the two functions above
#   mirror_isolate_credentials
#                     empty HOME and XDG_RUNTIME_DIR, no REGISTRY_AUTH_FILE:
#                     the tools never read the user's own credentials
#   mk TOOL ARGS...   run $MK_BIN/TOOL
#   fixture_component NAME FIELD
#                     a field of one component in the fixture summary
#   raw_digest DIR REF
#                     sha256 of the raw manifest bytes skopeo fetches for REF
#                     from the registry in DIR (independent client)
#   check_index_copied DIR REF NAME
#                     an index/manifest list and its children, copied exactly
#   expected_ics MIRROR_REPO
#                     the imageContentSources block for the fixture release
#   json_lines_ok FILE|-
#                     every line is one JSON object (jq); no blank lines

# shellcheck source=tests/lib/registry.bash
source "${BASH_SOURCE[0]%/*}/registry.bash"

MK_BIN=${MK_BIN:-$BATS_TEST_DIRNAME/../bin}
MKREL="$BATS_TEST_DIRNAME/fixtures/make-release.py"
export MK_BIN MKREL

# The registry directories this file started, one a line.
_mirror_list() {
    printf '%s\n' "$BATS_FILE_TMPDIR/registries"
}

mirror_registry() {
    local name=$1 dir addr
    shift
    dir="$BATS_FILE_TMPDIR/$name"
    printf '%s\n' "$dir" >>"$(_mirror_list)"
    addr=$(registry_start "$dir" "$@") || return 1
    printf '%s\n' "$addr"
}

mirror_setup_source() {
    SRC_DIR="$BATS_FILE_TMPDIR/src"
    SRC_ADDR=$(mirror_registry src) || return 1
    FIXTURE="$BATS_FILE_TMPDIR/fixture.json"
    "$MKREL" --registry "$SRC_ADDR" --plain --seed 7 "$@" \
        >"$FIXTURE" 2>"$BATS_FILE_TMPDIR/fixture.err" || {
        cat "$BATS_FILE_TMPDIR/fixture.err" >&2
        return 1
    }
    RELEASE=$(jq -er .release "$FIXTURE") || return 1
    RELEASE_DIGEST=$(jq -er .release_digest "$FIXTURE") || return 1
    NCOMP=$(jq -er '.components | length' "$FIXTURE") || return 1
    NBLOBS=$(jq -er .blobs "$FIXTURE") || return 1
    export SRC_DIR SRC_ADDR FIXTURE RELEASE RELEASE_DIGEST NCOMP NBLOBS
}

mirror_isolate_credentials() {
    export HOME="$BATS_FILE_TMPDIR/home" XDG_RUNTIME_DIR="$BATS_FILE_TMPDIR/xdg"
    mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    unset REGISTRY_AUTH_FILE DOCKER_CONFIG
}

# check_index_copied DIR REF NAME: the manifest list or index REF (in the
# registry of DIR) is byte-identical to fixture component NAME, and every
# child the fixture pushed is in REF's repository by digest. Leaves the raw
# manifest in $BATS_TEST_TMPDIR/NAME.json.
check_index_copied() {
    local dir=$1 ref=$2 name=$3 f sum child got
    f="$BATS_TEST_TMPDIR/$name.json"
    # shellcheck disable=SC2046  # one flag a line, meant to be split
    skopeo inspect --raw $(skopeo_args "$dir") "docker://$ref" >"$f" || return 1
    sum=$(sha256sum <"$f")
    [ "sha256:${sum%% *}" = "$(fixture_component "$name" digest)" ] || return 1
    diff <(jq -r '.manifests[].digest' "$f" | sort) <(fixture_component "$name" 'children[].digest' | sort) || return 1
    for child in $(jq -r '.manifests[].digest' "$f"); do
        got=$(raw_digest "$dir" "${ref%:*}@$child")
        [ "$got" = "$child" ] || { echo "$name child $child: got $got"; return 1; }
    done
}

# expected_ics MIRROR_REPO: the imageContentSources block ics-gen prints for
# the fixture release (both source repositories of SRC_ADDR) mirrored there.
expected_ics() {
    cat <<EOF
imageContentSources:
- mirrors:
  - $1
  source: $SRC_ADDR/openshift-release-dev/ocp-release
- mirrors:
  - $1
  source: $SRC_ADDR/openshift-release-dev/ocp-v4.0-art-dev
EOF
}

mirror_teardown() {
    local list dir
    list=$(_mirror_list)
    [ -f "$list" ] || return 0
    while IFS= read -r dir; do
        [ -n "$dir" ] && registry_stop "$dir"
    done <"$list"
    return 0
}

mk() {
    local tool=$1
    shift
    "$MK_BIN/$tool" "$@"
}

fixture_component() {
    jq -er --arg n "$1" ".components[] | select(.name == \$n) | .$2" "$FIXTURE"
}

raw_digest() {
    local dir=$1 ref=$2 tmp sum
    tmp=$(mktemp "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/raw.XXXXXX") || return 1
    # shellcheck disable=SC2046  # one flag a line, meant to be split
    skopeo inspect --raw $(skopeo_args "$dir") "docker://$ref" >"$tmp" || return 1
    [ -s "$tmp" ] || return 1
    sum=$(sha256sum <"$tmp")
    rm -f "$tmp"
    echo "sha256:${sum%% *}"
}

json_lines_ok() {
    local bad
    # One jq for the whole input: each raw line must parse on its own as
    # exactly one JSON object (so "", "{} {}" and pretty-printed JSON fail).
    bad=$(jq -Rr 'select((try (fromjson | type) catch "invalid") != "object")
                  | "not a JSON object line: \(.)"' <"$1") || return 1
    [ -z "$bad" ] || { printf '%s\n' "$bad" >&2; return 1; }
    return 0
}
