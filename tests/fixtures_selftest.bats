#!/usr/bin/env bats
# shellcheck disable=SC2046,SC2154  # skopeo_args output is meant to be word-split; $stderr* come from run --separate-stderr
#
# Self-test of the test fixtures: tests/lib/registry.bash and
# tests/fixtures/make-release.py, verified independently with skopeo.

bats_require_minimum_version 1.5.0

MKREL="$BATS_TEST_DIRNAME/fixtures/make-release.py"
PW='s3cret pass:with-colon'

setup_file() {
    load lib/registry
    export PLAIN_DIR="$BATS_FILE_TMPDIR/plain"
    export SECURE_DIR="$BATS_FILE_TMPDIR/secure"

    PLAIN_ADDR=$(registry_start "$PLAIN_DIR") || return 1
    SECURE_ADDR=$(registry_start "$SECURE_DIR" --tls --auth mirror "$PW") || return 1
    export PLAIN_ADDR SECURE_ADDR

    "$MKREL" --registry "$PLAIN_ADDR" --plain --seed 7 \
        >"$BATS_FILE_TMPDIR/plain.json" 2>"$BATS_FILE_TMPDIR/plain.err" || {
        cat "$BATS_FILE_TMPDIR/plain.err" >&2
        return 1
    }
    MK_FIXTURE_PASSWORD="$PW" "$MKREL" --registry "$SECURE_ADDR" \
        --ca "$SECURE_DIR/ca.crt" --user mirror --seed 7 \
        >"$BATS_FILE_TMPDIR/secure.json" 2>"$BATS_FILE_TMPDIR/secure.err" || {
        cat "$BATS_FILE_TMPDIR/secure.err" >&2
        return 1
    }
}

teardown_file() {
    load lib/registry
    registry_stop "$SECURE_DIR"
    registry_stop "$PLAIN_DIR"
}

setup() {
    load lib/registry
}

# raw_digest DIR REF -> sha256:... of the raw manifest bytes skopeo fetches
raw_digest() {
    local dir=$1 ref=$2 tmp sum
    tmp=$(mktemp "$BATS_TEST_TMPDIR/raw.XXXXXX")
    skopeo inspect --raw $(skopeo_args "$dir") "docker://$ref" >"$tmp" || return 1
    [ -s "$tmp" ] || return 1
    sum=$(sha256sum <"$tmp")
    echo "sha256:${sum%% *}"
}

component() { # component JSONFILE NAME FIELD
    jq -er --arg n "$2" ".components[] | select(.name == \$n) | .$3" "$1"
}

@test "registries listen on 127.0.0.1 only with their own config" {
    for d in "$PLAIN_DIR" "$SECURE_DIR"; do
        grep -qx "  addr: $(cat "$d/addr")" "$d/config.yml"
        [[ $(cat "$d/addr") == 127.0.0.1:* ]]
        ! grep -q 'debug' "$d/config.yml" || false
        kill -0 "$(cat "$d/pid")"
    done
    [ "$(stat -c %a "$SECURE_DIR/auth.json")" = 600 ]
    [ -f "$SECURE_DIR/certs/ca.crt" ]
    # anonymous access is refused on the auth registry
    run curl -s -o /dev/null -w '%{http_code}' --noproxy '*' \
        --cacert "$SECURE_DIR/ca.crt" "https://$SECURE_ADDR/v2/"
    [ "$output" = 401 ]
}

@test "skopeo_args prints the right flags" {
    run skopeo_args "$PLAIN_DIR"
    [ "$output" = "--tls-verify=false" ]
    run skopeo_args "$SECURE_DIR" --src
    [ "${lines[0]}" = "--src-cert-dir=$SECURE_DIR/certs" ]
    [ "${lines[1]}" = "--src-authfile=$SECURE_DIR/auth.json" ]
}

@test "summary JSON has the documented shape" {
    f="$BATS_FILE_TMPDIR/plain.json"
    jq -e --arg a "$PLAIN_ADDR" '
        .release == ($a + "/openshift-release-dev/ocp-release:4.3.0-x86_64")
        and (.release_digest | test("^sha256:[0-9a-f]{64}$"))
        and .version == "4.3.0"
        and (.components | length) == 24
        and (.blobs | type) == "number" and .blobs > 24
        and all(.components[];
                .source == ($a + "/openshift-release-dev/ocp-v4.0-art-dev@" + .digest))
        and ([.components[].media_type] | index("application/vnd.oci.image.manifest.v1+json") != null)
    ' "$f"
    # at least 2 OCI manifests, one docker list, one OCI index
    [ "$(jq '[.components[] | select(.media_type == "application/vnd.oci.image.manifest.v1+json")] | length' "$f")" -ge 2 ]
    [ "$(jq '[.components[] | select(.media_type == "application/vnd.docker.distribution.manifest.list.v2+json")] | length' "$f")" -ge 1 ]
    [ "$(jq '[.components[] | select(.media_type == "application/vnd.oci.image.index.v1+json")] | length' "$f")" -ge 1 ]
}

