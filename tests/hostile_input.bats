#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Hostile input (issue 11): malformed JSON lines to every tool that reads
# records, hostile OCI layout directories and auth files, and the file
# faults a real disk gives (ulimit -f, EIO through strace's fault
# injection). Each is a one-line error naming the line or the culprit,
# the rest of the input is still processed, nothing crashes, nothing
# partial is left visible, and no secret is ever echoed.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source || return 1
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to-dir "$BATS_FILE_TMPDIR/planned" "$RELEASE" \
        >"$BATS_FILE_TMPDIR/plan.json" || return 1
}

teardown_file() {
    mirror_teardown
}

# hostile_lines FILE : writes the hostile JSON lines (one of each kind) with
# good note records between them; the numbers of the bad lines are in
# BAD_LINES, those of the good ones in GOOD_LINES. Line 1 has a UTF-8 BOM
# and lines end in CRLF here and there: both are accepted.
hostile_lines() {
    local f=$1
    {
        printf '\xEF\xBB\xBF{"kind":"note","n":1}\r\n'                 # 1 BOM, CRLF: good
        printf '\n'                                                    # 2 empty: skipped
        printf '{"kind":"note","n":2}\r\n'                             # 3 CRLF: good
        printf '{"kind":"note","pad":"'                                # 4 over the 16 MiB cap
        head -c $((17 << 20)) /dev/zero | tr '\0' x
        printf '"}\n'
        printf '{"kind":"note","bad":"\xff\xfe"}\n'                    # 5 invalid UTF-8
        printf '[{"kind":"note"}]\n'                                   # 6 not an object
        printf '"just a string"\n'                                     # 7 not an object
        printf '{"source":1,"dest":true}\n'                            # 8 wrong types
        printf '{"kind":"note","deep":'                                # 9 nested 100000 deep
        head -c 100000 /dev/zero | tr '\0' '['
        head -c 100000 /dev/zero | tr '\0' ']'
        printf '}\n'
        printf ' \t \n'                                                # 10 blank: skipped
        printf '{"kind":"note","n":3}\n'                               # 11 good
        printf '{"kind":"note","nul":"a\0b"}\n'                        # 12 a NUL byte
        printf '{"kind":"note","n":4,'                                 # 13 truncated
        printf '\n'
        printf '\xEF\xBB\xBF{"kind":"note","n":5}\n'                   # 14 a BOM past line 1: not JSON
        printf '{"kind":"note","n":6}'                                 # 15 good, no newline at the end
    } >"$f"
    BAD_LINES="4 5 6 7 8 9 12 13 14"
    GOOD_LINES="1 3 11 15"
}

# check_errors_name_lines TOOL : every bad line is named once on stderr,
# on a line of its own starting with the tool's name and shorter than
# 1000 bytes (the huge line is not echoed); no good line is named.
check_errors_name_lines() {
    local tool=$1 n
    for n in $BAD_LINES; do
        [ "$(grep -c "line $n\b" <<<"$stderr")" -eq 1 ] || { echo "line $n not named once: $stderr" | head -c 2000; return 1; }
    done
    while IFS= read -r l; do
        [[ $l == "$tool:"* ]] || { echo "stray stderr line: ${l:0:300}"; return 1; }
        [ "${#l}" -lt 1000 ] || { echo "stderr line too long: ${l:0:300}"; return 1; }
    done <<<"$stderr"
    for n in $GOOD_LINES; do
        if grep -q "line $n\b" <<<"$stderr"; then echo "good line $n reported"; return 1; fi
    done
}

