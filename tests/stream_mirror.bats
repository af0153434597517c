#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# stream-mirror (seed §3.3.5-3.3.6): image streams shaped like the openshift
# namespace (tests/fixtures/openshift-imagestreams.json), a local registry
# standing in for registry.redhat.io, and a TLS mirror. Copies are checked
# with skopeo; every emitted object is parsed back with jq.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
    local d=$BATS_FILE_TMPDIR
    RH_DIR="$d/redhat"
    RH_ADDR=$(mirror_registry redhat) || return 1
    MIRROR_DIR="$d/mirror"
    MIRROR_ADDR=$(mirror_registry mirror --tls) || return 1
    export RH_DIR RH_ADDR MIRROR_DIR MIRROR_ADDR

    # "registry.redhat.io" content: fixture components under the samples'
    # repository names (one of them a manifest list). mysql is left out on
    # purpose, so its copy fails.
    local name
    while read -r name repo; do
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$RH_ADDR" \
            "$(fixture_component "$name" source)" "$RH_ADDR/$repo" >/dev/null || return 1
    done <<'MAP'
cli rhscl/ruby-25-rhel7:latest
console rhscl/ruby-26-rhel7:latest
pod rhoar-nodejs/nodejs-10:latest
etcd rhscl/python-36-rhel7:latest
installer rhscl/httpd-24-rhel7:latest
MAP
    sed "s/REDHAT_REGISTRY/$RH_ADDR/g" "$BATS_TEST_DIRNAME/fixtures/openshift-imagestreams.json" >"$d/is.json"
    export IS_JSON="$d/is.json"
}

teardown_file() {
    mirror_teardown
}

@test "mappings keep repository path and tag; ImageStreamTag references resolved; payload streams left out" {
    run --separate-stderr "$MK_BIN/stream-mirror" --registry "$RH_ADDR" --to "$MIRROR_ADDR" "$IS_JSON"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    images=$(jq -c 'select(.kind == "image")' <<<"$output")
    [ "$(wc -l <<<"$images")" -eq 6 ]
    # every dest is MIRROR/<same path>:<same tag>
    jq -e -s --arg rh "$RH_ADDR" --arg m "$MIRROR_ADDR" \
        'all(.[]; .dest == ($m + (.source | ltrimstr($rh))))' <<<"$images" >/dev/null
    # ruby:latest -> ImageStreamTag 2.6 shares 2.6's copy
    # (jq 1.6's -e looks at the last input only: slurp and use any/all)
    jq -e -s 'any(.[]; (.source | endswith("/rhscl/ruby-26-rhel7:latest")) and .streams == ["ruby:2.6", "ruby:latest"])' \
        <<<"$images" >/dev/null
    # "nodejs:10" (stream:tag form) resolved too
    jq -e -s 'any(.[]; (.source | endswith("/nodejs-10:latest")) and (.streams | index("nodejs:latest")))' <<<"$images" >/dev/null
    # payload streams never appear, neither as images nor as skipped
    ! grep -Eq '"(jenkins|jenkins-agent-maven|cli|must-gather)[:"]' <<<"$output" || false
    # the rest are reported: non-redhat source, cycle, dangling reference
    [ "$(jq -r 'select(.kind == "skipped") | "\(.stream):\(.tag)"' <<<"$output" | sort | tr '\n' ' ')" = \
        "dotnet:a dotnet:b perl:5.26 python:2.7 " ]
    [[ $stderr == *"not mirrored: python:2.7"* ]]
}

@test "stream-mirror | blob-copy mirrors every image; skopeo sees the source digests" {
    run --separate-stderr bash -c "'$MK_BIN/stream-mirror' --registry '$RH_ADDR' --to '$MIRROR_ADDR' '$IS_JSON' 2>/dev/null |
        '$MK_BIN/blob-copy' --insecure '$RH_ADDR' --ca-file '$MIRROR_DIR/ca.crt' > '$BATS_FILE_TMPDIR/results.jsonl'"
    [ "$status" -eq 1 ]  # mysql is not in the source registry
    r=$BATS_FILE_TMPDIR/results.jsonl
    [ "$(jq -r 'select(.status == "copied") | .name' "$r" | wc -l)" -eq 5 ]
    jq -e -s 'any(.[]; .name == "mysql:8.0" and .status == "failed" and (.error | test("mysql-80-rhel7")))' "$r" >/dev/null
    # skipped records passed through blob-copy untouched
    [ "$(jq -r 'select(.kind == "skipped")' "$r" | jq -s length)" -eq 4 ]
    while read -r src dest; do
        [ "$(raw_digest "$RH_DIR" "$src")" = "$(raw_digest "$MIRROR_DIR" "$dest")" ]
    done < <(jq -r 'select(.status == "copied") | "\(.source) \(.dest)"' "$r")
}

