#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# catalog-list (issue 13): synthetic Operator catalogs, file-based and
# sqlite (tests/fixtures/make-catalog.py), pushed with the images they name
# into a test registry; selections checked as digest sets against the
# fixture's summary (jq); the mirror (catalog-list --to | blob-copy) and the
# pruned catalog (--catalog-to) checked with skopeo, the pruned catalog read
# back by catalog-list; the CatalogSource parsed back with python3's yaml;
# broken catalogs and bad selections.

bats_require_minimum_version 1.5.0

load lib/mirror

MKCAT="$BATS_TEST_DIRNAME/fixtures/make-catalog.py"

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    CAT_DIR="$BATS_FILE_TMPDIR/catsrc"
    CAT_ADDR=$(mirror_registry catsrc) || return 1
    DST_DIR="$BATS_FILE_TMPDIR/dst"
    DST_ADDR=$(mirror_registry dst) || return 1
    export CAT_DIR CAT_ADDR DST_DIR DST_ADDR
    local f args
    while read -r f args; do
        # shellcheck disable=SC2086  # args: several words
        "$MKCAT" --registry "$CAT_ADDR" --plain --seed 13 $args >"$BATS_FILE_TMPDIR/$f.json" \
            2>"$BATS_FILE_TMPDIR/$f.err" || { cat "$BATS_FILE_TMPDIR/$f.err" >&2; return 1; }
    done <<'EOF'
fbc --format fbc
sqlite --format sqlite --name sqlite-index
nolabel --name bad-nolabel --bad no-label
dangling --name bad-dangling --bad dangling-replaces
malformed --name bad-malformed --bad malformed
badsqlite --format sqlite --name bad-sqlite --bad malformed
missingtag --name bad-missing-tag --bad missing-tag
EOF
}

teardown_file() {
    mirror_teardown
}

cl() {
    "$MK_BIN/catalog-list" --insecure "$CAT_ADDR" --insecure "$DST_ADDR" "$@"
}

catalog_of() {
    jq -r .catalog "$BATS_FILE_TMPDIR/$1.json"
}

# expected FIXTURE BUNDLE...: the digests of those bundles' images and of
# every image they name, one a line, sorted and unique (the fixture's own
# account of what it pushed).
expected() {
    local f=$1
    shift
    jq -r '.bundles[] | select(.name | IN($ARGS.positional[])) | .digest, .related[].digest' \
        "$BATS_FILE_TMPDIR/$f.json" --args "$@" | sort -u
}

# All the fixture's bundle names.
all_bundles() {
    jq -r '.bundles[].name' "$BATS_FILE_TMPDIR/$1.json"
}

# The digests of the image records of a plan (stdin), sorted, not made unique.
image_digests() {
    jq -r 'select(.kind == "image") | .digest' | sort
}

# The bundle names a plan (file) selected, sorted.
bundle_names() {
    jq -r 'select(.role == "bundle") | .name' "$1" | sort | tr '\n' ' '
}

@test "the whole catalog, both formats: one catalog record first, every image once by digest, a warning with the counts" {
    local f plan
    for f in fbc sqlite; do
        plan="$BATS_TEST_TMPDIR/$f.jsonl"
        run --separate-stderr cl "$(catalog_of $f)"
        [ "$status" -eq 0 ] || { echo "$f: $stderr"; return 1; }
        printf '%s\n' "$output" >"$plan"
        json_lines_ok "$plan"
        [ "$(head -1 "$plan" | jq -r .kind)" = catalog ]
        [ "$(jq -s '[.[] | select(.kind == "catalog")] | length' "$plan")" -eq 1 ]
        # shellcheck disable=SC2046
        diff <(image_digests <"$plan") <(expected $f $(all_bundles $f)) || { echo "$f: digest sets differ"; return 1; }
        jq -e -s --arg d "$(jq -r .catalog_digest "$BATS_FILE_TMPDIR/$f.json")" \
            --arg fmt "$([ $f = fbc ] && echo file-based || echo sqlite)" \
            '.[0] | .digest == $d and .format == $fmt and .packages == 3 and .channels == 4 and .bundles == 10
             and .images == 28 and (.source | endswith("@" + $d)) and (has("dest") | not)' "$plan"
        [[ $stderr == *"warning: no --package: the whole catalog, 10 bundle(s) and 28 image(s)"* ]]
        # Every source is pinned, and by the digest the record gives.
        jq -e -s 'map(select(.kind == "image")) | all(.source as $s | .digest as $d | $s | endswith("@" + $d))' "$plan"
    done
}

