#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Multi-arch releases (issue 9): a release pushed as a Docker manifest list
# or an OCI index of amd64 + arm64 release images (make-release.py --multi,
# tagged VERSION-multi) is planned and mirrored as the whole list, arch
# multi, as `oc adm release mirror --keep-manifest-list` does; --arch picks
# one child. What landed in a mirror is read back with skopeo, never with
# our own reader.

bats_require_minimum_version 1.5.0

load lib/mirror

# Two flavours in one source registry, told apart by version.
DOCKER_V=4.14.0
OCI_V=4.14.1
SINGLE_V=4.14.2

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    SRC_DIR="$BATS_FILE_TMPDIR/src"
    SRC_ADDR=$(mirror_registry src) || return 1
    MIRROR_DIR="$BATS_FILE_TMPDIR/mirror"
    MIRROR_ADDR=$(mirror_registry mirror) || return 1
    export SRC_DIR SRC_ADDR MIRROR_DIR MIRROR_ADDR
    local flavour version
    for flavour in docker oci single; do
        case $flavour in
        docker) version=$DOCKER_V ;;
        oci) version=$OCI_V ;;
        single) version=$SINGLE_V ;;
        esac
        # shellcheck disable=SC2046  # --multi F, or nothing for the single-arch release
        "$MKREL" --registry "$SRC_ADDR" --plain --seed 9 --version "$version" \
            $([ "$flavour" = single ] || echo "--multi $flavour") \
            >"$BATS_FILE_TMPDIR/$flavour.json" 2>"$BATS_FILE_TMPDIR/$flavour.err" || {
            cat "$BATS_FILE_TMPDIR/$flavour.err" >&2
            return 1
        }
    done
    # Both multi releases mirrored whole, as a new user would.
    for flavour in docker oci; do
        "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$MIRROR_ADDR/ocp4/$flavour" \
            "$(jq -r .release "$BATS_FILE_TMPDIR/$flavour.json")" >"$BATS_FILE_TMPDIR/$flavour-plan.json" \
            2>"$BATS_FILE_TMPDIR/$flavour-list.err"
        echo $? >"$BATS_FILE_TMPDIR/$flavour-list.rc"
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$MIRROR_ADDR" <"$BATS_FILE_TMPDIR/$flavour-plan.json" \
            >"$BATS_FILE_TMPDIR/$flavour-copy.json" 2>"$BATS_FILE_TMPDIR/$flavour-copy.err"
        echo $? >"$BATS_FILE_TMPDIR/$flavour-copy.rc"
    done
}

teardown_file() {
    mirror_teardown
}

# fx FLAVOUR JQ : a field of that flavour's fixture summary
fx() {
    jq -er "$2" "$BATS_FILE_TMPDIR/$1.json"
}

# sha_of_raw DIR REF : sha256 of the raw manifest skopeo reads for REF
sha_of_raw() {
    raw_digest "$@"
}