@test "plain: release manifest digest matches release_digest" {
    want=$(jq -r .release_digest "$BATS_FILE_TMPDIR/plain.json")
    got=$(raw_digest "$PLAIN_DIR" "$PLAIN_ADDR/openshift-release-dev/ocp-release:4.3.0-x86_64")
    [ "$got" = "$want" ]
    # the manifest is deliberately not canonical JSON
    skopeo inspect --raw $(skopeo_args "$PLAIN_DIR") \
        "docker://$PLAIN_ADDR/openshift-release-dev/ocp-release:4.3.0-x86_64" >"$BATS_TEST_TMPDIR/m.json"
    [ "$(jq -cj . "$BATS_TEST_TMPDIR/m.json" | sha256sum | cut -d' ' -f1)" != "${want#sha256:}" ]
    run skopeo inspect $(skopeo_args "$PLAIN_DIR") \
        "docker://$PLAIN_ADDR/openshift-release-dev/ocp-release:4.3.0-x86_64"
    [ "$status" -eq 0 ]
    [ "$(jq -r '.Labels["io.openshift.release"]' <<<"$output")" = 4.3.0 ]
    [ "$(jq -r .Architecture <<<"$output")" = amd64 ]
    [ "$(jq '.Layers | length' <<<"$output")" = 2 ]
}

@test "plain: components are inspectable by digest with matching digests" {
    f="$BATS_FILE_TMPDIR/plain.json"
    for n in cli installer must-gather console oauth-proxy pod etcd; do
        src=$(component "$f" "$n" source)
        dig=$(component "$f" "$n" digest)
        got=$(raw_digest "$PLAIN_DIR" "$src")
        [ "$got" = "$dig" ] || { echo "$n: $got != $dig"; return 1; }
    done
    # components are not tagged
    run skopeo list-tags $(skopeo_args "$PLAIN_DIR") \
        "docker://$PLAIN_ADDR/openshift-release-dev/ocp-v4.0-art-dev"
    [ "$status" -ne 0 ] || [ "$(jq '.Tags | length' <<<"$output")" = 0 ]
}

@test "plain: manifest list and OCI index have amd64+arm64 children" {
    f="$BATS_FILE_TMPDIR/plain.json"
    src=$(component "$f" pod source)
    skopeo inspect --raw $(skopeo_args "$PLAIN_DIR") "docker://$src" >"$BATS_TEST_TMPDIR/list.json"
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/list.json")" = application/vnd.docker.distribution.manifest.list.v2+json ]
    [ "$(jq '.manifests | length' "$BATS_TEST_TMPDIR/list.json")" = 2 ]
    [ "$(jq -r '[.manifests[].platform.architecture] | sort | join(",")' "$BATS_TEST_TMPDIR/list.json")" = amd64,arm64 ]
    # each child resolvable by digest in the same repo
    for d in $(jq -r '.manifests[].digest' "$BATS_TEST_TMPDIR/list.json"); do
        got=$(raw_digest "$PLAIN_DIR" "${src%@*}@$d")
        [ "$got" = "$d" ]
    done

    src=$(component "$f" etcd source)
    skopeo inspect --raw $(skopeo_args "$PLAIN_DIR") "docker://$src" >"$BATS_TEST_TMPDIR/idx.json"
    [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/idx.json")" = application/vnd.oci.image.index.v1+json ]
    [ "$(jq '.manifests | length' "$BATS_TEST_TMPDIR/idx.json")" = 2 ]
    [ "$(jq -r '[.manifests[].mediaType] | unique | join(",")' "$BATS_TEST_TMPDIR/idx.json")" = application/vnd.oci.image.manifest.v1+json ]
}