@test "selection by package, channel and range gives the bundles OLM would install or upgrade along, as digest sets" {
    local f sel want plan
    for f in fbc sqlite; do
        while IFS='|' read -r sel want; do
            plan="$BATS_TEST_TMPDIR/sel.jsonl"
            # shellcheck disable=SC2086  # sel: several --package options
            run --separate-stderr cl $sel "$(catalog_of $f)"
            [ "$status" -eq 0 ] || { echo "$f $sel: $stderr"; return 1; }
            [ -z "$stderr" ] || { echo "$f $sel: stderr: $stderr"; return 1; }
            printf '%s\n' "$output" >"$plan"
            [ "$(bundle_names "$plan")" = "$want " ] || { echo "$f $sel: got $(bundle_names "$plan"), want $want"; return 1; }
            # shellcheck disable=SC2046,SC2086
            diff <(image_digests <"$plan") <(expected $f $want) || { echo "$f $sel: digests differ"; return 1; }
        done <<'EOF'
--package etcd|etcdoperator.v0.9.4
--package etcd:alpha|etcdoperator.v1.0.0
--package etcd:stable:0.9.2-0.9.4|etcdoperator.v0.9.2 etcdoperator.v0.9.4
--package prometheus:beta:0.27.0-0.32.0|prometheusoperator.0.27.0 prometheusoperator.0.30.0 prometheusoperator.0.32.0
--package prometheus --package cockroachdb|cockroachdb.v6.0.1 prometheusoperator.0.32.0
EOF
    done
}

@test "an image shared between packages is one record naming both; images named by tag are pinned to what the tag resolves to" {
    local plan="$BATS_TEST_TMPDIR/shared.jsonl" proxy operand
    cl --package etcd --package cockroachdb "$(catalog_of fbc)" >"$plan"
    proxy=$(jq -r '.images[] | select(.key == "kube-rbac-proxy") | .digest' "$BATS_FILE_TMPDIR/fbc.json")
    [ "$(jq -s --arg d "$proxy" '[.[] | select(.digest == $d)] | length' "$plan")" -eq 1 ]
    jq -e -s --arg d "$proxy" 'map(select(.digest == $d)) | length == 1 and (.[0].packages | sort) == ["cockroachdb", "etcd"]' "$plan"
    # cockroach-operand is named by tag in the catalog.
    operand=$(jq -r '.images[] | select(.key == "cockroach-operand")' "$BATS_FILE_TMPDIR/fbc.json")
    [[ $(jq -r .ref <<<"$operand") == *:v-cockroach-operand ]]
    jq -e -s --arg repo "$(jq -r .repo <<<"$operand")" --arg d "$(jq -r .digest <<<"$operand")" \
        'map(select(.digest == $d)) | length == 1 and .[0].source == ($repo + "@" + $d) and .[0].role == "related"' "$plan"
}

