#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Delta media (issue 15): the restricted side says what it has
# (oci-dir have), the internet side packs only what is missing
# (oci-dir pack --exclude-from), and unpack completes the restricted
# directory without ever naming a half-made image.
#
# Two synthetic z-streams: 4.3.0, and 4.3.1 made by the same fixture seed
# with --change-fraction 0.1 (a tenth of the components get new layers and
# configs; the rest and the base layers are the same bytes).
#
#   internet side:    A  <- release-list 4.3.0 --to-dir | blob-copy
#   restricted side:  R  <- oci-dir unpack of A's full volumes
#   restricted side:  oci-dir have R --out inventory
#   internet side:    A  <- release-list 4.3.1 --to-dir | blob-copy
#                     oci-dir pack A --exclude-from inventory --out delta
#   restricted side:  oci-dir unpack delta/*.tar --to R; oci-dir verify R;
#                     release-list dir:R:4.3.1-x86_64 --to DST/... | blob-copy

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source --components 20 || return 1
    local d=$BATS_FILE_TMPDIR
    case $d in *:*) echo "BATS_FILE_TMPDIR contains ':': $d" >&2; return 1 ;; esac
    FIXTURE2="$d/fixture2.json"
    "$MKREL" --registry "$SRC_ADDR" --plain --seed 7 --components 20 --version 4.3.1 --change-fraction 0.1 \
        >"$FIXTURE2" 2>"$d/fixture2.err" || { cat "$d/fixture2.err" >&2; return 1; }
    RELEASE2=$(jq -er .release "$FIXTURE2") || return 1
    RELEASE2_DIGEST=$(jq -er .release_digest "$FIXTURE2") || return 1
    DST_DIR="$d/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    A="$d/a" A2="$d/a2" R="$d/r" R0="$d/r0"
    export FIXTURE2 RELEASE2 RELEASE2_DIGEST DST_DIR DST_ADDR A A2 R R0

    # internet side: release 1, packed in full for the first trip
    mirror_to_dir "$RELEASE" "$A" || return 1
    timeout 120 "$MK_BIN/oci-dir" pack "$A" --max-size 256K --out "$d/full1" >"$d/full1.json" 2>"$d/full1.err" ||
        { cat "$d/full1.err" >&2; return 1; }
    # restricted side: R from those volumes, and what it has
    timeout 120 "$MK_BIN/oci-dir" unpack "$d"/full1/*.tar --to "$R" >"$d/unpack1.json" 2>"$d/unpack1.err" ||
        { cat "$d/unpack1.err" >&2; return 1; }
    timeout 60 "$MK_BIN/oci-dir" have "$R" --out "$d/inventory" 2>"$d/have.err" || { cat "$d/have.err" >&2; return 1; }
    cp -a "$R" "$R0"  # the base as it was, for the refusal tests
    # internet side: release 2 into A (which keeps release 1), and into A2
    # alone for the size of a full trip
    mirror_to_dir "$RELEASE2" "$A" || return 1
    mirror_to_dir "$RELEASE2" "$A2" || return 1
    timeout 120 "$MK_BIN/oci-dir" pack "$A2" --max-size 256K --out "$d/full2" >"$d/full2.json" 2>"$d/full2.err" ||
        { cat "$d/full2.err" >&2; return 1; }
    timeout 120 "$MK_BIN/oci-dir" pack "$A" --exclude-from "$d/inventory" --max-size 256K --out "$d/delta" \
        >"$d/delta.json" 2>"$d/delta.err"
    echo $? >"$d/delta.rc"
}

teardown_file() {
    mirror_teardown
}

# mirror_to_dir RELEASE DIR: the internet side's release-list --to-dir | blob-copy
mirror_to_dir() {
    local out=$BATS_FILE_TMPDIR/to-dir.$$.$RANDOM
    timeout 120 "$MK_BIN/release-list" "$1" --to-dir "$2" --insecure "$SRC_ADDR" 2>"$out.err" |
        timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" >"$out.json" 2>>"$out.err"
    [ "${PIPESTATUS[*]}" = "0 0" ] || { cat "$out.err" >&2; return 1; }
}

# The manifests of a fixture summary: top digests, and children of lists.
fixture_manifests() {
    jq -r '.release_digest, (.components[] | .digest, (.children // [] | .[].digest))' "$1" | sort -u
}

# The blob digests (not manifests) under DIR/blobs/sha256, by file name.
dir_blobs() {
    comm -23 <(cd "$1/blobs/sha256" && find . -type f -printf 'sha256:%f\n' | sort) <(sort -u "$2")
}

volume_bytes() {
    jq -s 'map(.bytes) | add' "$1"
}

@test "fixture: release 2 shares about 90 % of its blobs with release 1" {
    [ "$(jq -r '.changed | length' "$FIXTURE2")" -eq 2 ]
    # the same components, the changed ones with new digests, the others the same
    diff <(jq -r '.components[].name' "$FIXTURE") <(jq -r '.components[].name' "$FIXTURE2")
    changed=$(jq -r '.changed[]' "$FIXTURE2" | sort)
    differ=$(jq -rn --slurpfile a "$FIXTURE" --slurpfile b "$FIXTURE2" \
        '[$a[0].components, $b[0].components] | transpose[] | select(.[0].digest != .[1].digest) | .[0].name' | sort)
    [ "$changed" = "$differ" ] || { echo "changed: $changed; differ: $differ"; return 1; }
    [ "$RELEASE_DIGEST" != "$RELEASE2_DIGEST" ]
}

@test "have DIR: one line per manifest and blob R holds, matching an independent count" {
    d=$BATS_FILE_TMPDIR
    [ "$(head -n1 "$d/inventory")" = "# mirrorkit-inventory 1" ]
    # every other line a comment or "m|b sha256:<64 hex>"
    bad=$(tail -n +2 "$d/inventory" | grep -vE '^(#.*|[mb] sha256:[0-9a-f]{64})$' || true)
    [ -z "$bad" ] || { echo "bad lines: $bad"; return 1; }
    # the manifests are release 1's (tops and children), as fixture says
    diff <(grep '^m ' "$d/inventory" | cut -c3-) <(fixture_manifests "$FIXTURE")
    # the blobs: every other file of R
    fixture_manifests "$FIXTURE" >"$BATS_TEST_TMPDIR/manifests"
    diff <(grep '^b ' "$d/inventory" | cut -c3-) <(dir_blobs "$R0" "$BATS_TEST_TMPDIR/manifests")
    [ "$(grep -c '^b ' "$d/inventory")" -eq "$NBLOBS" ]
    # to standard output: the same text; summary on stderr
    run --separate-stderr "$MK_BIN/oci-dir" have "$R0"
    [ "$status" -eq 0 ]
    diff <(printf '%s\n' "$output") <(sed "s|$R|$R0|" "$d/inventory")
    [[ $stderr == *"manifests"*"blobs"* ]] || { echo "$stderr"; return 1; }
}

@test "pack --exclude-from: the delta holds every manifest, the whole index, and only the blobs R lacks" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/delta.rc")" = 0 ] || { cat "$d/delta.err"; return 1; }
    json_lines_ok "$d/delta.json"
    x="$BATS_TEST_TMPDIR/x"
    mkdir -p "$x"
    for v in "$d"/delta/*.tar; do
        tar -xf "$v" -C "$x"
        cmp <(tar -xOf "$v" index.json) "$A/index.json"
        tar -xOf "$v" mirrorkit-volume.json >"$BATS_TEST_TMPDIR/meta.json"
        [ "$(jq -r .delta "$BATS_TEST_TMPDIR/meta.json")" = true ]
        jq -r '.base[].digest' "$BATS_TEST_TMPDIR/meta.json" | sort >"$BATS_TEST_TMPDIR/base.$(basename "$v")"
    done
    # every volume names the same base
    for f in "$BATS_TEST_TMPDIR"/base.*; do cmp "$f" "$BATS_TEST_TMPDIR/base.mirror-001.tar"; done
    fixture_manifests "$FIXTURE" >"$BATS_TEST_TMPDIR/m1"
    fixture_manifests "$FIXTURE2" >"$BATS_TEST_TMPDIR/m2"
    sort -u "$BATS_TEST_TMPDIR/m1" "$BATS_TEST_TMPDIR/m2" >"$BATS_TEST_TMPDIR/manifests"
    # every manifest of both releases travels, even those R has
    carried=$(cd "$x/blobs/sha256" && find . -type f -printf 'sha256:%f\n' | sort)
    [ -z "$(comm -13 <(echo "$carried") "$BATS_TEST_TMPDIR/manifests")" ]
    # the other blobs: exactly A's blobs that R's inventory lacks
    diff <(comm -23 <(echo "$carried") "$BATS_TEST_TMPDIR/manifests") \
        <(comm -23 <(dir_blobs "$A" "$BATS_TEST_TMPDIR/manifests") <(grep '^b ' "$d/inventory" | cut -c3- | sort))
    # the base: the excluded blobs the images need (here: every blob of R)
    diff "$BATS_TEST_TMPDIR/base.mirror-001.tar" <(grep '^b ' "$d/inventory" | cut -c3- | sort)
}

@test "pack --exclude-from: the delta is less than 40 % of a full pack of release 2" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/delta.rc")" = 0 ] || { cat "$d/delta.err"; return 1; }
    delta=$(volume_bytes "$d/delta.json")
    full=$(volume_bytes "$d/full2.json")
    echo "delta $delta bytes, full release 2 $full bytes" >&3
    [ "$delta" -gt 0 ] && [ "$full" -gt 0 ]
    [ $((delta * 100)) -lt $((full * 40)) ] || { echo "delta $delta bytes, full $full"; return 1; }
}

@test "unpack of the delta completes R: verify ok, release 2 named with the source's digests" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/delta.rc")" = 0 ] || skip "no delta (the pack test failed)"
    run --separate-stderr timeout 120 "$MK_BIN/oci-dir" unpack "$d"/delta/*.tar --to "$R"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    [[ $stderr == *"(a delta)"* ]] || { echo "$stderr"; return 1; }
    run --separate-stderr "$MK_BIN/oci-dir" verify "$R"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    # both releases, every name with the digest its fixture pushed
    diff <(jq -r '.manifests[] | "\(.annotations["org.opencontainers.image.ref.name"]) \(.digest)"' "$R/index.json" | sort) \
        <({ echo "$RELEASE $RELEASE_DIGEST"; echo "$RELEASE2 $RELEASE2_DIGEST"
            jq -r '.components[] | "\(.source) \(.digest)"' "$FIXTURE" "$FIXTURE2"; } | sort -u)
    # independent check of every file: its sha256 is its name
    for f in "$R"/blobs/sha256/*; do
        sum=$(sha256sum <"$f")
        [ "${sum%% *}" = "${f##*/}" ] || { echo "wrong content: $f"; return 1; }
    done
}

