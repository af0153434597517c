#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# GNU parallel as the engine beyond one blob-copy (issue 14): a plan cut
# into chunks of records, each copied by its own blob-copy, on one host and
# across hosts with --sshlogin. The hosts are simulated on this machine by
# an ssh stand-in (parallel's --ssh) that ignores the host name and runs the
# command locally, in an environment as bare as a fresh ssh login's.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    mirror_setup_source --components 20 || return 1
    # The ssh stand-in: skips ssh's options, logs the host, drops the "--"
    # parallel puts before the command, and runs the command with sh as a
    # login would (HOME, SHELL, a minimal PATH: nothing of ours).
    FAKE_SSH="$BATS_FILE_TMPDIR/fake-ssh"
    cat >"$FAKE_SSH" <<EOF
#!/bin/sh
while [ \$# -gt 0 ]; do
    case "\$1" in
        -l|-p|-o|-i|-F|-S) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
host=\$1
shift
[ "\$1" = "--" ] && shift
echo "\$host" >>"$BATS_FILE_TMPDIR/ssh.log"
exec env -i HOME="\$HOME" SHELL=/bin/sh PATH=/usr/bin:/bin sh -c "\$*"
EOF
    chmod 755 "$FAKE_SSH"
    export FAKE_SSH
}

teardown_file() {
    mirror_teardown
}

# check_copied MIRROR_DIR PLAN RESULTS JOBS : the union of the result
# records is the whole plan, each image exactly once and copied; every
# manifest in the mirror is byte-identical (skopeo); and no blob was
# uploaded more often than a race between JOBS concurrent blob-copy
# processes allows (each process HEADs a blob before uploading it, so two
# can upload the same blob only when both looked before either finished:
# at most once per process).
check_copied() {
    local dir=$1 plan=$2 results=$3 jobs=$4 n dest digest got uploaded
    json_lines_ok "$results"
    [ "$(wc -l <"$results")" -eq $((NCOMP + 1)) ] || { echo "$(wc -l <"$results") records"; return 1; }
    diff <(jq -r '"\(.source) \(.dest)"' "$plan" | sort) <(jq -r '"\(.source) \(.dest)"' "$results" | sort)
    jq -e -s 'all(.[]; .status == "copied")' "$results" >/dev/null || {
        jq -c 'select(.status != "copied")' "$results"
        return 1
    }
    [ "$(jq -r .dest "$results" | sort | uniq -d)" = "" ]
    n=0
    while read -r dest digest; do
        got=$(raw_digest "$dir" "$dest")
        [ "$got" = "$digest" ] || { echo "$dest: $got, want $digest"; return 1; }
        n=$((n + 1))
    done < <(jq -r '"\(.dest) \(.digest)"' "$plan")
    [ "$n" -eq $((NCOMP + 1)) ]
    uploaded=$(jq -s 'map(.blobs_copied) | add' "$results")
    echo "# uploaded $uploaded blobs, $NBLOBS distinct, $jobs processes at once" >&3
    [ "$uploaded" -ge "$NBLOBS" ] || { echo "only $uploaded of $NBLOBS blobs uploaded"; return 1; }
    [ "$uploaded" -le $((NBLOBS * jobs)) ] || { echo "$uploaded uploads > $NBLOBS x $jobs"; return 1; }
}

@test "one host: release-list | parallel --pipe -N 4 blob-copy" {
    addr=$(mirror_registry one) || return 1
    d=$BATS_TEST_TMPDIR
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$addr/ocp4/openshift4" "$RELEASE" >"$d/plan.json"
    parallel --will-cite --pipe -N 4 -j 3 \
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" --insecure "$addr" \
        <"$d/plan.json" >"$d/copied.json" 2>"$d/copy.err" || { cat "$d/copy.err"; return 1; }
    [ ! -s "$d/copy.err" ] || { cat "$d/copy.err"; return 1; }
    check_copied "$BATS_FILE_TMPDIR/one" "$d/plan.json" "$d/copied.json" 3
}

@test "two hosts through ssh: parallel --sshlogin 2/hostA,2/hostB, records merged on stdout" {
    addr=$(mirror_registry two) || return 1
    d=$BATS_TEST_TMPDIR
    rm -f "$BATS_FILE_TMPDIR/ssh.log"
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$addr/ocp4/openshift4" "$RELEASE" >"$d/plan.json"
    # Each "host" pulls from the source and pushes to the mirror itself; the
    # tool is named by its absolute path, as it would be installed there.
    parallel --will-cite --pipe -N 4 --ssh "$FAKE_SSH" --sshlogin 2/hostA,2/hostB \
        "$MK_BIN/blob-copy --insecure $SRC_ADDR --insecure $addr" \
        <"$d/plan.json" >"$d/copied.json" 2>"$d/copy.err" || { cat "$d/copy.err"; return 1; }
    [ ! -s "$d/copy.err" ] || { cat "$d/copy.err"; return 1; }
    # Both hosts took chunks (6 chunks of at most 4 records, 2 + 2 slots).
    grep -qx hostA "$BATS_FILE_TMPDIR/ssh.log"
    grep -qx hostB "$BATS_FILE_TMPDIR/ssh.log"
    [ "$(grep -cv '^host[AB]$' "$BATS_FILE_TMPDIR/ssh.log")" -eq 0 ]
    check_copied "$BATS_FILE_TMPDIR/two" "$d/plan.json" "$d/copied.json" 4
}

@test "a chunk that fails on one host: its failure comes back as a record, parallel's exit status says so" {
    addr=$(mirror_registry three) || return 1
    d=$BATS_TEST_TMPDIR
    "$MK_BIN/release-list" --insecure "$SRC_ADDR" --to "$addr/ocp4/openshift4" "$RELEASE" >"$d/plan.json"
    # One record points at a repository the source does not have.
    { head -n 1 "$d/plan.json" | jq -c '.source |= sub("/[^/@]+@"; "/no-such-repo@")'; tail -n +2 "$d/plan.json"; } \
        >"$d/bad.json"
    run --separate-stderr parallel --will-cite --pipe -N 4 --ssh "$FAKE_SSH" --sshlogin 2/hostA,2/hostB \
        "$MK_BIN/blob-copy --insecure $SRC_ADDR --insecure $addr" <"$d/bad.json"
    # parallel exits with the number of failed jobs: one chunk failed.
    [ "$status" -eq 1 ] || { echo "status $status: $stderr"; return 1; }
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    [ "$(jq -s 'map(select(.status == "failed")) | length' <<<"$output")" -eq 1 ]
    [ "$(jq -s 'map(select(.status == "copied")) | length' <<<"$output")" -eq "$NCOMP" ]
    [[ $stderr == *"blob-copy: "*"no-such-repo"* ]] || { echo "$stderr"; return 1; }
}
