#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# The front command `mirrorkit` (tools/mirrorkit, lib/plugin/front.h): built-in
# tools run through it unchanged (help, exit status, stdin/stdout), plugin
# lookup (MIRRORKIT_PLUGIN_PATH, the installed libexec/mirrorkit, PATH) and
# shadowing, 126/127, `mirrorkit help` / `plugins`, completion; then the
# shipped plugin mirrorkit-mirror-release end to end on test registries:
# registry -> registry, --dry-run, --to-dir then --from-dir, its mirror
# configuration parsed with python3's yaml, every image checked by digest
# with skopeo.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
    MK_BIN=$(cd "$MK_BIN" && pwd -P)
    export ROOT MK_BIN
    mirror_isolate_credentials
    mirror_setup_source || return 1
    TAG=4.3.0-x86_64
    MEDIA="$BATS_FILE_TMPDIR/media"
    case $MEDIA in *:*) echo "BATS_FILE_TMPDIR contains ':': $MEDIA" >&2; return 1 ;; esac
    export TAG MEDIA
}

teardown_file() {
    mirror_teardown
}

setup() {
    # Only the plugins a test makes, and the shipped ones where asked.
    unset MIRRORKIT_PLUGIN_PATH MIRRORKIT_EXEC_PATH
    PLAIN_PATH=/usr/local/bin:/usr/bin:/bin
}

front() {
    "$MK_BIN/mirrorkit" "$@"
}

# make_plugin DIR NAME [BODY]: an executable DIR/mirrorkit-NAME that prints
# "NAME from DIR" (or runs BODY).
make_plugin() {
    local dir=$1 name=$2 body=${3:-}
    mkdir -p "$dir"
    {
        echo '#!/bin/bash'
        if [ -n "$body" ]; then
            printf '%s\n' "$body"
        else
            printf 'echo "%s from %s"\n' "$name" "$dir"
        fi
    } >"$dir/mirrorkit-$name"
    chmod 755 "$dir/mirrorkit-$name"
}

# The names of tools/, but the front command itself.
tool_names() {
    local d
    for d in "$ROOT"/tools/*/; do
        d=${d%/}
        d=${d##*/}
        [ "$d" = mirrorkit ] || echo "$d"
    done
}

# --- built-in tools -----------------------------------------------------------

@test "mirrorkit TOOL --help is TOOL --help, byte for byte, for every tool" {
    local t n=0
    for t in $(tool_names); do
        cmp <(front "$t" --help) <("$MK_BIN/$t" --help) || { echo "$t differs"; return 1; }
        n=$((n + 1))
    done
    [ "$n" -ge 10 ]
    # and `mirrorkit help TOOL` runs the same
    cmp <(front help blob-copy) <("$MK_BIN/blob-copy" --help)
}

@test "the tools compiled into mirrorkit are exactly tools/ (lib/plugin/front.cc's list)" {
    run -0 front help
    diff <(sed -n '/^Built-in tools:$/,/^$/p' <<<"$output" | sed '1d;$d' | awk '{print $1}') <(tool_names | sort) || {
        echo "> : a tool of tools/ that mirrorkit does not offer: missing from BuiltIns() in lib/plugin/front.cc, or not in MK_BIN"
        return 1
    }
    # every one with its summary
    [ "$(sed -n '/^Built-in tools:$/,/^$/p' <<<"$output" | awk 'NF < 3' | wc -l)" -eq 2 ]
    run -0 front --list-commands
    diff <(head -n "$(tool_names | wc -l)" <<<"$output") <(tool_names | sort)
}

@test "exit statuses pass through: a tool's usage error is 2, a failed item 1" {
    run --separate-stderr front blob-copy --no-such-option
    [ "$status" -eq 2 ]
    [[ $stderr == *"Try 'blob-copy --help'"* ]]
    run --separate-stderr front ics-gen <<<'{"kind":"image","source":"a.example/x@sha256:bad","dest":""}'
    [ "$status" -eq 1 ]
    run --separate-stderr front release-list --insecure "$SRC_ADDR" "$SRC_ADDR/no/such:tag"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
}

