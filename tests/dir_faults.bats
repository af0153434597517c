#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$stderr/$lines come from bats `run`
#
# Faults while blob-copy writes an OCI layout directory (dir:DIR): kill -9
# in the middle and resume, a read-only and a full file system (tmpfs,
# root only). The normal disconnected flow is in tests/disconnected.bats.

bats_require_minimum_version 1.5.0

load lib/mirror

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    mirror_isolate_credentials
    # big layers (~3 MB each, ~85 MB in all), so a copy takes a moment
    mirror_setup_source --seed 13 --layer-size 3000000 || return 1
    # and the usual small release (~5.6 MB) in the same registry, for a
    # file system of 1 MiB to fill up part way
    SMALL_FIXTURE="$BATS_FILE_TMPDIR/small.json"
    "$MKREL" --registry "$SRC_ADDR" --plain --seed 7 --product-repo small-dev \
        >"$SMALL_FIXTURE" 2>"$BATS_FILE_TMPDIR/small.err" || {
        cat "$BATS_FILE_TMPDIR/small.err" >&2
        return 1
    }
    SMALL_RELEASE=$(jq -er .release "$SMALL_FIXTURE") || return 1
    MOUNTS="$BATS_FILE_TMPDIR/mounts"
    export SMALL_FIXTURE SMALL_RELEASE MOUNTS
}

# Unmount, by path, only what this file mounted.
unmount_ours() {
    local m
    [ -f "$MOUNTS" ] || return 0
    while IFS= read -r m; do
        [ -n "$m" ] || continue
        if mountpoint -q "$m"; then
            umount "$m" || umount -l "$m" || true
        fi
    done <"$MOUNTS"
    return 0
}

teardown() {
    unmount_ours
}

teardown_file() {
    unmount_ours
    mirror_teardown
}

# mount_tmpfs OPTIONS PATH : mount a tmpfs (root only), remember it
mount_tmpfs() {
    local opts=$1 path=$2
    mkdir -p "$path"
    printf '%s\n' "$path" >>"$MOUNTS"
    mount -t tmpfs -o "$opts" tmpfs "$path"
}

need_root_mount() {
    [ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs (id -u is $(id -u))"
    local probe="$BATS_TEST_TMPDIR/probe"
    mount_tmpfs size=64k "$probe" 2>/dev/null ||
        skip "cannot mount a tmpfs here (no CAP_SYS_ADMIN?)"
    umount "$probe"
}

# layer_blobs DIR : "DIGEST SIZE" of every config and layer the images in DIR
# use (manifests not included), sorted
layer_blobs() {
    python3 - "$1" <<'EOF'
import json, os, sys
d = sys.argv[1]
def path(digest):
    algo, hexpart = digest.split(":", 1)
    return os.path.join(d, "blobs", algo, hexpart)
seen, blobs = set(), {}
def walk(digest):
    if digest in seen:
        return
    seen.add(digest)
    with open(path(digest)) as f:
        m = json.load(f)
    for child in m.get("manifests", []):
        walk(child["digest"])
    for b in ([m["config"]] if "config" in m else []) + m.get("layers", []):
        blobs[b["digest"]] = b["size"]
with open(os.path.join(d, "index.json")) as f:
    for e in json.load(f)["manifests"]:
        walk(e["digest"])
for k in sorted(blobs):
    print(k, blobs[k])
EOF
}

# final_blob_names DIR : sha256:HEX of every blob under its final name
final_blob_names() {
    find "$1/blobs/sha256" -maxdepth 1 -type f ! -name '.*' -printf 'sha256:%f\n' 2>/dev/null | LC_ALL=C sort
}

# records < FILES : the complete JSON records in the input (a killed writer
# may leave a partial last line)
records() {
    jq -c -R 'fromjson? // empty'
}

# sha256_names_ok DIR : every final-name blob hashes to its name
sha256_names_ok() {
    local f sum bad=0
    for f in "$1"/blobs/sha256/*; do
        [ -e "$f" ] || continue
        sum=$(sha256sum <"$f")
        [ "${sum%% *}" = "${f##*/}" ] || { echo "wrong content under $f"; bad=1; }
    done
    return "$bad"
}