@test "--to, then blob-copy: every image in the mirror under its source path, by digest (skopeo); ics-gen maps the repositories" {
    local plan="$BATS_TEST_TMPDIR/plan.jsonl" copied="$BATS_TEST_TMPDIR/copied.jsonl" dest d n=0
    cl --package etcd:stable:0.9.2-0.9.4 --package prometheus --to "$DST_ADDR/olm" "$(catalog_of fbc)" >"$plan"
    jq -e -s 'map(select(.kind == "image")) | length == 10 and all(.dest | test("^'"$DST_ADDR"'/olm/catalog-fixtures/[a-z-]+@sha256:"))' "$plan"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$CAT_ADDR" --insecure "$DST_ADDR" <"$plan"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$copied"
    # The catalog record is passed on, the images copied.
    [ "$(jq -r 'select(.kind == "catalog") | .kind' "$copied")" = catalog ]
    [ "$(jq -s 'map(select(.kind == "image" and (.status == "copied" or .status == "present"))) | length' "$copied")" -eq 10 ]
    while read -r dest d; do
        [ "$(raw_digest "$DST_DIR" "$dest")" = "$d" ] || { echo "$dest: not there by digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r 'select(.kind == "image") | "\(.dest) \(.digest)"' "$plan")
    [ "$n" -eq 10 ]
    run -0 "$MK_BIN/ics-gen" --format idms "$copied"
    [[ $output == *"source: $CAT_ADDR/catalog-fixtures/etcd-operator"* ]]
    [[ $output == *"- $DST_ADDR/olm/catalog-fixtures/etcd-operator"* ]]
}

# check_pruned FIXTURE REF SELECTION...: REF (in the dst registry) is the
# fixture's catalog plus one layer, skopeo reads it, and catalog-list reads
# back exactly the bundles given.
check_pruned() {
    local f=$1 ref=$2 want plan="$BATS_TEST_TMPDIR/readback.jsonl" orig new
    shift 2
    want="$*"
    # shellcheck disable=SC2046
    orig=$(skopeo inspect --raw $(skopeo_args "$CAT_DIR") "docker://$(catalog_of "$f")" | jq -c '[.layers[].digest]')
    # shellcheck disable=SC2046
    new=$(skopeo inspect --raw $(skopeo_args "$DST_DIR") "docker://$ref" | jq -c '[.layers[].digest]')
    jq -e -n --argjson o "$orig" --argjson n "$new" '($n | length) == ($o | length) + 1 and $n[:($o | length)] == $o'
    # shellcheck disable=SC2046
    local config
    # shellcheck disable=SC2046
    config=$(skopeo inspect $(skopeo_args "$DST_DIR") "docker://$ref")
    jq -e '.Labels | has("operators.operatorframework.io.index.configs.v1") or has("operators.operatorframework.io.index.database.v1")' <<<"$config"
    run --separate-stderr cl "$ref"
    [ "$status" -eq 0 ] || { echo "read back: $stderr"; return 1; }
    printf '%s\n' "$output" >"$plan"
    [ "$(bundle_names "$plan")" = "$want " ] || { echo "read back $(bundle_names "$plan"), want $want"; return 1; }
    # shellcheck disable=SC2086
    diff <(image_digests <"$plan") <(expected "$f" $want)
}

@test "--catalog-to, both formats: the pruned catalog holds exactly the selection, read back by catalog-list and by skopeo" {
    local f ref plan="$BATS_TEST_TMPDIR/pruned.jsonl" want="etcdoperator.v0.9.2 etcdoperator.v0.9.4 prometheusoperator.0.27.0 prometheusoperator.0.30.0 prometheusoperator.0.32.0"
    for f in fbc sqlite; do
        ref="$DST_ADDR/olm/$f-index:pruned"
        run --separate-stderr cl --package etcd:stable:0.9.2-0.9.4 --package prometheus:beta:0.27.0-0.32.0 \
            --catalog-to "$ref" "$(catalog_of $f)"
        [ "$status" -eq 0 ] || { echo "$f: $stderr"; return 1; }
        printf '%s\n' "$output" >"$plan"
        jq -e -s --arg ref "$ref" '.[0] | .kind == "catalog" and .dest == $ref and (.pruned_digest | startswith("sha256:"))' "$plan"
        [ "$(raw_digest "$DST_DIR" "$ref")" = "$(head -1 "$plan" | jq -r .pruned_digest)" ]
        check_pruned "$f" "$ref" $want
    done
}

@test "--catalog-to, file-based: the new layer whites out the configs directory and opm's cache (umoci), and keeps the documents it should" {
    local ref="$DST_ADDR/olm/fbc-index:layer" layout="$BATS_TEST_TMPDIR/layout" last blob dir="$BATS_TEST_TMPDIR/layer"
    cl --package etcd:stable:0.9.2-0.9.4 --catalog-to "$ref" "$(catalog_of fbc)" >/dev/null
    # shellcheck disable=SC2046
    skopeo copy -q $(skopeo_args "$DST_DIR" --src) "docker://$ref" "oci:$layout:x"
    last=$(jq -r '.manifests[0].digest' "$layout/index.json")
    blob=$(jq -r '.layers[-1].digest' "$layout/blobs/sha256/${last#sha256:}")
    mkdir -p "$dir"
    tar -xzf "$layout/blobs/sha256/${blob#sha256:}" -C "$dir"
    [ -f "$dir/configs/.wh..wh..opq" ]
    [ -f "$dir/tmp/.wh.cache" ]
    [ "$(find "$dir/configs" -name catalog.json | wc -l)" -eq 1 ]
    # etcd only: its package (default channel kept), the stable channel from
    # 0.9.2 (its replaces of the dropped 0.9.0 gone), two bundles verbatim,
    # and the deprecation of the dropped 0.9.0 gone with it.
    jq -e -s '
        (map(select(.schema == "olm.package")) | length == 1 and .[0].defaultChannel == "stable") and
        (map(select(.schema == "olm.channel")) | length == 1 and .[0].name == "stable" and
            .[0].entries == [{"name":"etcdoperator.v0.9.2"},
                             {"name":"etcdoperator.v0.9.4","replaces":"etcdoperator.v0.9.2","skipRange":">=0.9.0 <0.9.4"}]) and
        (map(select(.schema == "olm.bundle") | .name) == ["etcdoperator.v0.9.2", "etcdoperator.v0.9.4"]) and
        (map(select(.schema == "olm.deprecations")) | length == 0)' "$dir/configs/etcd/catalog.json"
    # umoci applies the layers as a runtime would: only the new documents
    # are left under configs/, and the stale cache is gone.
    umoci unpack --rootless --image "$layout:x" "$BATS_TEST_TMPDIR/bundle" >/dev/null
    [ "$(cd "$BATS_TEST_TMPDIR/bundle/rootfs/configs" && find . -type f | sort | tr '\n' ' ')" = "./etcd/catalog.json " ]
    [ ! -e "$BATS_TEST_TMPDIR/bundle/rootfs/tmp/cache" ]
    [ -f "$BATS_TEST_TMPDIR/bundle/rootfs/bin/opm" ]
    # The bundles are verbatim: the same as in the original.
    jq -c 'select(.schema == "olm.bundle" and .name == "etcdoperator.v0.9.4")' "$dir/configs/etcd/catalog.json" >"$BATS_TEST_TMPDIR/new.json"
    jq -e --slurpfile n "$BATS_TEST_TMPDIR/new.json" \
        '.bundles[] | select(.name == "etcdoperator.v0.9.4") | .image == $n[0].image and (.related | length) == ($n[0].relatedImages | length)' \
        "$BATS_FILE_TMPDIR/fbc.json"
}

@test "--catalog-to dir: a pruned catalog in an OCI directory, read back, then mirrored from there into a registry" {
    local dir="$BATS_TEST_TMPDIR/media" plan="$BATS_TEST_TMPDIR/dir.jsonl"
    run --separate-stderr cl --package cockroachdb --to-dir "$dir" --catalog-to "dir:$dir:registry.example.com/olm/index:v1" "$(catalog_of sqlite)"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$plan"
    jq -e -s --arg d "dir:$dir:" '.[0] | (.dest | startswith($d)) and (.pruned_digest | startswith("sha256:"))' "$plan"
    jq -e -s --arg d "dir:$dir:$CAT_ADDR/" 'map(select(.kind == "image")) | length == 4 and all(.dest | startswith($d))' "$plan"
    # The operand the catalog names by tag keeps that tag in the directory.
    jq -e -s 'map(select(.kind == "image") | select(.dest | endswith(":v-cockroach-operand"))) | length == 1' "$plan"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$CAT_ADDR" <"$plan"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    # The restricted side reads the catalog and its images from the directory.
    run --separate-stderr cl "dir:$dir:registry.example.com/olm/index:v1"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/readback.jsonl"
    [ "$(jq -r 'select(.role == "bundle") | .name' "$BATS_TEST_TMPDIR/readback.jsonl")" = cockroachdb.v6.0.1 ]
    jq -e -s --arg d "dir:$dir:$CAT_ADDR/" 'map(select(.kind == "image")) | length == 4 and all(.source | startswith($d))' \
        "$BATS_TEST_TMPDIR/readback.jsonl"
    # An independent reader: skopeo sees the pruned catalog and its images.
    local raw
    raw=$(skopeo inspect --raw "oci:$dir:registry.example.com/olm/index:v1")
    jq -e '.layers | length == 3' <<<"$raw"
    # Then into the restricted registry: the images from the directory, the
    # catalog written again from the one in the directory, its CatalogSource.
    local ref="$DST_ADDR/restricted/index:v1"
    run --separate-stderr cl --to "$DST_ADDR/restricted" --catalog-to "$ref" "dir:$dir:registry.example.com/olm/index:v1"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/restricted.jsonl"
    run --separate-stderr "$MK_BIN/blob-copy" --insecure "$DST_ADDR" <"$BATS_TEST_TMPDIR/restricted.jsonl"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(printf '%s\n' "$output" | jq -s 'map(select(.kind == "image" and .status == "copied")) | length')" -eq 4 ]
    # The catalog from the directory (2 layers + 1) plus one more layer.
    # shellcheck disable=SC2046
    raw=$(skopeo inspect --raw $(skopeo_args "$DST_DIR") "docker://$ref")
    jq -e '.layers | length == 4' <<<"$raw"
    run --separate-stderr cl "$ref"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ "$(printf '%s\n' "$output" | jq -r 'select(.role == "bundle") | .name')" = cockroachdb.v6.0.1 ]
    run -0 "$MK_BIN/ics-gen" --format catalogsource "$BATS_TEST_TMPDIR/restricted.jsonl"
    [[ $output == *"image: $DST_ADDR/restricted/index@sha256:"* ]]
}