@test "standard input and output pass through: a record stream through mirrorkit release-list | mirrorkit ics-gen" {
    local d=$BATS_TEST_TMPDIR
    front release-list --insecure "$SRC_ADDR" --to 127.0.0.1:1/ocp4/openshift4 "$RELEASE" >"$d/plan.json"
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to 127.0.0.1:1/ocp4/openshift4 "$RELEASE" | cmp - "$d/plan.json"
    [ "$(wc -l <"$d/plan.json")" -eq $((NCOMP + 1)) ]
    front ics-gen <"$d/plan.json" >"$d/ics.yaml"
    expected_ics 127.0.0.1:1/ocp4/openshift4 | diff - "$d/ics.yaml"
    # and in a pipe, as the tool would
    run -0 bash -c 'set -o pipefail; "$1/mirrorkit" ics-gen --format icsp <"$2" | head -n 2' _ "$MK_BIN" "$d/plan.json"
    [ "${lines[1]}" = "kind: ImageContentSourcePolicy" ]
}

@test "mirrorkit's own options come before the command; after it they are the command's" {
    run -0 front --version
    [ "$output" = "mirrorkit (mirrorkit) $("$MK_BIN/blob-copy" --version | awk '{print $3}')" ]
    run -0 front ics-gen --version
    [[ $output == "ics-gen (mirrorkit) "* ]]
    run -0 front --exec-path
    [ "$output" = "$MK_BIN" ]
    run --separate-stderr front
    [ "$status" -eq 2 ]
    [[ $stderr == *"Usage: mirrorkit"* ]]
    [ -z "$output" ]
    run --separate-stderr front --exec ics-gen
    [ "$status" -eq 2 ]
    [[ $stderr == *"unrecognised option '--exec'"* ]]
}

# --- plugins ------------------------------------------------------------------

@test "a command that is nothing is 127, with the message; a plugin that is not executable is 126" {
    local d=$BATS_TEST_TMPDIR
    export MIRRORKIT_PLUGIN_PATH=$d/p
    PATH=$PLAIN_PATH run -127 --separate-stderr front frobnicate --x
    [ "$stderr" = "mirrorkit: 'frobnicate' is not a mirrorkit command; see 'mirrorkit help'" ]
    [ -z "$output" ]
    PATH=$PLAIN_PATH run -127 --separate-stderr front ../../bin/sh
    make_plugin "$d/p" noexec
    chmod 644 "$d/p/mirrorkit-noexec"
    PATH=$PLAIN_PATH run --separate-stderr front noexec
    [ "$status" -eq 126 ]
    [[ $stderr == *"$d/p/mirrorkit-noexec is not executable"* ]]
    # a file that exec refuses
    printf 'not a program\n' >"$d/p/mirrorkit-garbage"
    chmod 755 "$d/p/mirrorkit-garbage"
    PATH=$PLAIN_PATH run --separate-stderr front garbage
    [ "$status" -eq 126 ]
    [[ $stderr == *"cannot run $d/p/mirrorkit-garbage"* ]]
}

@test "lookup order: MIRRORKIT_PLUGIN_PATH (in order), then PREFIX/libexec/mirrorkit, then PATH" {
    local d=$BATS_TEST_TMPDIR
    # An installed mirrorkit of its own: PREFIX/bin/mirrorkit finds PREFIX/libexec/mirrorkit.
    mkdir -p "$d/prefix/bin"
    cp "$MK_BIN/mirrorkit" "$d/prefix/bin/"
    local mk=$d/prefix/bin/mirrorkit
    make_plugin "$d/a" who
    make_plugin "$d/b" who
    make_plugin "$d/prefix/libexec/mirrorkit" who
    make_plugin "$d/path" who
    make_plugin "$d/path" onlypath
    run -0 env MIRRORKIT_PLUGIN_PATH="$d/none::$d/b:$d/a" PATH="$d/path" "$mk" who
    [ "$output" = "who from $d/b" ]
    run -0 env MIRRORKIT_PLUGIN_PATH="$d/none" PATH="$d/path" "$mk" who
    [ "$output" = "who from $d/prefix/libexec/mirrorkit" ]
    rm "$d/prefix/libexec/mirrorkit/mirrorkit-who"
    run -0 env PATH="$d/path" "$mk" who
    [ "$output" = "who from $d/path" ]
    run -0 env MIRRORKIT_PLUGIN_PATH="$d/a" PATH="$d/path" "$mk" onlypath
    [ "$output" = "onlypath from $d/path" ]
}

