# shellcheck shell=bash
#
# tests/lib/faults.bash - the fault suite's plumbing (tests/faults.bats,
# bench/faults-vs-skopeo.sh): fault proxies in front of throwaway registries,
# canary credentials, one blob-copy run, the invariant checker.
#
# Load after lib/mirror (Bats) or source after tests/lib/registry.bash.
#
# Public functions:
#   faults_alt_cert REGDIR    cert+key for 127.0.0.2 signed by REGDIR's CA
#                             (REGDIR/alt.crt, REGDIR/alt.key)
#   fault_proxy_start NAME REGDIR SCHEDULE
#                             start tests/fixtures/fault-proxy.py in $FT/NAME.*
#                             (TLS with REGDIR's certs when it has them), wait
#                             for its address file, print the main address;
#                             $FT/NAME.addrs holds {"main","alt","plain"}
#   fault_proxy_stop NAME     stop it (by the PID it recorded)
#   canary                    print a fresh random token (user or password)
#   faults_authfile FILE ADDR USER PASS [ADDR USER PASS]...
#                             a containers-auth.json (0600) for those hosts
#   fault_registry_kill DIR   kill -9 the registry of DIR (its recorded PID)
#   fault_registry_restart DIR
#                             start it again on the same port and config
#   fault_wait_file FILE SECS wait (bounded) until FILE is non-empty
#
# $FT is the directory a test works in (default $BATS_TEST_TMPDIR).

FAULT_PROXY="$(cd "${BASH_SOURCE[0]%/*}/../fixtures" && pwd -P)/fault-proxy.py"
# shellcheck disable=SC2034  # used by the files that load this one
CHECK_INVARIANTS="$(cd "${BASH_SOURCE[0]%/*}" && pwd -P)/check-invariants.py"

canary() {
    printf 'mkcanary%s\n' "$(openssl rand -hex 8)"
}

faults_alt_cert() {
    local dir=$1 ext
    [ -f "$dir/alt.crt" ] && return 0
    ext="$dir/alt.ext"
    printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
        'keyUsage=critical,digitalSignature,keyEncipherment' \
        'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.2' >"$ext"
    if ! openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$dir/alt.key" -out "$dir/alt.csr" -subj "/CN=127.0.0.2" >/dev/null 2>&1 ||
        ! openssl x509 -req -in "$dir/alt.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
            -set_serial "0x$(openssl rand -hex 8)" -days 7 -extfile "$ext" \
            -out "$dir/alt.crt" >/dev/null 2>&1; then
        echo "faults.bash: cannot make a certificate for 127.0.0.2 from $dir/ca.key" >&2
        return 1
    fi
    rm -f "$dir/alt.csr" "$ext"
    chmod 600 "$dir/alt.key"
}

fault_proxy_start() {
    local name=$1 reg=$2 sched=$3 ft=${FT:-$BATS_TEST_TMPDIR} i pid
    local args=(--upstream "$(cat "$reg/scheme")://$(cat "$reg/addr")" --schedule "$sched"
        --log "$ft/$name.log" --addr-file "$ft/$name.addrs" --alt --plain)
    if [ "$(cat "$reg/scheme")" = https ]; then
        faults_alt_cert "$reg" || return 1
        args+=(--upstream-ca "$reg/ca.crt" --tls-cert "$reg/server.crt" --tls-key "$reg/server.key"
            --alt-tls-cert "$reg/alt.crt" --alt-tls-key "$reg/alt.key")
    fi
    rm -f "$ft/$name.addrs"
    : >"$ft/$name.log"
    python3 "$FAULT_PROXY" "${args[@]}" </dev/null >"$ft/$name.stderr" 2>&1 3>&- &
    pid=$!
    printf '%s\n' "$pid" >"$ft/$name.pid"
    for ((i = 0; i < 200; i++)); do
        [ -s "$ft/$name.addrs" ] && break
        _registry_alive "$pid" || break
        sleep 0.05
    done
    [ -s "$ft/$name.addrs" ] || {
        echo "fault proxy $name did not start:" >&2
        cat "$ft/$name.stderr" >&2
        return 1
    }
    jq -r .main "$ft/$name.addrs"
}

fault_proxy_stop() {
    local name=$1 ft=${FT:-$BATS_TEST_TMPDIR} pid i
    [ -f "$ft/$name.pid" ] || return 0
    pid=$(cat "$ft/$name.pid")
    # _registry_alive, not kill -0: the proxy is no child of ours (it was
    # started in a command substitution), so it stays a zombie until
    # something else reaps it.
    if _registry_alive "$pid" &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'fault-proxy\.py'; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 30; i++)); do
            _registry_alive "$pid" || break
            sleep 0.05
        done
        _registry_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$ft/$name.pid"
}

# faults_authfile FILE ADDR USER PASS [ADDR USER PASS]... : containers-auth.json
faults_authfile() {
    local file=$1 json='{}' addr user pass
    shift
    while [ $# -ge 3 ]; do
        addr=$1 user=$2 pass=$3
        shift 3
        json=$(jq -c --arg a "$addr" --arg v "$(printf '%s:%s' "$user" "$pass" | base64 | tr -d '\n')" \
            '.auths[$a] = {auth: $v}' <<<"$json")
    done
    (umask 077 && printf '%s\n' "$json" >"$file")
}

# fault_registry_kill DIR : kill -9 the registry this test started in DIR
# (by its recorded PID, checked to be docker-registry).
fault_registry_kill() {
    local dir=$1 pid i
    pid=$(cat "$dir/pid") || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'docker-registry' || return 1
    kill -KILL "$pid"
    for ((i = 0; i < 50; i++)); do
        _registry_alive "$pid" || break
        sleep 0.1
    done
    wait "$pid" 2>/dev/null || true
    ! _registry_alive "$pid"
}

# fault_registry_restart DIR : start the registry of DIR again, same config
# and port (the fault proxy in front of it keeps its upstream), wait until
# it answers (bounded, ~10 s).
fault_registry_restart() {
    local dir=$1 pid i code tls=0
    [ "$(cat "$dir/scheme")" = https ] && tls=1
    (
        while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^REGISTRY_' || true)
        exec docker-registry serve "$dir/config.yml"
    ) </dev/null >>"$dir/log" 2>&1 3>&- &
    pid=$!
    printf '%s\n' "$pid" >"$dir/pid"
    for ((i = 0; i < 100; i++)); do
        _registry_alive "$pid" || return 1
        code=$(_registry_probe "$dir" "$(cat "$dir/addr")" "$tls") || true
        case $code in 200 | 401) return 0 ;; esac
        sleep 0.1
    done
    return 1
}

# fault_wait_file FILE SECONDS : wait (bounded) until FILE exists
fault_wait_file() {
    local f=$1 n=$(($2 * 10)) i
    for ((i = 0; i < n; i++)); do
        [ -s "$f" ] && return 0
        sleep 0.1
    done
    return 1
}