# check_mirrored_whole FLAVOUR MEDIA_TYPE
check_mirrored_whole() {
    local f=$1 mt=$2 d=$BATS_FILE_TMPDIR version list repo child digest
    [ "$(cat "$d/$f-list.rc") $(cat "$d/$f-copy.rc")" = "0 0" ] || {
        cat "$d/$f-list.err" "$d/$f-copy.err"
        return 1
    }
    [ ! -s "$d/$f-list.err" ] || { cat "$d/$f-list.err"; return 1; }
    json_lines_ok "$d/$f-copy.json"
    version=$(fx "$f" .version)
    list=$(fx "$f" .release_digest)
    repo="$MIRROR_ADDR/ocp4/$f"
    [ "$(fx "$f" .release_media_type)" = "$mt" ]
    # the release record: the list, arch multi, dest :VERSION-multi
    rel=$(jq -c 'select(.kind == "release")' "$d/$f-plan.json")
    [ "$(jq -r .arch <<<"$rel")" = multi ] || { echo "$rel"; return 1; }
    [ "$(jq -r .digest <<<"$rel")" = "$list" ]
    [ "$(jq -r .source <<<"$rel")" = "$SRC_ADDR/openshift-release-dev/ocp-release@$list" ]
    [ "$(jq -r .dest <<<"$rel")" = "$repo:$version-multi" ]
    # components: the amd64 child's, at :VERSION-multi-NAME, sources kept
    diff <(jq -r 'select(.kind == "image") | "\(.name) \(.source) \(.dest)"' "$d/$f-plan.json" | sort) \
        <(jq -r --arg r "$repo:$version-multi-" '.components[] | "\(.name) \(.source) \($r)\(.name)"' \
            "$d/$f.json" | sort)
    # every record copied
    jq -e -s 'length > 0 and all(.[]; .status == "copied" or .status == "present")' "$d/$f-copy.json" >/dev/null ||
        { jq -c 'select(.status != "copied" and .status != "present")' "$d/$f-copy.json"; return 1; }
    # skopeo: the list by digest, the same bytes, and the tag names it
    [ "$(sha_of_raw "$MIRROR_DIR" "$repo@$list")" = "$list" ]
    [ "$(sha_of_raw "$MIRROR_DIR" "$repo:$version-multi")" = "$list" ]
    # shellcheck disable=SC2046
    skopeo inspect --raw $(skopeo_args "$MIRROR_DIR") "docker://$repo@$list" >"$BATS_TEST_TMPDIR/list.json"
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/list.json")" = "$mt" ]
    diff <(jq -r '.manifests[] | "\(.platform.architecture) \(.digest)"' "$BATS_TEST_TMPDIR/list.json") \
        <(fx "$f" '.children[] | "\(.architecture) \(.digest)"')
    # every child of the list
    for child in $(fx "$f" '.children[].digest'); do
        [ "$(sha_of_raw "$MIRROR_DIR" "$repo@$child")" = "$child" ] || { echo "child $child"; return 1; }
    done
    # every component, by its digest
    for digest in $(jq -r 'select(.kind == "image") | .digest' "$d/$f-plan.json"); do
        [ "$(sha_of_raw "$MIRROR_DIR" "$repo@$digest")" = "$digest" ] || { echo "component $digest"; return 1; }
    done
}

@test "Docker manifest list: release-list --to | blob-copy mirrors the list, every child and every component" {
    check_mirrored_whole docker application/vnd.docker.distribution.manifest.list.v2+json
}

@test "OCI index: release-list --to | blob-copy mirrors the index, every child and every component" {
    check_mirrored_whole oci application/vnd.oci.image.index.v1+json
}

@test "--arch arm64 plans the arm64 child as a single-arch release; --arch x86_64 the amd64 one" {
    for f in docker oci; do
        version=$(fx "$f" .version)
        to="$MIRROR_ADDR/ocp4/single"
        run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --arch arm64 --to "$to" \
            "$(fx "$f" .release)"
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        [ -z "$stderr" ]
        rel=$(jq -c 'select(.kind == "release")' <<<"$output")
        arm=$(fx "$f" '.children[] | select(.architecture == "arm64") | .digest')
        [ "$(jq -r .digest <<<"$rel")" = "$arm" ]
        [ "$(jq -r .arch <<<"$rel")" = aarch64 ]
        [ "$(jq -r .source <<<"$rel")" = "$SRC_ADDR/openshift-release-dev/ocp-release@$arm" ]
        [ "$(jq -r .dest <<<"$rel")" = "$to:$version-aarch64" ]
        # image-references read from the arm64 child: its own components
        diff <(jq -r 'select(.kind == "image") | "\(.name) \(.source) \(.dest)"' <<<"$output" | sort) \
            <(fx "$f" '.children[] | select(.architecture == "arm64") | .components[]
                        | "\(.name) \(.source) '"$to:$version"'-aarch64-\(.name)"' | sort)
        run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --arch x86_64 "$(fx "$f" .release)"
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        [ "$(jq -r 'select(.kind == "release") | "\(.arch) \(.digest)"' <<<"$output")" = \
            "x86_64 $(fx "$f" '.children[] | select(.architecture == "amd64") | .digest')" ]
        # --arch multi is the default, said out loud
        run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --arch multi "$(fx "$f" .release)"
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        [ "$(jq -r 'select(.kind == "release") | "\(.arch) \(.digest)"' <<<"$output")" = \
            "multi $(fx "$f" .release_digest)" ]
    done
}

@test "--arch multi on a single-arch release exits 1 with a one-line error naming it; an absent arch likewise" {
    single=$(fx single .release)
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --arch multi --to "$MIRROR_ADDR/x/y" "$single"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ $stderr == *"$single"*"not a manifest list"* ]] || { echo "$stderr"; return 1; }
    # without --arch it is planned as it always was
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" "$single"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.kind == "release") | "\(.arch) \(.digest)"' <<<"$output")" = \
        "x86_64 $(fx single .release_digest)" ]
    run --separate-stderr "$MK_BIN/release-list" --insecure "$SRC_ADDR" --arch s390x "$(fx docker .release)"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == *"no s390x image in the manifest list"* ]] || { echo "$stderr"; return 1; }
}