@test "mirrorkit plugins: each plugin, its path, its origin, what it shadows; help lists them" {
    local d=$BATS_TEST_TMPDIR
    mkdir -p "$d/prefix/bin"
    cp "$MK_BIN/mirrorkit" "$d/prefix/bin/"
    make_plugin "$d/a" hello
    make_plugin "$d/path" hello
    make_plugin "$d/prefix/libexec/mirrorkit" hello
    make_plugin "$d/prefix/libexec/mirrorkit" inst
    make_plugin "$d/path" storage-fake
    make_plugin "$d/path" blob-copy
    run -0 env MIRRORKIT_PLUGIN_PATH="$d/a" PATH="$d/path" "$d/prefix/bin/mirrorkit" plugins
    # (PREFIX/bin/../libexec/mirrorkit, as the lookup spells it)
    local inst="$d/prefix/bin/../libexec/mirrorkit"
    diff <(printf '%s\n' "$output") - <<EOF
blob-copy $d/path/mirrorkit-blob-copy (PATH)
    never run: 'mirrorkit blob-copy' is built in, and built-in commands come first
hello $d/a/mirrorkit-hello (MIRRORKIT_PLUGIN_PATH)
    shadows $inst/mirrorkit-hello
    shadows $d/path/mirrorkit-hello
inst $inst/mirrorkit-inst (installed)
storage-fake $d/path/mirrorkit-storage-fake (PATH)
EOF
    run -0 env MIRRORKIT_PLUGIN_PATH="$d/a" PATH="$d/path" "$d/prefix/bin/mirrorkit" help
    grep -qx "   hello  *$d/a/mirrorkit-hello" <<<"$output"
    grep -qx "   inst  *$inst/mirrorkit-inst" <<<"$output"
    sed -n '/^Storage plugins/,$p' <<<"$output" | grep -q "storage-fake"
    ! sed -n '/^Plugins/,/^$/p' <<<"$output" | grep -q -e blob-copy -e storage-fake
    run -0 env MIRRORKIT_PLUGIN_PATH="$d/a" PATH="$d/path" "$d/prefix/bin/mirrorkit" --list-commands
    [ "$(grep -cx hello <<<"$output")" -eq 1 ]
    [ "$(grep -cx blob-copy <<<"$output")" -eq 0 ] # not installed beside this copy
    ! grep -q storage-fake <<<"$output"
}

@test "built-in tools are never shadowed by plugins" {
    local d=$BATS_TEST_TMPDIR
    make_plugin "$d/p" blob-copy 'echo fake; exit 9'
    make_plugin "$d/p" help 'echo fake; exit 9'
    export MIRRORKIT_PLUGIN_PATH=$d/p
    run -0 env PATH="$d/p:$PLAIN_PATH" "$MK_BIN/mirrorkit" blob-copy --version
    [[ $output == "blob-copy (mirrorkit) "* ]]
    run -0 front help
    [[ $output != *fake* ]]
    [[ $output == *"Built-in tools:"* ]]
}

@test "a plugin gets its arguments, standard input and output, and its exit status passes through" {
    local d=$BATS_TEST_TMPDIR
    make_plugin "$d/p" echo 'printf "arg:%s\n" "$@"; echo "argv0:${0##*/}"; echo "exec:$MIRRORKIT_EXEC_PATH"
echo "path:${PATH%%:*}"; cat; exit "${EXIT:-0}"'
    export MIRRORKIT_PLUGIN_PATH=$d/p
    run --separate-stderr env EXIT=7 "$MK_BIN/mirrorkit" echo --to 'a b' '' -x <<<'{"kind":"x"}'
    [ "$status" -eq 7 ]
    diff - <(printf '%s\n' "$output") <<EOF
arg:--to
arg:a b
arg:
arg:-x
argv0:mirrorkit-echo
exec:$MK_BIN
path:$MK_BIN
{"kind":"x"}
EOF
    # `mirrorkit help NAME` runs the plugin's --help
    run -0 front help echo
    [ "${lines[0]}" = "arg:--help" ]
}