@test "skopeo reads release 2's OCI images straight out of R, digests kept" {
    [ -f "$R/index.json" ] && grep -q "$RELEASE2_DIGEST" "$R/index.json" || skip "the delta was not applied"
    n=0
    while read -r name digest; do
        run skopeo inspect --raw "oci:$R:$name"
        [ "$status" -eq 0 ] || { echo "$name: $output"; return 1; }
        sum=$(printf '%s' "$output" | sha256sum)
        # skopeo prints the manifest as stored; bats strips the last newline
        [ "sha256:${sum%% *}" = "$digest" ] || {
            sum=$(printf '%s\n' "$output" | sha256sum)
            [ "sha256:${sum%% *}" = "$digest" ] || { echo "$name: sha256:${sum%% *} != $digest"; return 1; }
        }
        n=$((n + 1))
    done < <(jq -r '.components[] | select(.media_type | startswith("application/vnd.oci")) | "\(.source) \(.digest)"' "$FIXTURE2")
    [ "$n" -ge 2 ]
}

@test "round trip: release 2 from R to a second registry (blob-copy dir:R), every digest the source's (skopeo)" {
    [ -f "$R/index.json" ] && grep -q "$RELEASE2_DIGEST" "$R/index.json" || skip "the delta was not applied"
    repo="$DST_ADDR/ocp4/openshift4"
    plan="$BATS_FILE_TMPDIR/plan2.json"
    timeout 60 "$MK_BIN/release-list" "dir:$R:4.3.1-x86_64" --to "$repo" >"$plan"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$plan"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/copy2.json"
    [ "${#lines[@]}" -eq $(($(jq '.components | length' "$FIXTURE2") + 1)) ]
    n=0
    while read -r dest digest; do
        got=$(raw_digest "$DST_DIR" "${dest%:*}@$digest")
        [ "$got" = "$digest" ] || { echo "$dest: $got != $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$plan")
    [ "$(raw_digest "$DST_DIR" "$repo:4.3.1-x86_64")" = "$RELEASE2_DIGEST" ]
    # the plan's digests are the fixture's
    diff <(jq -r 'select(.kind == "image") | .digest' "$plan" | sort) <(jq -r '.components[].digest' "$FIXTURE2" | sort)
}

