#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr come from bats `run`
#
# ics-gen --format and --name: every output format, from hand-made mapping
# records, parsed back by an independent reader (PyYAML for the YAML, Python's
# tomllib for registries.conf) and checked for the structure its consumer
# expects; the output does not depend on the order of the records; bad
# --format and --name values are usage errors.
#
# Needs jq and Debian's python3 with python3-yaml (Python 3.11 for tomllib);
# no registry, no network.

bats_require_minimum_version 1.5.0

setup() {
    MK_BIN=${MK_BIN:-$BATS_TEST_DIRNAME/../bin}
    PY=/usr/bin/python3
    D=sha256:$(printf '%064d' 0 | tr 0 a)
    REL=quay.io/openshift-release-dev/ocp-release
    ART=quay.io/openshift-release-dev/ocp-v4.0-art-dev
    RUBY=registry.redhat.io/rhscl/ruby-26-rhel7
    MIRROR=mirror.example.com:5000/ocp4/openshift4
    RECORDS=$BATS_TEST_TMPDIR/records.json
    # A release by digest (two components in one repository, the release
    # image also in a second mirror, a duplicate), a samples image by tag to
    # the same tag, and records ics-gen ignores.
    jq -nc --arg d "$D" --arg rel "$REL" --arg art "$ART" --arg ruby "$RUBY" --arg m "$MIRROR" '
        {kind: "release", release: "4.3.0", source: ($rel + ":4.3.0-x86_64")},
        {kind: "image", name: "cli", source: ($art + "@" + $d), dest: ($m + ":4.3.0-x86_64-cli")},
        {kind: "image", name: "etcd", source: ($art + "@" + $d), dest: ($m + ":4.3.0-x86_64-etcd")},
        {kind: "image", name: "release", source: ($rel + "@" + $d), dest: ($m + ":4.3.0-x86_64")},
        {kind: "image", name: "release", source: ($rel + "@" + $d), dest: "backup.example.com/ocp4/openshift4:4.3.0-x86_64"},
        {kind: "image", name: "cli", source: ($art + "@" + $d), dest: ($m + ":4.3.0-x86_64-cli")},
        {kind: "image", name: "ruby:2.6", source: ($ruby + ":2.6"), dest: "mirror.example.com:5000/rhscl/ruby-26-rhel7:2.6"},
        {kind: "note", text: "no mapping here"}' >"$RECORDS"
}

# YAML (PyYAML, as strict as Kubernetes' YAML 1.1 reader) or TOML on stdin → JSON.
yaml2json() {
    "$PY" -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'
}
toml2json() {
    "$PY" -c 'import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))'
}

# The {mirrors, source} list every YAML format holds, as JSON.
want_list() {
    jq -nc --arg rel "$REL" --arg art "$ART" --arg ruby "$RUBY" --arg m "$MIRROR" '[
        {mirrors: ["backup.example.com/ocp4/openshift4", $m], source: $rel},
        {mirrors: [$m], source: $art},
        {mirrors: ["mirror.example.com:5000/rhscl/ruby-26-rhel7"], source: $ruby}]'
}

@test "python3 with yaml and tomllib is available" {
    "$PY" -c 'import yaml, tomllib'
}

@test "install-config (default): exactly the imageContentSources block" {
    run --separate-stderr "$MK_BIN/ics-gen" "$RECORDS"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    [ -z "$stderr" ]
    want="imageContentSources:
- mirrors:
  - backup.example.com/ocp4/openshift4
  - $MIRROR
  source: $REL
- mirrors:
  - $MIRROR
  source: $ART
- mirrors:
  - mirror.example.com:5000/rhscl/ruby-26-rhel7
  source: $RUBY"
    [ "$output" = "$want" ] || { diff <(echo "$want") <(echo "$output"); return 1; }
    run -0 "$MK_BIN/ics-gen" --format install-config <"$RECORDS"
    [ "$output" = "$want" ]
    got=$(yaml2json <<<"$output")
    [ "$(jq -c 'keys' <<<"$got")" = '["imageContentSources"]' ]
    [ "$(jq -c .imageContentSources <<<"$got")" = "$(want_list)" ]
}

@test "install-config-idms: the same list under imageDigestSources" {
    run -0 "$MK_BIN/ics-gen" --format install-config-idms "$RECORDS"
    [[ ${lines[0]} == imageDigestSources: ]]
    got=$(yaml2json <<<"$output")
    [ "$(jq -c 'keys' <<<"$got")" = '["imageDigestSources"]' ]
    [ "$(jq -c .imageDigestSources <<<"$got")" = "$(want_list)" ]
}

@test "icsp: an operator.openshift.io/v1alpha1 ImageContentSourcePolicy" {
    run -0 "$MK_BIN/ics-gen" --format icsp --name release-4.3 "$RECORDS"
    got=$(yaml2json <<<"$output")
    [ "$(jq -r .apiVersion <<<"$got")" = operator.openshift.io/v1alpha1 ]
    [ "$(jq -r .kind <<<"$got")" = ImageContentSourcePolicy ]
    [ "$(jq -c .metadata <<<"$got")" = '{"name":"release-4.3"}' ]
    [ "$(jq -c '.spec | keys' <<<"$got")" = '["repositoryDigestMirrors"]' ]
    [ "$(jq -c .spec.repositoryDigestMirrors <<<"$got")" = "$(want_list)" ]
}