@test "--to-dir and back: the list stored whole under its name, planned as multi again, resolvable in a second registry" {
    for f in docker oci; do
        media="$BATS_TEST_TMPDIR/media-$f"
        version=$(fx "$f" .version)
        list=$(fx "$f" .release_digest)
        release=$(fx "$f" .release)
        "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to-dir "$media" "$release" >"$BATS_TEST_TMPDIR/in-plan.json"
        [ "$(jq -r 'select(.kind == "release") | .dest' "$BATS_TEST_TMPDIR/in-plan.json")" = "dir:$media:$release" ]
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/in-plan.json" >"$BATS_TEST_TMPDIR/in-copy.json"
        # the media names the release by its tag, with the list's digest
        [ "$(jq -r --arg n "$release" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n)
                | .digest' "$media/index.json")" = "$list" ] || { cat "$media/index.json"; return 1; }
        # the list and every child are in the media, each named by its own sha256
        for digest in "$list" $(fx "$f" '.children[].digest'); do
            sum=$(sha256sum <"$media/blobs/sha256/${digest#sha256:}")
            [ "sha256:${sum%% *}" = "$digest" ] || { echo "$digest not in the media"; return 1; }
        done
        # skopeo reads the OCI index out of the media (skopeo 1.9 finds no
        # index.json entry of a Docker list media type, so only that flavour)
        if [ "$f" = oci ]; then
            sum=$(skopeo inspect --raw "oci:$media:$release" | sha256sum)
            [ "sha256:${sum%% *}" = "$list" ]
        fi
        # the restricted side: the same multi plan, into a second registry
        dst_dir="$BATS_FILE_TMPDIR/dst-$f"
        dst=$(mirror_registry "dst-$f")
        run --separate-stderr "$MK_BIN/release-list" --to "$dst/ocp4/openshift4" "dir:$media:$version-multi"
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        rel=$(jq -c 'select(.kind == "release")' <<<"$output")
        [ "$(jq -r .arch <<<"$rel")" = multi ]
        [ "$(jq -r .digest <<<"$rel")" = "$list" ]
        [ "$(jq -r .dest <<<"$rel")" = "$dst/ocp4/openshift4:$version-multi" ]
        printf '%s\n' "$output" | "$MK_BIN/blob-copy" --insecure "$dst" >"$BATS_TEST_TMPDIR/out-copy.json"
        [ "$(sha_of_raw "$dst_dir" "$dst/ocp4/openshift4@$list")" = "$list" ]
        [ "$(sha_of_raw "$dst_dir" "$dst/ocp4/openshift4:$version-multi")" = "$list" ]
        for child in $(fx "$f" '.children[].digest'); do
            [ "$(sha_of_raw "$dst_dir" "$dst/ocp4/openshift4@$child")" = "$child" ] || { echo "child $child"; return 1; }
        done
    done
}

# installer_of FLAVOUR ARCH OUT : the original installer of that arch's
# component, taken out with skopeo and tar, written to OUT
installer_of() {
    local src oci m layer
    src=$(fx "$1" '.children[] | select(.architecture == "'"$2"'") | .components[] | select(.name == "installer")
                  | .source')
    oci="$BATS_TEST_TMPDIR/installer-$2"
    skopeo copy --quiet --src-tls-verify=false "docker://$src" "oci:$oci:installer" >/dev/null || return 1
    m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$oci/index.json")
    layer=$(jq -r '.layers[-1].digest | sub("sha256:"; "")' "$oci/blobs/sha256/$m")
    tar -xzf "$oci/blobs/sha256/$layer" -O usr/bin/openshift-install >"$3"
}

# check_pinned ORIG GOT IMAGE VERSION ARCH : GOT is ORIG with the three
# placeholders written as oc writes them
check_pinned() {
    /usr/bin/python3 - "$@" <<'PY'
import sys
orig, got = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
want = orig
for name, xs, value in ((b"_RELEASE_IMAGE_LOCATION_", 300, sys.argv[3]), (b"_RELEASE_VERSION_LOCATION_", 64, sys.argv[4]),
                        (b"_RELEASE_ARCHITECTURE_LOCATION_", 64, sys.argv[5])):
    p = b"\0" + name + b"\0" + b"X" * xs + b"\0"
    i = want.find(p)
    assert i >= 0, "the original has no placeholder %r" % name
    v = value.encode() + b"\0"
    want = want[:i] + v + want[i + len(v):]
assert len(got) == len(orig), "sizes differ"
assert got == want, "bytes differ from the original outside the placeholders"
PY
}

@test "release-extract --arch arm64 from a multi release: the arm64 installer, pinned to the LIST digest" {
    for f in docker oci; do
        out="$BATS_TEST_TMPDIR/bin-$f"
        release=$(fx "$f" .release)
        list=$(fx "$f" .release_digest)
        run --separate-stderr "$MK_BIN/release-extract" --insecure "$SRC_ADDR" --arch arm64 \
            --command openshift-install --to "$out" "$release"
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        [ -z "$stderr" ]
        want="${release%:*}@$list"
        [ "$(jq -r .pinned_to <<<"$output")" = "$want" ]
        installer_of "$f" arm64 "$BATS_TEST_TMPDIR/orig-arm64"
        installer_of "$f" amd64 "$BATS_TEST_TMPDIR/orig-amd64"
        ! cmp -s "$BATS_TEST_TMPDIR/orig-arm64" "$BATS_TEST_TMPDIR/orig-amd64"  # the test can tell them apart
        check_pinned "$BATS_TEST_TMPDIR/orig-arm64" "$out/openshift-install" "$want" "$(fx "$f" .version)" \
            "multi (linux/arm64)"
    done
}

@test "release-extract from the mirrored multi release (amd64): pinned to the mirror's list digest; --arch multi is a usage error" {
    f=oci
    repo="$MIRROR_ADDR/ocp4/$f"
    out="$BATS_TEST_TMPDIR/bin"
    run --separate-stderr "$MK_BIN/release-extract" --insecure "$MIRROR_ADDR" --arch amd64 \
        --command openshift-install --to "$out" "$repo:$(fx "$f" .version)-multi"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .pinned_to <<<"$output")" = "$repo@$(fx "$f" .release_digest)" ]
    [[ "$(jq -r .component <<<"$output")" == "$repo@sha256:"* ]]
    installer_of "$f" amd64 "$BATS_TEST_TMPDIR/orig-amd64"
    check_pinned "$BATS_TEST_TMPDIR/orig-amd64" "$out/openshift-install" "$repo@$(fx "$f" .release_digest)" \
        "$(fx "$f" .version)" "multi (linux/amd64)"
    run --separate-stderr "$MK_BIN/release-extract" --insecure "$MIRROR_ADDR" --arch multi \
        --command openshift-install --to "$out" "$repo:$(fx "$f" .version)-multi"
    [ "$status" -eq 2 ]
    [[ $stderr == *"--arch"* ]]
}