@test "have --registry: the manifests and blobs of what blob-copy pushed, read through the registry API" {
    copy="$BATS_FILE_TMPDIR/copy2.json"
    [ -s "$copy" ] || skip "nothing pushed (the round trip test failed)"
    inv="$BATS_TEST_TMPDIR/registry-inventory"
    run --separate-stderr timeout 60 "$MK_BIN/oci-dir" have --registry --insecure "$DST_ADDR" --out "$inv" <"$copy"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ -z "$output" ]
    [ "$(head -n1 "$inv")" = "# mirrorkit-inventory 1" ]
    diff <(grep '^m ' "$inv" | cut -c3-) <(fixture_manifests "$FIXTURE2")
    # its blobs: those of release 2 in A2 (a directory holding release 2 only)
    fixture_manifests "$FIXTURE2" >"$BATS_TEST_TMPDIR/m2"
    diff <(grep '^b ' "$inv" | cut -c3-) <(dir_blobs "$A2" "$BATS_TEST_TMPDIR/m2")
    # a delta against the registry carries no blob of release 2
    run --separate-stderr "$MK_BIN/oci-dir" pack "$A2" --exclude-from "$inv" --max-size 256K --out "$BATS_TEST_TMPDIR/d"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -s 'map(.blobs) | add' <<<"$output")" -eq "$(wc -l <"$BATS_TEST_TMPDIR/m2")" ]
    # an image the registry does not have: reported, left out, exit 1
    bogus=$(printf '{"kind":"image","dest":"%s/ocp4/none:1","digest":"sha256:%064d"}' "$DST_ADDR" 0)
    run --separate-stderr "$MK_BIN/oci-dir" have --registry --insecure "$DST_ADDR" <<<"$bogus"
    [ "$status" -eq 1 ] || { echo "$status $stderr"; return 1; }
    [[ $stderr == *"ocp4/none"* ]] || { echo "$stderr"; return 1; }
    [ "$(head -n1 <<<"$output")" = "# mirrorkit-inventory 1" ]
    [ -z "$(grep -E '^[mb] ' <<<"$output")" ]
}