@test "a plugin does not inherit the front command's ignored SIGPIPE" {
    local d=$BATS_TEST_TMPDIR
    make_plugin "$d/p" sigign 'awk "/^SigIgn:/ {print \$2}" /proc/$$/status'
    export MIRRORKIT_PLUGIN_PATH=$d/p
    run -0 front sigign
    # SIGPIPE is signal 13: bit 12 of the mask
    (((16#$output & 16#1000) == 0)) || { echo "SigIgn $output"; return 1; }
}

@test "bash completion: mirrorkit <TAB> offers tools and plugins; mirrorkit TOOL <TAB> completes as TOOL" {
    local d=$BATS_TEST_TMPDIR
    make_plugin "$d/p" zzplug
    export MIRRORKIT_PLUGIN_PATH=$d/p
    complete_words() {
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mirrorkit "$1"; printf "%s\n" "${COMPREPLY[@]}"' \
            _ "$ROOT/completions/mirrorkit.bash" "$@"
    }
    run -0 complete_words "$MK_BIN/mirrorkit" ''
    grep -qx blob-copy <<<"$output"
    grep -qx zzplug <<<"$output"
    grep -qx help <<<"$output"
    run -0 complete_words "$MK_BIN/mirrorkit" rel
    diff <(printf '%s\n' "$output" | sort) <(tool_names | grep '^rel' | sort)
    run -0 complete_words "$MK_BIN/mirrorkit" blob-copy --ch
    [ "$output" = --chunk-size ]
    run -0 complete_words "$MK_BIN/mirrorkit" --version ics-gen --format icsp
    [ "$output" = icsp ]
    run -0 complete_words "$MK_BIN/mirrorkit" help zzp
    [ "$output" = zzplug ]
    run -0 complete_words "$MK_BIN/mirrorkit" mirror-release --dry
    [ "$output" = --dry-run ]
}

# --- mirrorkit mirror-release -------------------------------------------------

# mirror_release ARGS...: the shipped plugin, through the front command
# (bounded in time).
mirror_release() {
    timeout 300 env MIRRORKIT_PLUGIN_PATH="$ROOT/plugins" "$MK_BIN/mirrorkit" mirror-release "$@"
}

# section_yaml FILE START_LINE: the YAML after the line START_LINE in oc's
# closing text, up to the next such sentence (or the end), as JSON.
section_yaml() {
    python3 - "$1" "$2" <<'EOF'
import json, sys, yaml
text = open(sys.argv[1]).read().split("\n")
start = text.index(sys.argv[2]) + 1
end = next((i for i in range(start, len(text)) if text[i].startswith("To use the new")), len(text))
print(json.dumps(yaml.safe_load("\n".join(text[start:end]))))
EOF
}

readonly INSTALL_LINE="To use the new mirrored repository to install, add the following section to the install-config.yaml:"
readonly ICSP_LINE="To use the new mirrored repository for upgrades, use the following to create an ImageContentSourcePolicy:"

# check_mirror_config OUT MIRROR: OUT has oc's closing text, whose
# imageContentSources and ImageContentSourcePolicy map both source
# repositories of the fixture to MIRROR.
check_mirror_config() {
    local out=$1 mirror=$2 want
    want=$(jq -cn --arg m "$mirror" --arg s "$SRC_ADDR/openshift-release-dev" \
        '[{mirrors: [$m], source: ($s + "/ocp-release")}, {mirrors: [$m], source: ($s + "/ocp-v4.0-art-dev")}]')
    [ "$(section_yaml "$out" "$INSTALL_LINE" | jq -c .imageContentSources)" = "$want" ]
    section_yaml "$out" "$ICSP_LINE" >"$BATS_TEST_TMPDIR/icsp.json"
    jq -e '.apiVersion == "operator.openshift.io/v1alpha1" and .kind == "ImageContentSourcePolicy"
        and .metadata.name == "example"' "$BATS_TEST_TMPDIR/icsp.json" >/dev/null
    [ "$(jq -c .spec.repositoryDigestMirrors "$BATS_TEST_TMPDIR/icsp.json")" = "$want" ]
}

# check_by_digest DIR RECORDS: every dest of RECORDS is in the registry of DIR
# by its digest (skopeo); prints how many.
check_by_digest() {
    local dest digest got n=0
    while read -r dest digest; do
        got=$(raw_digest "$1" "${dest%:*}@$digest") || { echo "$dest@$digest: not found"; return 1; }
        [ "$got" = "$digest" ] || { echo "$dest: $got != $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$2")
    [ "$n" -eq $((NCOMP + 1)) ] || { echo "checked $n images, want $((NCOMP + 1))"; return 1; }
}

@test "mirror-release: registry to registry, oc's closing text, every image by digest; a second run copies nothing" {
    local d=$BATS_TEST_TMPDIR dst_addr repo
    dst_addr=$(mirror_registry dst) || return 1
    repo=$dst_addr/ocp4/openshift4
    run --separate-stderr mirror_release \
        --insecure "$SRC_ADDR" --insecure="$dst_addr" --from "$RELEASE" --to "$repo" --records "$d/records.json" -j 4
    [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
    printf '%s\n' "$output" >"$d/out"
    [[ $stderr == *"$((NCOMP + 1)) copied of $((NCOMP + 1)) images"* ]] || { echo "$stderr"; return 1; }
    # the head of oc's text, then the two blocks, parsed as YAML
    diff <(sed -n 1,4p "$d/out") - <<EOF

Success
Update image:  $repo:$TAG
Mirror prefix: $repo
EOF
    check_mirror_config "$d/out" "$repo"
    # the records: one per image, each copied, and each in the mirror by digest
    json_lines_ok "$d/records.json"
    jq -e -s --arg n "$((NCOMP + 1))" 'length == ($n | tonumber) and all(.[]; .status == "copied")' "$d/records.json"
    check_by_digest "$BATS_FILE_TMPDIR/dst" "$d/records.json"
    # again: everything present, the same text
    run --separate-stderr mirror_release --insecure "$SRC_ADDR" --insecure "$dst_addr" \
        --from "$RELEASE" --to "$repo" --records "$d/again.json"
    [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
    jq -e -s 'all(.[]; .status == "present") and (map(.blobs_copied // 0) | add) == 0' "$d/again.json"
    diff <(printf '%s\n' "$output") "$d/out"
}

@test "mirror-release --dry-run: the plan and the mirror configuration, nothing copied" {
    local d=$BATS_TEST_TMPDIR dry_addr repo
    dry_addr=$(mirror_registry dry) || return 1
    repo=$dry_addr/ocp4/openshift4
    run --separate-stderr mirror_release --dry-run --insecure "$SRC_ADDR" --insecure "$dry_addr" \
        --from "$RELEASE" --to "$repo" --to-release-image "$dry_addr/ocp4/release:$TAG" --records "$d/plan.json"
    [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
    printf '%s\n' "$output" >"$d/out"
    # the plan on stderr: every image and where it would go
    [[ $stderr == *"$((NCOMP + 1)) images would be copied"* ]]
    [ "$(grep -c -- '    -> ' <<<"$stderr")" -eq $((NCOMP + 1)) ]
    grep -qF -- "    -> $dry_addr/ocp4/release:$TAG" <<<"$stderr"
    grep -qx "Mirror prefix: $dry_addr/ocp4/release:$TAG" "$d/out"
    ! grep -q '^Success' "$d/out"
    # the plan as records, with the destinations
    jq -e -s --arg n "$((NCOMP + 1))" 'length == ($n | tonumber) and all(.[]; .dest != null and .status == null)' "$d/plan.json"
    # the mirror configuration as for a real run (both repos of the plan)
    [ "$(section_yaml "$d/out" "$INSTALL_LINE" | jq -r '.imageContentSources[].mirrors[]' | sort -u | tr '\n' ' ')" = \
        "$dry_addr/ocp4/openshift4 $dry_addr/ocp4/release " ]
    # nothing in the registry: its catalog is empty, and no blob was stored
    run -0 curl -sf --noproxy '*' "http://$dry_addr/v2/_catalog"
    [ "$(jq -c .repositories <<<"$output")" = "[]" ]
    [ -z "$(find "$BATS_FILE_TMPDIR/dry/data" -type f 2>/dev/null)" ]
}

@test "mirror-release --to-dir, then --from-dir: the media round trip, the original sources in the configuration" {
    local d=$BATS_TEST_TMPDIR dst_addr repo
    run --separate-stderr mirror_release --insecure "$SRC_ADDR" --from "$RELEASE" --to-dir "$MEDIA"
    [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
    [[ $output == *"Update image:  dir:$MEDIA:$RELEASE"* ]]
    # the command it prints for the other side
    grep -qF -- "mirrorkit mirror-release --from-dir=$MEDIA --from=$RELEASE --to=REGISTRY/REPOSITORY" <<<"$output"
    run -0 --separate-stderr "$MK_BIN/oci-dir" verify "$MEDIA"
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "ok")] | length' <<<"$output")" -eq $((NCOMP + 1)) ]

    dst_addr=$(mirror_registry media-dst) || return 1
    repo=$dst_addr/ocp4/openshift4
    # the restricted side knows only the media and its mirror
    run --separate-stderr mirror_release \
        --insecure "$dst_addr" --from-dir "$MEDIA" --from "$TAG" --to "$repo" --records "$d/records.json"
    [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
    printf '%s\n' "$output" >"$d/out"
    grep -qx "Update image:  $repo:$TAG" "$d/out"
    check_mirror_config "$d/out" "$repo"
    ! grep -q -e 'dir:' -e "$MEDIA" "$d/out"
    jq -e -s 'all(.[]; .status == "copied")' "$d/records.json"
    check_by_digest "$BATS_FILE_TMPDIR/media-dst" "$d/records.json"
}

@test "mirror-release: exit statuses pass through, nothing printed on failure, usage errors" {
    local d=$BATS_TEST_TMPDIR
    run --separate-stderr mirror_release --insecure "$SRC_ADDR" \
        --from "$SRC_ADDR/openshift-release-dev/ocp-release:no-such-tag" --to 127.0.0.1:1/x/y --records "$d/r.json"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ $stderr == *"release-list failed (exit 1): nothing copied"* ]]
    [ ! -e "$d/r.json" ]
    # a mirror that is not there: the copy fails (transient), the records are kept
    run --separate-stderr mirror_release --insecure "$SRC_ADDR" --insecure "127.0.0.1:$(mk_free_port)" \
        --from "$RELEASE" --to "127.0.0.1:$(mk_free_port)/x/y" --records "$d/r.json"
    [ "$status" -ne 0 ] && [ "$status" -ne 2 ]
    [ -z "$output" ]
    jq -e -s 'length > 0 and all(.[]; .status == "failed")' "$d/r.json"
    for args in "--to x/y" "--from a --to x/y --to-dir $d/m" "--from a --to-dir $d/m --from-dir $d" \
        "--from a --to-dir x:y" "--from a" "--from a --to x/y --jobs 0" "--from a --to x/y --fro b" "--from a b --to x/y"; do
        # shellcheck disable=SC2086  # meant to be split
        run --separate-stderr mirror_release $args
        [ "$status" -eq 2 ] || { echo "$args: exit $status"; return 1; }
        [[ $stderr == *"Try 'mirrorkit mirror-release --help'"* ]] || { echo "$args: $stderr"; return 1; }
    done
    run -0 mirror_release --help
    [[ $output == *"See mirrorkit-mirror-release(1) and mirrorkit-records(7)."* ]]
}