@test "--catalog-to oci-archive: the archive is written before the record names it; skopeo and catalog-list read it back" {
    local tar="$BATS_TEST_TMPDIR/catalog.tar" name=olm/index:v1 pruned dest
    export MIRRORKIT_PLUGIN_PATH="$MK_BIN"
    run --separate-stderr cl --package cockroachdb --catalog-to "oci-archive:$tar:$name" "$(catalog_of sqlite)"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -f "$tar" ]
    pruned=$(head -1 <<<"$output" | jq -r .pruned_digest)
    dest=$(head -1 <<<"$output" | jq -r .dest)
    [ "$dest" = "oci-archive:$tar:docker.io/$name" ]
    [ "sha256:$(skopeo inspect --raw "$dest" | sha256sum | cut -d' ' -f1)" = "$pruned" ]
    # Read back from the archive: the catalog's images are looked for beside
    # it, by digest or by tag; the archive holds the catalog alone, so the
    # operand named by tag does not resolve (an error record, exit 1).
    run --separate-stderr cl "$dest"
    [ "$status" -eq 1 ] || { echo "$stderr"; echo "$output"; return 1; }
    jq -e -s --arg p "$pruned" --arg d "oci-archive:$tar:" '.[0].kind == "catalog" and .[0].digest == $p and
        (map(select(.kind == "image")) | length == 3 and all(.source | startswith($d))) and
        (map(select(.kind == "error")) | length == 1 and (.[0].error | contains(":v-cockroach-operand")))' <<<"$output"
    [ "$(jq -r 'select(.role == "bundle") | .name' <<<"$output")" = cockroachdb.v6.0.1 ]
}