@test "a delta applied to a directory without its base is refused: missing digests listed, nothing written" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/delta.rc")" = 0 ] || skip "no delta (the pack test failed)"
    empty="$BATS_TEST_TMPDIR/empty"
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$d"/delta/*.tar --to "$empty"
    [ "$status" -eq 1 ]
    json_lines_ok <(printf '%s\n' "$output")
    nbase=$(tar -xOf "$d/delta/mirror-001.tar" mirrorkit-volume.json | jq '.base | length')
    [ "$(jq -s '[.[] | select(.kind == "blob" and .status == "missing")] | length' <<<"$output")" -eq "$nbase" ]
    [[ $stderr == *"lacks $nbase blobs"*"sha256:"*"more"* ]] || { echo "$stderr"; return 1; }
    [ "$(echo "$stderr" | wc -l)" -eq 1 ]
    [ -z "$(find "$empty" -path '*/blobs/*' -type f)" ]
    [ ! -e "$empty/index.json" ] || [ "$(jq '.manifests | length' "$empty/index.json")" -eq 0 ]

    # one base blob gone from an otherwise whole base: exactly that one named
    broken="$BATS_TEST_TMPDIR/broken"
    cp -a "$R0" "$broken"
    victim=$(tar -xOf "$d/delta/mirror-001.tar" mirrorkit-volume.json | jq -r '.base[0].digest')
    rm "$broken/blobs/sha256/${victim#sha256:}"
    cp "$broken/index.json" "$BATS_TEST_TMPDIR/index.before"
    before=$(find "$broken/blobs" -type f | sort)
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$d"/delta/*.tar --to "$broken"
    [ "$status" -eq 1 ]
    [ "$(jq -r 'select(.status == "missing") | .path' <<<"$output")" = "$broken/blobs/sha256/${victim#sha256:}" ]
    [[ $stderr == *"lacks 1 blobs"*"$victim"* ]] || { echo "$stderr"; return 1; }
    cmp "$broken/index.json" "$BATS_TEST_TMPDIR/index.before"
    [ "$before" = "$(find "$broken/blobs" -type f | sort)" ]
}