@test "plain: image-references in the release point at the pushed components" {
    mapfile -t a < <(skopeo_args "$PLAIN_DIR" --src)
    skopeo copy -q "${a[@]}" \
        "docker://$PLAIN_ADDR/openshift-release-dev/ocp-release:4.3.0-x86_64" \
        "dir:$BATS_TEST_TMPDIR/rel"
    top=$(jq -r '.layers[-1].digest' "$BATS_TEST_TMPDIR/rel/manifest.json")
    layer="$BATS_TEST_TMPDIR/rel/${top#sha256:}"
    tar tzf "$layer" >"$BATS_TEST_TMPDIR/list"
    grep -qx 'release-manifests/' "$BATS_TEST_TMPDIR/list"
    grep -qx 'release-manifests/release-metadata' "$BATS_TEST_TMPDIR/list"
    tar xzf "$layer" -O release-manifests/image-references >"$BATS_TEST_TMPDIR/refs.json"
    tar xzf "$layer" -O release-manifests/release-metadata | jq -en 'input | .kind == "cincinnati-metadata-v0" and .version == "4.3.0"'
    jq -e '.kind == "ImageStream" and .metadata.name == "4.3.0"' "$BATS_TEST_TMPDIR/refs.json"
    # same (name, from.name) set as the summary
    diff <(jq -r '.spec.tags[] | "\(.name) \(.from.name)"' "$BATS_TEST_TMPDIR/refs.json" | sort) \
        <(jq -r '.components[] | "\(.name) \(.source)"' "$BATS_FILE_TMPDIR/plain.json" | sort)
}

@test "plain: same seed twice gives the same digests; another seed differs" {
    run --separate-stderr "$MKREL" --registry "$PLAIN_ADDR" --plain --seed 7
    [ "$status" -eq 0 ]
    [ "$(jq -r .release_digest <<<"$output")" = "$(jq -r .release_digest "$BATS_FILE_TMPDIR/plain.json")" ]
    [ "$(jq -c '[.components[].digest]' <<<"$output")" = "$(jq -c '[.components[].digest]' "$BATS_FILE_TMPDIR/plain.json")" ]

    run --separate-stderr "$MKREL" --registry "$PLAIN_ADDR" --plain --seed 8 \
        --product-repo other-seed --components 20 --layer-size 2048
    [ "$status" -eq 0 ]
    [ "$(jq -r .release_digest <<<"$output")" != "$(jq -r .release_digest "$BATS_FILE_TMPDIR/plain.json")" ]
    [ "$(jq '.components | length' <<<"$output")" = 20 ]
}

@test "plain: --broken release has no image-references" {
    run --separate-stderr "$MKREL" --registry "$PLAIN_ADDR" --plain --seed 7 --broken
    [ "$status" -eq 0 ]
    [ "$(jq -r .release <<<"$output")" = "$PLAIN_ADDR/openshift-release-dev/ocp-release:4.3.0-broken" ]
    mapfile -t a < <(skopeo_args "$PLAIN_DIR" --src)
    skopeo copy -q "${a[@]}" \
        "docker://$PLAIN_ADDR/openshift-release-dev/ocp-release:4.3.0-broken" \
        "dir:$BATS_TEST_TMPDIR/rel"
    top=$(jq -r '.layers[-1].digest' "$BATS_TEST_TMPDIR/rel/manifest.json")
    run tar tzf "$BATS_TEST_TMPDIR/rel/${top#sha256:}"
    [ "$status" -eq 0 ]
    [[ $output == *release-manifests/release-metadata* ]]
    [[ $output != *image-references* ]]
}

@test "tls+auth: release and components verified with cert-dir + authfile" {
    f="$BATS_FILE_TMPDIR/secure.json"
    want=$(jq -r .release_digest "$f")
    [ "$(jq -r .release "$f")" = "$SECURE_ADDR/openshift-release-dev/ocp-release:4.3.0-x86_64" ]
    got=$(raw_digest "$SECURE_DIR" "$SECURE_ADDR/openshift-release-dev/ocp-release:4.3.0-x86_64")
    [ "$got" = "$want" ]
    for n in cli cluster-version-operator console pod; do
        src=$(component "$f" "$n" source)
        [[ $src == "$SECURE_ADDR/openshift-release-dev/ocp-v4.0-art-dev@sha256:"* ]]
        got=$(raw_digest "$SECURE_DIR" "$src")
        [ "$got" = "$(component "$f" "$n" digest)" ]
    done
    # pod is a manifest list with two children here as well
    run skopeo inspect --raw $(skopeo_args "$SECURE_DIR") "docker://$(component "$f" pod source)"
    [ "$status" -eq 0 ]
    [ "$(jq '.manifests | length' <<<"$output")" = 2 ]
}

@test "tls+auth: access is refused without credentials or without the CA" {
    src=$(component "$BATS_FILE_TMPDIR/secure.json" cli source)
    run skopeo inspect --raw --cert-dir "$SECURE_DIR/certs" \
        --authfile "$BATS_TEST_TMPDIR/missing-auth.json" "docker://$src"
    [ "$status" -ne 0 ]
    run skopeo inspect --raw --authfile "$SECURE_DIR/auth.json" \
        --cert-dir "$BATS_TEST_TMPDIR" "docker://$src"
    [ "$status" -ne 0 ]
}