@test "blob-copy: hostile JSON lines are error records naming the line; BOM, CRLF, blank lines and the rest are fine" {
    hostile_lines "$BATS_TEST_TMPDIR/in.json"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" <"$BATS_TEST_TMPDIR/in.json"
    [ "$status" -eq 1 ] || { echo "status $status: ${stderr:0:2000}"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
    json_lines_ok "$BATS_TEST_TMPDIR/out.json"
    # the good records passed through, the BOM and the '\r's gone
    [ "$(jq -c 'select(.kind == "note") | .n' "$BATS_TEST_TMPDIR/out.json" | tr '\n' ' ')" = "1 2 3 6 " ]
    if grep -q $'\r' "$BATS_TEST_TMPDIR/out.json"; then echo "a CR passed on"; return 1; fi
    if grep -q $'\xEF\xBB\xBF' "$BATS_TEST_TMPDIR/out.json"; then echo "the BOM passed on"; return 1; fi
    # one error record per bad line, in order
    [ "$(jq -r 'select(.kind == "error") | .line' "$BATS_TEST_TMPDIR/out.json" | tr '\n' ' ')" = "4 5 6 7 8 9 12 13 14 " ]
    # the huge line is not echoed back whole in its error record
    [ "$(wc -c <"$BATS_TEST_TMPDIR/out.json")" -lt 100000 ]
    check_errors_name_lines blob-copy
}

@test "ics-gen: hostile JSON lines are named on stderr, the good mappings still make the output" {
    hostile_lines "$BATS_TEST_TMPDIR/in.json"
    # two good mapping records after the hostile ones
    {
        cat "$BATS_TEST_TMPDIR/in.json"
        printf '\r\n{"kind":"image","source":"quay.io/a/b@sha256:%s","dest":"mirror.test:5000/m/b:1"}\r\n' "$(printf '%064d' 1)"
        printf '{"kind":"image","source":"quay.io/a/c@sha256:%s","dest":"mirror.test:5000/m/c:1"}\n' "$(printf '%064d' 2)"
    } >"$BATS_TEST_TMPDIR/all.json"
    run --separate-stderr timeout 60 "$MK_BIN/ics-gen" "$BATS_TEST_TMPDIR/all.json"
    [ "$status" -eq 1 ] || { echo "status $status: ${stderr:0:2000}"; return 1; }
    [[ $output == *"source: quay.io/a/b"* ]] || { echo "$output"; return 1; }
    [[ $output == *"source: quay.io/a/c"* ]]
    [[ $output == *"mirror.test:5000/m/b"* ]]
    check_errors_name_lines ics-gen
    # the same from standard input
    run --separate-stderr timeout 60 "$MK_BIN/ics-gen" <"$BATS_TEST_TMPDIR/all.json"
    [ "$status" -eq 1 ]
    [[ $output == *"source: quay.io/a/c"* ]]
    check_errors_name_lines ics-gen
}

@test "manifest-rewrite: hostile JSON lines are named on stderr, the other records pass through" {
    hostile_lines "$BATS_TEST_TMPDIR/in.json"
    run --separate-stderr timeout 120 "$MK_BIN/manifest-rewrite" <"$BATS_TEST_TMPDIR/in.json"
    [ "$status" -eq 1 ] || { echo "status $status: ${stderr:0:2000}"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
    json_lines_ok "$BATS_TEST_TMPDIR/out.json"
    [ "$(jq -c 'select(.kind == "note") | .n' "$BATS_TEST_TMPDIR/out.json" | tr '\n' ' ')" = "1 2 3 6 " ]
    if grep -q $'\r' "$BATS_TEST_TMPDIR/out.json"; then echo "a CR passed on"; return 1; fi
    [ "$(wc -c <"$BATS_TEST_TMPDIR/out.json")" -lt 100000 ]
    check_errors_name_lines manifest-rewrite
}

@test "blob-copy: a plan saved with CRLF line ends and a BOM copies whole" {
    dir="$BATS_TEST_TMPDIR/crlf"
    sed "s#$BATS_FILE_TMPDIR/planned#$dir#g" "$BATS_FILE_TMPDIR/plan.json" |
        { printf '\xEF\xBB\xBF'; sed 's/$/\r/'; } >"$BATS_TEST_TMPDIR/plan-crlf.json"
    [ "$(head -c 3 "$BATS_TEST_TMPDIR/plan-crlf.json" | od -An -tx1 | tr -d ' ')" = efbbbf ]
    run --separate-stderr timeout 300 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/plan-crlf.json"
    [ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s 'all(.[]; .status == "copied")' <<<"$output" >/dev/null
    run --separate-stderr "$MK_BIN/oci-dir" verify "$dir"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
}

# A small layout with one image, copied by blob-copy; prints the layout.
small_layout() {
    local dir=$1 cli
    cli=$(fixture_component cli source)
    printf '{"kind":"image","source":"%s","dest":"dir:%s:cli"}\n' "$cli" "$dir" |
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" >/dev/null || return 1
}

@test "oci-dir and blob-copy: an index.json naming a traversal digest is refused naming it, nothing outside is read" {
    dir="$BATS_TEST_TMPDIR/trav"
    small_layout "$dir"
    canary="CANARY-outside-$$"
    printf '%s\n' "$canary" >"$BATS_TEST_TMPDIR/secret"
    for bad in 'sha256:../../secret' "sha256:$(printf '%064d' 0)/../../../secret" 'sha512:..'; do
        jq -c --arg d "$bad" '.manifests[0].digest = $d' "$dir/index.json" >"$BATS_TEST_TMPDIR/index.json"
        cp "$BATS_TEST_TMPDIR/index.json" "$dir/index.json.new" && mv "$dir/index.json.new" "$dir/index.json"
        run --separate-stderr timeout 60 "$MK_BIN/oci-dir" list "$dir"
        [ "$status" -ne 0 ] && [ "$status" -lt 128 ]
        [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
        [[ $stderr == *index.json* ]] && [[ $stderr == *digest* ]]
        [[ $output$stderr != *"$canary"* ]]
        run --separate-stderr timeout 60 "$MK_BIN/blob-copy" "dir:$dir:*" "dir:$BATS_TEST_TMPDIR/out"
        [ "$status" -ne 0 ] && [ "$status" -lt 128 ] || { echo "status $status: $stderr"; return 1; }
        [[ $stderr == *index.json* ]]
        [[ $output$stderr != *"$canary"* ]]
    done
}

@test "blob-copy and oci-dir verify: a blob that is a symlink out of the layout is not read" {
    dir="$BATS_TEST_TMPDIR/link"
    small_layout "$dir"
    # the biggest blob (a layer), moved out and linked back: same bytes,
    # only the link is wrong
    blob=$(find "$dir/blobs/sha256" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
    name=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$dir/index.json")
    # sound before the change
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" "dir:$dir:$name" "dir:$BATS_TEST_TMPDIR/before"
    [ "$status" -eq 0 ] || { echo "status $status: $output $stderr"; return 1; }
    mv "$blob" "$BATS_TEST_TMPDIR/outside"
    ln -s "$BATS_TEST_TMPDIR/outside" "$blob"
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" "dir:$dir:$name" "dir:$BATS_TEST_TMPDIR/out"
    [ "$status" -ne 0 ] && [ "$status" -lt 128 ] || { echo "status $status: $stderr"; return 1; }
    [ "$(jq -r .status <<<"$output")" = failed ]
    [[ $(jq -r .error <<<"$output") == *"$blob"*"symbolic link"* ]] || { echo "$output"; return 1; }
    [ "${#stderr_lines[@]}" -eq 1 ]
    # not under its name at the destination, no temporary left
    [ ! -e "$BATS_TEST_TMPDIR/out/blobs/sha256/${blob##*/}" ]
    [ -z "$(find "$BATS_TEST_TMPDIR/out" -name '.*tmp*')" ]
    run --separate-stderr "$MK_BIN/oci-dir" verify "$dir"
    [ "$status" -ne 0 ] && [ "$status" -lt 128 ] || { echo "status $status: $output $stderr"; return 1; }
    [ "$(jq -r 'select(.kind == "image") | .status' <<<"$output")" = damaged ]
    # a FIFO in its place: refused at once, never waited on
    rm "$blob"
    mkfifo "$blob"
    run --separate-stderr timeout 30 "$MK_BIN/blob-copy" "dir:$dir:$name" "dir:$BATS_TEST_TMPDIR/out2"
    [ "$status" -ne 0 ] && [ "$status" -lt 124 ] || { echo "status $status (124: it waited): $stderr"; return 1; }
    [[ $(jq -r .error <<<"$output") == *"$blob"*"not a regular file"* ]]
}

@test "hostile auth files: one line naming the file, the canary secret never shown" {
    canary="CANARY-s3cr3t-$$"
    cli=$(fixture_component cli source)
    b64() { printf '%s' "$1" | base64 -w0; }
    mapfile -t cases <<EOF
$canary is not JSON
{"auths":"$canary"}
{"auths":["$canary"]}
{"auths":{"$SRC_ADDR":{"auth":"$canary!!"}}}
{"auths":{"$SRC_ADDR":{"auth":"$(b64 "$canary")"}}}
{"auths":{"$SRC_ADDR":{"auth":12345,"password":"$canary"}}}
{"auths":{"$SRC_ADDR":{"username":"u","password":["$canary"]}}}
{"auths":{"$SRC_ADDR":{"auth":"$(b64 "u:$canary")",}}}
EOF
    [ "${#cases[@]}" -eq 8 ]
    k=0
    for content in "${cases[@]}"; do
        k=$((k + 1))
        f="$BATS_TEST_TMPDIR/auth$k.json"
        printf '%s' "$content" >"$f"
        run --separate-stderr timeout 60 "$MK_BIN/blob-copy" -a "$f" --insecure "$SRC_ADDR" \
            "$cli" "dir:$BATS_TEST_TMPDIR/a$k:cli" </dev/null
        [ "$status" -ne 0 ] && [ "$status" -lt 128 ] || { echo "case $k: status $status"; return 1; }
        [ "${#stderr_lines[@]}" -le 2 ] || { echo "case $k: $stderr"; return 1; }
        [[ ${stderr_lines[0]} == blob-copy:*"$f"* ]] || { echo "case $k: $stderr"; return 1; }
        [[ $output$stderr != *"$canary"* ]] || { echo "case $k leaks the canary"; return 1; }
        [[ $output$stderr != *"$(b64 "$canary")"* ]] || { echo "case $k leaks its base64"; return 1; }
        [ ! -e "$BATS_TEST_TMPDIR/a$k/index.json" ]
    done
    [ "$k" -eq 8 ] || { echo "only $k cases ran"; return 1; }
    # a huge file: refused by size, naming it
    f="$BATS_TEST_TMPDIR/huge.json"
    { printf '{"auths":{"x.io":{"auth":"%s"}},"pad":"' "$(b64 "u:$canary")"; head -c $((17 << 20)) /dev/zero | tr '\0' ' '; printf '"}'; } >"$f"
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" -a "$f" --insecure "$SRC_ADDR" "$cli" "dir:$BATS_TEST_TMPDIR/huge:cli"
    [ "$status" -ne 0 ] && [ "$status" -lt 128 ]
    [[ ${stderr_lines[0]} == blob-copy:*"$f"* ]] || { echo "$stderr"; return 1; }
    [[ $output$stderr != *"$canary"* ]]
}

@test "secret-merge -o into new folders: the file 0600, the folders made 0700, whatever the umask" {
    out="$BATS_TEST_TMPDIR/home/.docker/config.json"
    printf '%s' '{"auths":{}}' >"$BATS_TEST_TMPDIR/in.json"
    # shellcheck disable=SC2016  # expanded by the inner bash
    run --separate-stderr bash -c 'umask 000; printf "p\n" | "$1" --registry m.test:5000 --username u --password-stdin -o "$2" "$3"' _ \
        "$MK_BIN/secret-merge" "$out" "$BATS_TEST_TMPDIR/in.json"
    [ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
    [ "$(stat -c %a "$out")" = 600 ]
    [ "$(stat -c %a "$BATS_TEST_TMPDIR/home/.docker")" = 700 ]
    [ "$(stat -c %a "$BATS_TEST_TMPDIR/home")" = 700 ]
    jq -e '.auths["m.test:5000"].auth' "$out" >/dev/null
}

@test "ulimit -f: blob-copy into a dir does not die of SIGXFSZ; the failures name the path, nothing partial is left" {
    dir="$BATS_TEST_TMPDIR/fsize"
    sed "s#$BATS_FILE_TMPDIR/planned#$dir#g" "$BATS_FILE_TMPDIR/plan.json" >"$BATS_TEST_TMPDIR/plan.json"
    # 32 KiB (bash counts in 1024-byte blocks): configs and manifests fit,
    # the 64 KiB layers do not
    # shellcheck disable=SC2016  # expanded by the inner bash
    run --separate-stderr bash -c 'ulimit -f 32; exec timeout 300 "$1" --insecure "$2" <"$3"' _ \
        "$MK_BIN/blob-copy" "$SRC_ADDR" "$BATS_TEST_TMPDIR/plan.json"
    # 153 would be 128 + SIGXFSZ: killed with no word of the file; 5 is
    # the local I/O failure status
    [ "$status" -eq 5 ] || { echo "status $status: ${stderr:0:2000}"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/copy.json"
    json_lines_ok "$BATS_TEST_TMPDIR/copy.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(jq -s '[.[] | select(.status == "failed")] | length' "$BATS_TEST_TMPDIR/copy.json")" -ge 1 ]
    while IFS= read -r err; do
        [[ $err == *"File too large"* ]] || { echo "failure without EFBIG: $err"; return 1; }
        [[ $err == *"$dir/"* ]] || { echo "failure without the path: $err"; return 1; }
    done < <(jq -r 'select(.status == "failed") | .error' "$BATS_TEST_TMPDIR/copy.json")
    # nothing partial: no temporary, every blob under its name whole
    [ -z "$(find "$dir" -name '.*tmp*')" ] || { find "$dir" -name '.*tmp*'; return 1; }
    for f in "$dir"/blobs/sha256/*; do
        [ "sha256:$(sha256sum <"$f" | cut -d' ' -f1)" = "sha256:${f##*/}" ] || { echo "corrupt $f"; return 1; }
    done
}

@test "EIO (strace fault injection on fsync): blob-copy into a dir ends cleanly naming the path, nothing partial visible" {
    command -v strace >/dev/null || skip "strace is not installed"
    strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=EIO:when=1+ true 2>/dev/null ||
        skip "strace cannot inject faults here (ptrace not permitted)"
    dir="$BATS_TEST_TMPDIR/eio"
    sed "s#$BATS_FILE_TMPDIR/planned#$dir#g" "$BATS_FILE_TMPDIR/plan.json" >"$BATS_TEST_TMPDIR/plan.json"
    # the 6th and every later fsync fails: the first blobs land, the rest not
    run --separate-stderr timeout 300 strace -f -o /dev/null -e trace=fsync -e inject=fsync:error=EIO:when=6+ \
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/plan.json"
    [ "$status" -eq 5 ] || { echo "status $status (5: local I/O): ${stderr:0:2000}"; return 1; }
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/copy.json"
    json_lines_ok "$BATS_TEST_TMPDIR/copy.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(jq -s '[.[] | select(.status == "failed")] | length' "$BATS_TEST_TMPDIR/copy.json")" -ge 1 ]
    while IFS= read -r err; do
        [[ $err == *"Input/output error"* ]] || { echo "failure without EIO: $err"; return 1; }
        [[ $err == *"$dir/"* ]] || { echo "failure without the path: $err"; return 1; }
    done < <(jq -r 'select(.status == "failed") | .error' "$BATS_TEST_TMPDIR/copy.json")
    [ -z "$(find "$dir" -name '.*tmp*')" ] || { find "$dir" -name '.*tmp*'; return 1; }
    for f in "$dir"/blobs/sha256/*; do
        [ "sha256:$(sha256sum <"$f" | cut -d' ' -f1)" = "sha256:${f##*/}" ] || { echo "corrupt $f"; return 1; }
    done
    # images reported copied are the ones named, and verify finds them whole
    diff <(jq -r 'select(.status == "copied") | .digest' "$BATS_TEST_TMPDIR/copy.json" | sort) \
        <( ([ -f "$dir/index.json" ] && jq -r '.manifests[].digest' "$dir/index.json") | sort)
    if [ -f "$dir/index.json" ]; then
        run --separate-stderr "$MK_BIN/oci-dir" verify "$dir"
        [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    fi
}

# hostile_refs FILE : mapping records whose pullspecs are hostile: a
# traversal digest, a newline forging a line, an empty one, 5000
# characters, a NUL, a terminal escape, non-ASCII, "dir:" with no path.
hostile_refs() {
    local long
    long=$(head -c 5000 /dev/zero | tr '\0' a)
    {
        printf '%s\n' '{"kind":"image","source":"quay.io/a/b@sha256:../../x","dest":"127.0.0.1:1/m/b:1"}'
        printf '%s\n' '{"kind":"image","source":"quay.io/a/b\nEVIL: forged line","dest":"127.0.0.1:1/m/b:1"}'
        printf '%s\n' '{"kind":"image","source":"","dest":"127.0.0.1:1/m/b:1"}'
        printf '%s\n' "{\"kind\":\"image\",\"source\":\"quay.io/a/$long\",\"dest\":\"127.0.0.1:1/m/b:1\"}"
        printf '%s\n' '{"kind":"image","source":"quay.io/a/b:t\u0000x","dest":"127.0.0.1:1/m/b:1"}'
        printf '%s\n' '{"kind":"image","source":"quay.io/a/b:t","dest":"127.0.0.1:1/m/b:1\u001b[31m"}'
        printf '%s\n' '{"kind":"image","source":"quay.io/\u00e9/b:t","dest":"127.0.0.1:1/m/b:1"}'
        printf '%s\n' '{"kind":"image","source":"quay.io/a/b:t","dest":"dir:"}'
    } >"$1"
}

# stderr_lines_safe : stderr holds no raw control character and no line
# over 4 KiB and a bit, and nothing forged a line of its own.
stderr_lines_safe() {
    if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$stderr"; then echo "raw control character on stderr"; return 1; fi
    if grep -q '^EVIL' <<<"$stderr"; then echo "a forged line"; return 1; fi
    while IFS= read -r l; do
        [ "${#l}" -lt 4300 ] || { echo "stderr line of ${#l} bytes"; return 1; }
    done <<<"$stderr"
}

@test "hostile pullspecs: one safe stderr line each (blob-copy, ics-gen), the records fail, nothing is contacted" {
    hostile_refs "$BATS_TEST_TMPDIR/refs.json"
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" <"$BATS_TEST_TMPDIR/refs.json"
    [ "$status" -ne 0 ] && [ "$status" -lt 128 ] || { echo "status $status"; return 1; }
    [ "${#lines[@]}" -eq 8 ]
    json_lines_ok <(printf '%s\n' "$output")
    jq -e -s 'all(.[]; .status == "failed" or .kind == "error")' <<<"$output" >/dev/null
    [ "${#stderr_lines[@]}" -eq 8 ] || { echo "$stderr" | cut -c1-200; return 1; }
    stderr_lines_safe
    # the culprit is named, escaped
    [[ $stderr == *'sha256:../../x'* ]]
    [[ $stderr == *'quay.io/a/b\x0aEVIL'* ]]
    [[ $stderr == *'\x1b[31m'* ]]

    # ics-gen: the same, and an upstream failure record whose text is hostile
    {
        cat "$BATS_TEST_TMPDIR/refs.json"
        printf '%s\n' '{"kind":"image","source":"quay.io/x/y:1\nEVIL: forged","dest":"m.test/x/y:1","status":"failed","error":"boom\r\nEVIL: again\u001b[2J"}'
    } >"$BATS_TEST_TMPDIR/refs2.json"
    run --separate-stderr timeout 60 "$MK_BIN/ics-gen" "$BATS_TEST_TMPDIR/refs2.json"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    # one line per record, and the closing "no mapping records" line
    [ "${#stderr_lines[@]}" -eq 10 ] || { echo "$stderr" | cut -c1-200; return 1; }
    stderr_lines_safe
    for n in 1 2 3 4 5 6 7 8 9; do
        [ "$(grep -c "line $n:" <<<"$stderr")" -eq 1 ] || { echo "line $n"; return 1; }
    done
}