@test "kill -9 while writing a dir, three times: never a corrupt blob; the last run re-copies only what is missing and leaves no temporary" {
    k="$BATS_FILE_TMPDIR/killed"
    t=$BATS_TEST_TMPDIR
    "$MK_BIN/release-list" "$RELEASE" --to-dir "$k" --insecure "$SRC_ADDR" >"$t/plan.json"
    [ "$(wc -l <"$t/plan.json")" -eq $((NCOMP + 1)) ]
    killed=0
    for round in 1 2 3; do
        "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$t/plan.json" >"$t/run$round.json" 2>"$t/run$round.err" 3>&- &
        pid=$!
        # wait (at most ~10 s) until it writes something new into the
        # directory (a blob or a temporary file), then a random 0-149 ms more
        before=$(find "$k/blobs/sha256" -mindepth 1 2>/dev/null | wc -l)
        for ((i = 0; i < 500; i++)); do
            [ "$(find "$k/blobs/sha256" -mindepth 1 2>/dev/null | wc -l)" -gt "$before" ] && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.02
        done
        sleep "0.$(printf '%03d' $((RANDOM % 150)))"
        kill -9 "$pid" 2>/dev/null || true
        rc=0
        wait "$pid" || rc=$?
        [ "$rc" -eq 137 ] && killed=$((killed + 1))
        echo "round $round: exit $rc, $(final_blob_names "$k" | wc -l) blobs, $(find "$k/blobs/sha256" -name '.*' | wc -l) temporary" >>"$t/rounds"

        # whatever it left is sound: no corrupt or stray blob, no damaged image
        run --separate-stderr "$MK_BIN/oci-dir" verify "$k"
        [ "$status" -eq 0 ] || { echo "round $round: $output $stderr"; return 1; }
        json_lines_ok <(printf '%s\n' "$output")
        bad=$(jq -c 'select((.kind == "image" and .status != "ok") or (.kind != "image" and .kind != "temp"))' <<<"$output")
        [ -z "$bad" ] || { echo "round $round: $bad"; return 1; }
        sha256_names_ok "$k"
    done
    [ "$killed" -ge 1 ] || { cat "$t/rounds"; echo "no run was interrupted"; return 1; }
    final_blob_names "$k" >"$t/before-final"
    [ -s "$t/before-final" ] || { echo "the killed runs left no blob"; return 1; }

    # a left-over temporary file of our own (an unlocked one, as an older
    # version left), so the re-run has one to remove for sure
    printf 'partial' >"$k/blobs/sha256/.$(printf '0%.0s' {1..64}).tmp-abcdef"
    echo "temporaries before the last run: $(find "$k" -name '.*.tmp-*' | wc -l)" >>"$t/rounds"

    run --separate-stderr timeout 300 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$t/plan.json"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    printf '%s\n' "$output" >"$t/final.json"
    json_lines_ok "$t/final.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s 'all(.[]; .status == "copied" or .status == "present")' "$t/final.json" >/dev/null ||
        { jq -c 'select(.status != "copied" and .status != "present")' "$t/final.json"; return 1; }

    run --separate-stderr "$MK_BIN/oci-dir" verify "$k"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "ok")] | length' <<<"$output")" -eq $((NCOMP + 1)) ]
    diff <(jq -r '.manifests[].digest' "$k/index.json" | sort) \
        <({ echo "$RELEASE_DIGEST"; jq -r '.components[].digest' "$FIXTURE"; } | sort)
    # the re-run removed every temporary the killed runs (and we) left: their
    # writers are dead, nothing holds their locks
    [ -z "$(find "$k" -name '.*.tmp-*')" ] || { find "$k" -name '.*.tmp-*'; return 1; }
    [ "$(jq -s '[.[] | select(.kind != "image")] | length' <<<"$output")" -eq 0 ] || { echo "$output"; return 1; }

    # verify --prune-temp removes one left after that
    printf 'partial' >"$k/blobs/sha256/.$(printf '1%.0s' {1..64}).tmp-abcdef"
    run --separate-stderr "$MK_BIN/oci-dir" verify --prune-temp "$k"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "temp" and .status == "removed")] | length' <<<"$output")" -eq 1 ]
    [ -z "$(find "$k/blobs" -name '.*')" ] || { find "$k/blobs" -name '.*'; return 1; }
    run --separate-stderr "$MK_BIN/oci-dir" verify "$k"
    [ "$status" -eq 0 ]
    [ "$(jq -s '[.[] | select(.kind != "image")] | length' <<<"$output")" -eq 0 ]

    # bytes: TOTAL = every config and layer once
    layer_blobs "$k" >"$t/layers"
    [ "$(wc -l <"$t/layers")" -eq "$NBLOBS" ]
    total=$(awk '{ s += $2 } END { print s }' "$t/layers")
    all_runs=$(cat "$t"/run?.json "$t/final.json" | records | jq -s 'map(.bytes_copied // 0) | add // 0')
    final_bytes=$(jq -s 'map(.bytes_copied // 0) | add' "$t/final.json")
    final_resumed=$(jq -s 'map(.bytes_resumed // 0) | add' "$t/final.json")
    final_blobs=$(jq -s 'map(.blobs_copied // 0) | add' "$t/final.json")
    # configs and layers already there before the last run
    had=$(LC_ALL=C join <(cut -d' ' -f1 "$t/before-final") <(LC_ALL=C sort "$t/layers") | awk '{ s += $2; n++ } END { print s + 0, n + 0 }')
    had_bytes=${had% *} had_blobs=${had#* }
    echo "total $total; all runs $all_runs; last run $final_bytes bytes ($final_resumed resumed), $final_blobs blobs; before it $had_blobs blobs, $had_bytes bytes" >>"$t/rounds"
    cat "$t/rounds"  # shown when a check below fails
    [ "$all_runs" -lt $((2 * total)) ]
    [ "$final_blobs" -lt "$NBLOBS" ]
    # the last run fetched exactly what was missing, less what it resumed
    # from the killed runs' temporaries
    [ $((final_bytes + final_resumed)) -eq $((total - had_bytes)) ] ||
        { echo "last run copied $final_bytes and resumed $final_resumed, missing were $((total - had_bytes))"; return 1; }
    [ "$final_blobs" -eq $((NBLOBS - had_blobs)) ]
}