@test "--config: ConfigMap under host..port, additionalTrustedCA, samplesRegistry, skipped streams from results" {
    run --separate-stderr "$MK_BIN/stream-mirror" --registry "$RH_ADDR" --to "$MIRROR_ADDR" --config \
        --mirror-ca "$MIRROR_DIR/ca.crt" --results "$BATS_FILE_TMPDIR/results.jsonl" "$IS_JSON"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    key="${MIRROR_ADDR%:*}..${MIRROR_ADDR##*:}"
    jq -e --arg k "$key" --rawfile ca "$MIRROR_DIR/ca.crt" '
        .kind == "List" and
        (.items[0] | .kind == "ConfigMap" and .metadata == {"name": "registry-config", "namespace": "openshift-config"}
                     and .data[$k] == $ca) and
        (.items[1] | .kind == "Image" and .apiVersion == "config.openshift.io/v1" and .metadata.name == "cluster"
                     and .spec.additionalTrustedCA.name == "registry-config")' <<<"$output" >/dev/null
    jq -e --arg m "$MIRROR_ADDR" '.items[2] | .apiVersion == "samples.operator.openshift.io/v1" and .kind == "Config"
        and .spec.samplesRegistry == $m
        and .spec.skippedImagestreams == ["dotnet", "mysql", "perl", "python"]' <<<"$output" >/dev/null || {
        jq '.items[2]' <<<"$output"
        return 1
    }
    [ "$(jq '.items | length' <<<"$output")" -eq 3 ]
    [[ $stderr == *"skipping stream mysql"* ]]
}

@test "--import-must-gather: the ImageStreamImport that oc import-image is/must-gather sends" {
    run --separate-stderr "$MK_BIN/stream-mirror" --to "$MIRROR_ADDR" --import-must-gather "$IS_JSON"
    [ "$status" -eq 0 ]
    jq -e '.kind == "ImageStreamImport" and .apiVersion == "image.openshift.io/v1" and .metadata.name == "must-gather"
        and .metadata.namespace == "openshift" and .spec.import == true and .spec.images[0].to.name == "latest"
        and (.spec.images[0].from.name | startswith("quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:"))' \
        <<<"$output" >/dev/null
    run --separate-stderr bash -c "jq '.items[0]' '$IS_JSON' | '$MK_BIN/stream-mirror' --to m.io --import-must-gather"
    [ "$status" -eq 1 ]
    [[ $stderr == *must-gather* ]]
}

@test "--streams with --config still skips every stream it did not mirror" {
    run --separate-stderr "$MK_BIN/stream-mirror" --registry "$RH_ADDR" --to "$MIRROR_ADDR" --streams ruby --config "$IS_JSON"
    [ "$status" -eq 0 ]
    jq -e '.items[0].spec.skippedImagestreams | index("nodejs") and index("httpd") and (index("ruby") | not)' <<<"$output" >/dev/null
}

@test "--streams limits the selection; a stream not in the input is warned about" {
    run --separate-stderr "$MK_BIN/stream-mirror" --registry "$RH_ADDR" --to "$MIRROR_ADDR" --streams ruby,nosuch "$IS_JSON"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.kind == "image") | .name' <<<"$output" | sort | tr '\n' ' ')" = "ruby:2.5 ruby:2.6 " ]
    [[ $stderr == *"stream nosuch is not in the input"* ]]
}

@test "one ImageStream on stdin; a port-less mirror gets a plain host key" {
    run --separate-stderr bash -c "jq '.items[0]' '$IS_JSON' | '$MK_BIN/stream-mirror' --registry '$RH_ADDR' --to mirror.example.com --config --mirror-ca '$MIRROR_DIR/ca.crt'"
    [ "$status" -eq 0 ]
    jq -e '.items[0].data | has("mirror.example.com")' <<<"$output" >/dev/null
}

@test "bad input: not JSON exits 1 with one line; no --to exits 2; a CA file that is not PEM exits 2" {
    run --separate-stderr "$MK_BIN/stream-mirror" --to m.io:5000 <<<"not json"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ $stderr == stream-mirror:*json* ]]
    run --separate-stderr "$MK_BIN/stream-mirror" "$IS_JSON"
    [ "$status" -eq 2 ]
    [[ $stderr == *"--to"* ]]
    run --separate-stderr "$MK_BIN/stream-mirror" --to m.io:5000 --config --mirror-ca "$IS_JSON" "$IS_JSON"
    [ "$status" -eq 2 ]
    [[ $stderr == *"PEM"* ]]
    cat "$MIRROR_DIR/ca.crt" "$MIRROR_DIR/ca.key" >"$BATS_TEST_TMPDIR/with-key.pem"
    run --separate-stderr "$MK_BIN/stream-mirror" --to m.io:5000 --config --mirror-ca "$BATS_TEST_TMPDIR/with-key.pem" "$IS_JSON"
    [ "$status" -eq 2 ]
    [[ $stderr == *"private key"* ]]
    ! grep -q "PRIVATE" <<<"$output$stderr" || false
}