@test "ics-gen --format catalogsource: the CatalogSource of the pruned catalog, by digest, parsed back" {
    local ref="$DST_ADDR/olm/operator-index:v4.14" plan="$BATS_TEST_TMPDIR/cs.jsonl" yaml="$BATS_TEST_TMPDIR/cs.yaml"
    cl --package etcd --to "$DST_ADDR/olm" --catalog-to "$ref" "$(catalog_of fbc)" >"$plan"
    "$MK_BIN/blob-copy" --insecure "$CAT_ADDR" --insecure "$DST_ADDR" <"$plan" >"$BATS_TEST_TMPDIR/copied.jsonl"
    run --separate-stderr "$MK_BIN/ics-gen" --format catalogsource "$BATS_TEST_TMPDIR/copied.jsonl"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$yaml"
    python3 - "$yaml" "$DST_ADDR/olm/operator-index@$(head -1 "$plan" | jq -r .pruned_digest)" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
assert len(docs) == 1, docs
d = docs[0]
assert d["apiVersion"] == "operators.coreos.com/v1alpha1", d
assert d["kind"] == "CatalogSource", d
assert d["metadata"] == {"name": "operator-index", "namespace": "openshift-marketplace"}, d
assert d["spec"]["sourceType"] == "grpc", d
assert d["spec"]["image"] == sys.argv[2], (d["spec"]["image"], sys.argv[2])
assert d["spec"]["displayName"] and d["spec"]["publisher"], d
PY
    # A catalog record without a pruned digest is never turned into an image by tag.
    jq -c 'select(.kind == "catalog") | del(.pruned_digest)' "$plan" >"$BATS_TEST_TMPDIR/nodigest.jsonl"
    run --separate-stderr "$MK_BIN/ics-gen" --format catalogsource "$BATS_TEST_TMPDIR/nodigest.jsonl"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ $stderr == *pruned_digest* ]]
}