@test "tls+auth: make-release fails cleanly on bad password / wrong scheme" {
    run --separate-stderr env MK_FIXTURE_PASSWORD=wrong "$MKREL" \
        --registry "$SECURE_ADDR" --ca "$SECURE_DIR/ca.crt" --user mirror
    [ "$status" -ne 0 ]
    [ -z "$output" ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == *401* ]]
    run --separate-stderr "$MKREL" --registry "$SECURE_ADDR" --plain
    [ "$status" -ne 0 ]
    [ -z "$output" ]
    # HTTPS without our CA must not verify
    run --separate-stderr env MK_FIXTURE_PASSWORD="$PW" "$MKREL" \
        --registry "$SECURE_ADDR" --user mirror
    [ "$status" -ne 0 ]
    [ -z "$output" ]
}

@test "registry_start/registry_stop lifecycle" {
    d="$BATS_TEST_TMPDIR/reg"
    run registry_start "$d"
    [ "$status" -eq 0 ]
    [[ $output == 127.0.0.1:* ]]
    pid=$(cat "$d/pid")
    kill -0 "$pid"
    # a second start on the same DIR is refused
    run registry_start "$d"
    [ "$status" -ne 0 ]
    registry_stop "$d"
    [ ! -e "$d/pid" ]
    ! _registry_alive "$pid" || false
    # stopping twice is harmless
    registry_stop "$d"
}

@test "--multi docker|oci: the release is a list of amd64 and arm64 release images, tagged VERSION-multi" {
    for flavour in docker oci; do
        # a product repository of its own: the other tests' repositories stay as they were
        run --separate-stderr "$MKREL" --registry "$PLAIN_ADDR" --plain --seed 7 --version "4.14.0-$flavour" \
            --multi "$flavour" --product-repo selftest-multi
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        f="$BATS_TEST_TMPDIR/$flavour.json"
        printf '%s\n' "$output" >"$f"
        want_mt=application/vnd.oci.image.index.v1+json
        [ "$flavour" = oci ] || want_mt=application/vnd.docker.distribution.manifest.list.v2+json
        jq -e --arg a "$PLAIN_ADDR" --arg v "4.14.0-$flavour" --arg mt "$want_mt" '
            .release == ($a + "/selftest-multi/ocp-release:" + $v + "-multi")
            and .release_media_type == $mt
            and ([.children[].architecture] == ["amd64", "arm64"])
            and all(.children[]; (.components | length) == 24)
            and .components == .children[0].components
        ' "$f" >/dev/null || { cat "$f"; return 1; }
        # skopeo: the tag is the list, byte for byte, and names the children
        rel=$(jq -r .release "$f")
        [ "$(raw_digest "$PLAIN_DIR" "$rel")" = "$(jq -r .release_digest "$f")" ]
        skopeo inspect --raw $(skopeo_args "$PLAIN_DIR") "docker://$rel" >"$BATS_TEST_TMPDIR/list.json"
        [ "$(jq -r .mediaType "$BATS_TEST_TMPDIR/list.json")" = "$want_mt" ]
        diff <(jq -r '.manifests[] | "\(.platform.architecture) \(.digest)"' "$BATS_TEST_TMPDIR/list.json") \
            <(jq -r '.children[] | "\(.architecture) \(.digest)"' "$f")
        # each child is a release image of its architecture
        for arch in amd64 arm64; do
            child=$(jq -r --arg a "$arch" '.children[] | select(.architecture == $a) | .digest' "$f")
            run skopeo inspect $(skopeo_args "$PLAIN_DIR") "docker://${rel%:*}@$child"
            [ "$status" -eq 0 ]
            [ "$(jq -r .Architecture <<<"$output")" = "$arch" ]
            [ "$(jq -r '.Labels["io.openshift.release"]' <<<"$output")" = "4.14.0-$flavour" ]
        done
        # the arm64 child names arm64 components, except the shared lists
        [ "$(jq '[.children[0].components[] as $a | .children[1].components[]
                  | select(.name == $a.name and .digest == $a.digest)] | length' "$f")" -eq 2 ]
        src=$(jq -r '.children[1].components[] | select(.name == "installer") | .source' "$f")
        run --separate-stderr skopeo inspect --no-tags $(skopeo_args "$PLAIN_DIR") "docker://$src"
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        [ "$(jq -r .Architecture <<<"$output")" = arm64 ]
    done
}