@test "idms: a config.openshift.io/v1 ImageDigestMirrorSet, default name mirrorkit" {
    run -0 "$MK_BIN/ics-gen" --format idms "$RECORDS"
    got=$(yaml2json <<<"$output")
    [ "$(jq -r .apiVersion <<<"$got")" = config.openshift.io/v1 ]
    [ "$(jq -r .kind <<<"$got")" = ImageDigestMirrorSet ]
    [ "$(jq -c .metadata <<<"$got")" = '{"name":"mirrorkit"}' ]
    [ "$(jq -c '.spec | keys' <<<"$got")" = '["imageDigestMirrors"]' ]
    [ "$(jq -c .spec.imageDigestMirrors <<<"$got")" = "$(want_list)" ]
}

@test "itms: a config.openshift.io/v1 ImageTagMirrorSet of the mappings by tag only" {
    run -0 "$MK_BIN/ics-gen" --format itms --name samples "$RECORDS"
    got=$(yaml2json <<<"$output")
    [ "$(jq -r .apiVersion <<<"$got")" = config.openshift.io/v1 ]
    [ "$(jq -r .kind <<<"$got")" = ImageTagMirrorSet ]
    [ "$(jq -c .metadata <<<"$got")" = '{"name":"samples"}' ]
    [ "$(jq -c '.spec | keys' <<<"$got")" = '["imageTagMirrors"]' ]
    [ "$(jq -c .spec.imageTagMirrors <<<"$got")" = "$(want_list | jq -c '[.[] | select(.source | test("rhscl"))]')" ]
}

@test "itms: no mapping by tag exits 1 and prints nothing" {
    run --separate-stderr "$MK_BIN/ics-gen" --format itms < <(grep -v rhscl "$RECORDS")
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ $stderr == "ics-gen: "*"by tag"* ]] || { echo "$stderr"; return 1; }
}

@test "registries-conf: containers-registries.conf v2 that tomllib loads" {
    run -0 "$MK_BIN/ics-gen" --format registries-conf "$RECORDS"
    got=$(toml2json <<<"$output" | jq -c .)
    want=$(jq -nc --arg rel "$REL" --arg art "$ART" --arg ruby "$RUBY" --arg m "$MIRROR" '{registry: [
        {prefix: $rel, location: $rel, "mirror-by-digest-only": true,
         mirror: [{location: "backup.example.com/ocp4/openshift4"}, {location: $m}]},
        {prefix: $art, location: $art, "mirror-by-digest-only": true, mirror: [{location: $m}]},
        {prefix: $ruby, location: $ruby, "mirror-by-digest-only": false,
         mirror: [{location: "mirror.example.com:5000/rhscl/ruby-26-rhel7"}]}]}')
    [ "$got" = "$want" ] || { echo "got:  $got"; echo "want: $want"; return 1; }
    # No v1 tables ([registries.search] and the like) next to the v2 ones.
    [ "$(jq -c 'keys' <<<"$got")" = '["registry"]' ]
}

@test "every format: the same output whatever the order of the records" {
    local f
    for f in install-config install-config-idms icsp idms itms registries-conf; do
        run -0 "$MK_BIN/ics-gen" --format "$f" "$RECORDS"
        want=$output
        for seed in 1 2 3; do
            run -0 "$MK_BIN/ics-gen" --format "$f" \
                < <(shuf --random-source=<(yes "$seed") "$RECORDS")
            [ "$output" = "$want" ] || { echo "--format $f differs for order $seed"; return 1; }
        done
        run -0 "$MK_BIN/ics-gen" --format "$f" < <(tac "$RECORDS")
        [ "$output" = "$want" ]
    done
}

@test "--name: names plain YAML would misread come back as strings" {
    local name
    for name in true on no 1234 1e3 0x1f 2001-12-14; do
        run -0 "$MK_BIN/ics-gen" --format idms --name "$name" "$RECORDS"
        [ "$(yaml2json <<<"$output" | jq -c .metadata.name)" = "\"$name\"" ] || { echo "$output"; return 1; }
    done
}

@test "--format: an unknown format exits 2 naming the formats" {
    local f
    for f in yaml ICSP '' install; do
        run --separate-stderr "$MK_BIN/ics-gen" --format "$f" "$RECORDS"
        [ "$status" -eq 2 ] || { echo "--format '$f': exit $status"; return 1; }
        [ -z "$output" ]
        [[ $stderr == *registries-conf* ]]
        [[ $stderr == *"Try 'ics-gen --help'"* ]]
    done
}

@test "--name: an invalid object name exits 2, whatever the format" {
    local n f
    for n in Mirrorkit -a a- a..b a_b 'a b' '' "$(printf 'a%.0s' {1..254})"; do
        for f in idms install-config; do
            run --separate-stderr "$MK_BIN/ics-gen" --format "$f" --name "$n" "$RECORDS"
            [ "$status" -eq 2 ] || { echo "--name '$n' --format $f: exit $status"; return 1; }
            [ -z "$output" ]
            [[ $stderr == "ics-gen: --name: "* ]] || { echo "$stderr"; return 1; }
        done
    done
    # the longest name allowed
    run -0 "$MK_BIN/ics-gen" --format icsp --name "$(printf 'a%.0s' {1..253})" "$RECORDS"
}

@test "every format: a record that failed is left out and makes the exit status 1" {
    local f failed
    failed=$(jq -nc --arg d "$D" '{kind: "image", source: ("quay.io/failed/repo@" + $d),
        dest: "mirror.example.com:5000/failed/repo:x", error: "HTTP 500"}')
    for f in install-config install-config-idms icsp idms itms registries-conf; do
        run -0 "$MK_BIN/ics-gen" --format "$f" "$RECORDS"
        want=$output
        run --separate-stderr "$MK_BIN/ics-gen" --format "$f" "$RECORDS" - <<<"$failed"
        [ "$status" -eq 1 ]
        [ "$output" = "$want" ] || { echo "--format $f: output differs"; return 1; }
        [[ $stderr == *quay.io/failed/repo* ]]
    done
}