# bad CATALOG-FIXTURE STATUS PATTERN [ARGS...]: catalog-list fails with that
# status, one line on stderr matching PATTERN, and nothing but valid records
# on stdout.
bad() {
    local f=$1 want=$2 pattern=$3
    shift 3
    run --separate-stderr cl "$@" "$(catalog_of "$f")"
    [ "$status" -eq "$want" ] || { echo "$f: exit $status, want $want: $stderr"; return 1; }
    # One line (a usage error adds the "Try" hint, no --package a warning).
    [ "$(printf '%s\n' "$stderr" | grep -v -e 'warning:' -e "^Try 'catalog-list --help'" | wc -l)" -eq 1 ] ||
        { echo "$f: stderr: $stderr"; return 1; }
    [[ $stderr == *"$pattern"* ]] || { echo "$f: stderr lacks $pattern: $stderr"; return 1; }
    if [ -n "$output" ]; then
        printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/bad.jsonl"
        json_lines_ok "$BATS_TEST_TMPDIR/bad.jsonl"
    fi
}

@test "bad catalogs and selections: each a one-line error naming the culprit and a documented exit status" {
    bad nolabel 1 "not an Operator catalog image"
    [ -z "$output" ]
    bad malformed 1 "configs/prometheus/catalog.yaml"
    [ -z "$output" ]
    bad badsqlite 1 "index.db"
    [ -z "$output" ]
    bad dangling 1 "prometheusoperator.0.22.2" --package prometheus
    [ -z "$output" ]
    bad fbc 1 "'nosuch'" --package nosuch
    [ -z "$output" ]
    bad sqlite 1 "channel 'nosuch'" --package etcd:nosuch
    [ -z "$output" ]
    bad fbc 2 "--package" --package 'etcd:stable:9.0.0-1.0.0'
    bad fbc 2 "--to" --to "$DST_ADDR/a" --to-dir "$BATS_TEST_TMPDIR/d"
}

@test "an image tag that does not resolve is an error record naming it, exit 1, the rest still listed" {
    bad missingtag 1 "1 image(s) could not be resolved" --package prometheus
    printf '%s\n' "$output" | jq -e -s '
        (map(select(.kind == "error")) | length == 1 and (.[0].error | contains(":v-gone")) and .[0].code == "not-found") and
        (map(select(.kind == "image")) | length == 3) and .[0].kind == "catalog"'
}