# big_image DIR NAME BYTES SEED : an OCI layout at DIR holding one image NAME
# of one random layer of BYTES bytes; prints the layer's digest and size and
# the config's size
big_image() {
    python3 - "$@" <<'EOF'
import hashlib, json, os, random, sys
d, name, size, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(d, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
layer = put(random.Random(seed).randbytes(size))
config = put(json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                       "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar")]}).encode()
m = put(manifest)
with open(os.path.join(d, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
with open(os.path.join(d, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [dict(m, mediaType="application/vnd.oci.image.manifest.v1+json",
               annotations={"org.opencontainers.image.ref.name": name})]}, f)
print(layer["digest"], config["size"])
EOF
}

@test "kill -9 while a big blob is written into a dir: the re-run resumes it, fetching at most what was not on disk plus 1 MiB" {
    t=$BATS_TEST_TMPDIR
    size=$((24 << 20))
    read -r layer config_size < <(big_image "$t/layout" big "$size" 5)
    skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$t/layout:big" "docker://$SRC_ADDR/big/one:v1"
    hex=${layer#sha256:}
    # kill it once its temporary holds a few MiB; a run that finishes first
    # (a fast machine) is tried again in a new directory, three times at most
    on_disk=0
    for attempt in 1 2 3; do
        k="$t/dir$attempt"
        # a shell loop is too slow to catch a blob written over loopback:
        # Python starts blob-copy and polls (at most 30 s) for its temporary
        rc=$(python3 - "$k/blobs/sha256" ".$hex.tmp-" $((2 << 20)) "$t/killed.json" "$t/killed.err" \
            "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" "$SRC_ADDR/big/one:v1" "dir:$k:big" <<'EOF'
import os, subprocess, sys, time
folder, prefix, threshold = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(sys.argv[4], "w") as out, open(sys.argv[5], "w") as err:
    p = subprocess.Popen(sys.argv[6:], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while p.poll() is None and time.monotonic() < deadline:
        try:
            if any(e.name.startswith(prefix) and e.stat().st_size >= threshold for e in os.scandir(folder)):
                p.kill()
        except FileNotFoundError:
            pass
    p.kill() if p.poll() is None else None
    p.wait()
print(128 - p.returncode if p.returncode < 0 else p.returncode)
EOF
        )
        if [ "$rc" -eq 137 ]; then
            temp=$(find "$k/blobs/sha256" -name ".$hex.tmp-*" | head -n 1)
            [ -n "$temp" ] || { echo "killed, but no temporary of the layer left"; return 1; }
            on_disk=$(stat -c %s "$temp")
            break
        fi
    done
    [ "$on_disk" -gt 0 ] || skip "blob-copy finished the 24 MiB blob before it could be killed, three times"
    [ ! -e "$k/blobs/sha256/$hex" ]

    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" "$SRC_ADDR/big/one:v1" "dir:$k:big"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    json_lines_ok <(printf '%s\n' "$output")
    echo "on disk after the kill: $on_disk; re-run: $output"
    [ "$(jq -r .status <<<"$output")" = copied ]
    resumed=$(jq -r '.bytes_resumed // 0' <<<"$output")
    fetched=$(jq -r .bytes_copied <<<"$output")
    # the whole MiB units of the layer on disk were kept, only the rest
    # fetched; the config (a few hundred bytes) is either in place already
    # (skipped), or kept whole from its temporary, or fetched
    missing=$size
    [ "$(jq -r .blobs_skipped <<<"$output")" -eq 1 ] || missing=$((size + config_size))
    layer_kept=$((on_disk / (1 << 20) * (1 << 20)))
    [ "$resumed" -eq "$layer_kept" ] || [ "$resumed" -eq $((layer_kept + config_size)) ]
    [ $((fetched + resumed)) -eq "$missing" ]
    [ "$fetched" -le $((size - on_disk + (1 << 20) + config_size)) ]
    # the blob is whole and sound, and no temporary is left
    [ "$(sha256sum <"$k/blobs/sha256/$hex" | cut -d' ' -f1)" = "$hex" ]
    run --separate-stderr "$MK_BIN/oci-dir" verify "$k"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [ "$(jq -s '[.[] | select(.kind == "image" and .status == "ok")] | length' <<<"$output")" -eq 1 ]
    [ "$(jq -s '[.[] | select(.kind != "image")] | length' <<<"$output")" -eq 0 ] || { echo "$output"; return 1; }
    [ -z "$(find "$k" -name '.*.tmp-*')" ]
}

@test "read-only file system: every image fails with an error naming the path, exit 5 (local I/O)" {
    need_root_mount
    mnt="$BATS_TEST_TMPDIR/ro"
    mount_tmpfs ro,size=1m "$mnt"
    "$MK_BIN/release-list" "$SMALL_RELEASE" --to-dir "$mnt/m" --insecure "$SRC_ADDR" >"$BATS_TEST_TMPDIR/plan.json"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/plan.json"
    [ "$status" -eq 5 ]
    json_lines_ok <(printf '%s\n' "$output")
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    jq -e -s 'all(.[]; .status == "failed")' <<<"$output" >/dev/null || { echo "$output"; return 1; }
    while IFS= read -r err; do
        [[ $err == *"$mnt/m"* ]] || { echo "does not name the path: $err"; return 1; }
        shopt -s nocasematch
        [[ $err == *read-only* ]] || { echo "does not say read-only: $err"; return 1; }
        shopt -u nocasematch
    done < <(jq -r .error <<<"$output")
    [[ $stderr == *"$mnt/m"* ]]
    # the positional form too
    run --separate-stderr timeout 60 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" "$SMALL_RELEASE" "dir:$mnt/m:rel"
    [ "$status" -eq 5 ]
    [[ "$(jq -r .error <<<"$output")" == *"$mnt/m"* ]] || { echo "$output"; return 1; }
    [ -z "$(ls -A "$mnt")" ]
}

@test "full file system: failures say 'no space left'; every blob under its final name is sound" {
    need_root_mount
    mnt="$BATS_TEST_TMPDIR/full"
    mount_tmpfs size=1m "$mnt"
    m="$mnt/m"
    "$MK_BIN/release-list" "$SMALL_RELEASE" --to-dir "$m" --insecure "$SRC_ADDR" >"$BATS_TEST_TMPDIR/plan.json"
    run --separate-stderr timeout 120 "$MK_BIN/blob-copy" --insecure "$SRC_ADDR" <"$BATS_TEST_TMPDIR/plan.json"
    [ "$status" -eq 5 ]  # local I/O
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/copy.json"
    json_lines_ok "$BATS_TEST_TMPDIR/copy.json"
    [ "${#lines[@]}" -eq $((NCOMP + 1)) ]
    nfailed=$(jq -s '[.[] | select(.status == "failed")] | length' "$BATS_TEST_TMPDIR/copy.json")
    [ "$nfailed" -ge 1 ]
    while IFS= read -r err; do
        shopt -s nocasematch
        [[ $err == *"no space left"* ]] || { echo "failure without 'no space left': $err"; return 1; }
        shopt -u nocasematch
    done < <(jq -r 'select(.status == "failed") | .error' "$BATS_TEST_TMPDIR/copy.json")
    jq -e -s 'all(.[]; .status == "failed" or .status == "copied")' "$BATS_TEST_TMPDIR/copy.json" >/dev/null

    # no blob under its final name with a wrong digest (independent hash)
    [ -n "$(final_blob_names "$m")" ] || { echo "nothing fitted at all"; return 1; }
    sha256_names_ok "$m"
    # and the tool's own check: the images it named are whole
    run --separate-stderr "$MK_BIN/oci-dir" verify "$m"
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    bad=$(jq -c 'select((.kind == "image" and .status != "ok") or .kind == "blob")' <<<"$output")
    [ -z "$bad" ] || { echo "$bad"; return 1; }
    # images reported copied are named in the index
    diff <(jq -r 'select(.status == "copied") | .digest' "$BATS_TEST_TMPDIR/copy.json" | sort) \
        <(jq -r '.manifests[].digest' "$m/index.json" | sort)
    # a failed write leaves no temporary file behind
    [ -z "$(find "$m/blobs" -name '.*')" ] || { find "$m/blobs" -name '.*'; return 1; }
}