@test "a registry-only restricted side: the delta against the mirror's inventory, unpacked with --base-from into an empty directory, pushed, every digest the source's" {
    local t=$BATS_TEST_TMPDIR repo="$DST_ADDR/regonly/openshift4" stage="$BATS_TEST_TMPDIR/stage" nbase dest digest
    # the restricted side: release 1 in the mirror registry, no directory kept
    timeout 60 "$MK_BIN/release-list" "dir:$R0:4.3.0-x86_64" --to "$repo" >"$t/plan1.json"
    timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$t/plan1.json" >"$t/pushed1.json"
    timeout 60 "$MK_BIN/oci-dir" have --registry --insecure "$DST_ADDR" --out "$t/inv" <"$t/pushed1.json"
    # the internet side: release 2 packed against that inventory
    timeout 120 "$MK_BIN/oci-dir" pack "$A2" --exclude-from "$t/inv" --max-size 256K --out "$t/delta" >"$t/delta.json"
    nbase=$(tar -xOf "$t/delta/mirror-001.tar" mirrorkit-volume.json | jq '.base | length')
    [ "$nbase" -gt 0 ]
    # a repository that lacks the base: each base blob named, nothing written
    run --separate-stderr "$MK_BIN/oci-dir" unpack "$t"/delta/*.tar --to "$t/none" \
        --base-from "$DST_ADDR/regonly/other" --insecure "$DST_ADDR"
    [ "$status" -eq 1 ] || { echo "$status $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "blob" and .status == "missing")] | length' <<<"$output")" -eq "$nbase" ]
    [[ $stderr == *"and --base-from lack $nbase blobs"* ]] || { echo "$stderr"; return 1; }
    [ -z "$(find "$t/none" -path '*/blobs/*' -type f)" ]
    # the mirror's repository: the base comes from it, the directory ends whole
    run --separate-stderr timeout 120 "$MK_BIN/oci-dir" unpack "$t"/delta/*.tar --to "$stage" \
        --base-from "$DST_ADDR/regonly/other" --base-from "$repo" --insecure "$DST_ADDR"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [[ $stderr == *"$nbase base blobs ("*") fetched from the mirror"* ]] || { echo "$stderr"; return 1; }
    "$MK_BIN/oci-dir" verify "$stage" >/dev/null
    # pushed from there: release 2 whole in the mirror by the source's
    # digests, and no base blob sent again (fewer bytes than the delta's)
    timeout 60 "$MK_BIN/release-list" "dir:$stage:4.3.1-x86_64" --to "$repo" >"$t/plan2.json"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$t/plan2.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -s 'map(.bytes_copied) | add' <<<"$output")" -le "$(volume_bytes "$t/delta.json")" ]
    while read -r dest digest; do
        [ "$(raw_digest "$DST_DIR" "${dest%:*}@$digest")" = "$digest" ] || { echo "$dest"; return 1; }
    done < <(jq -r '"\(.dest) \(.digest)"' "$t/plan2.json")
    [ "$(raw_digest "$DST_DIR" "$repo:4.3.1-x86_64")" = "$RELEASE2_DIGEST" ]
}

@test "the inventory travels: read from standard input (gzipped on the media), the same delta set" {
    d=$BATS_FILE_TMPDIR
    [ "$(cat "$d/delta.rc")" = 0 ] || skip "no delta (the pack test failed)"
    gzip -c "$d/inventory" >"$BATS_TEST_TMPDIR/inventory.gz"
    run --separate-stderr bash -c 'zcat "$1" | "$MK_BIN/oci-dir" pack "$2" --exclude-from - --max-size 256K --out "$3"' \
        _ "$BATS_TEST_TMPDIR/inventory.gz" "$A" "$BATS_TEST_TMPDIR/again"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(jq -r .set <<<"$output" | sort -u)" = "$(jq -r .set "$d/delta.json" | sort -u)" ]
    # a file that is not an inventory is refused before anything is packed
    echo '{"kind":"image"}' >"$BATS_TEST_TMPDIR/not-inventory"
    run --separate-stderr "$MK_BIN/oci-dir" pack "$A" --exclude-from "$BATS_TEST_TMPDIR/not-inventory" \
        --max-size 256K --out "$BATS_TEST_TMPDIR/never"
    [ "$status" -eq 1 ]
    [[ $stderr == *"not-inventory"*"not a mirrorkit inventory"* ]] || { echo "$stderr"; return 1; }
    [ ! -e "$BATS_TEST_TMPDIR/never" ] || [ -z "$(ls "$BATS_TEST_TMPDIR/never")" ]
}

@test "have: usage errors" {
    run --separate-stderr "$MK_BIN/oci-dir" have
    [ "$status" -eq 2 ]
    run --separate-stderr "$MK_BIN/oci-dir" have --registry "$R0"
    [ "$status" -eq 2 ]
    [[ $stderr == *"standard input"* ]]
    run --separate-stderr "$MK_BIN/oci-dir" have "$BATS_TEST_TMPDIR/none"
    [ "$status" -eq 1 ]
}
