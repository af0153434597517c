# shellcheck shell=bash
#
# tests/lib/registry.bash - throwaway docker-registry (distribution 2.x)
# instances for mirrorkit tests and demos.
#
# Sourced by Bats (`load lib/registry`) and by plain bash scripts.  Nothing
# here calls `exit`, changes shell options or installs traps, so it is safe
# to source into an interactive shell too.
#
# Public functions:
#   mk_free_port                          -> prints a free TCP port on 127.0.0.1
#   registry_start DIR [--tls] [--auth USER PASS | --token-auth]
#                                         -> starts a registry, prints ADDR
#   registry_stop DIR                     -> stops the registry started in DIR
#                                            (and its token server, if any)
#   registry_addr DIR                     -> prints ADDR (127.0.0.1:PORT)
#   skopeo_args DIR [--src|--dest]        -> skopeo flags, one per line
#   registry_fixture_args DIR             -> make-release.py connection flags,
#                                            one per line (password NOT included;
#                                            pass it via MK_FIXTURE_PASSWORD)
#
# Files written in DIR by registry_start:
#   config.yml  registry config (never the system /etc/docker/registry one)
#   data/       filesystem storage
#   log         registry stdout+stderr
#   addr        "127.0.0.1:PORT"
#   pid         registry PID
#   scheme      "http" or "https"
#   --tls:  ca.crt ca.key server.crt server.key certs/ca.crt
#   --auth: htpasswd auth.json (0600, containers-auth.json format) user
#   --token-auth: Docker token authentication (Bearer) against our own
#           tests/fixtures/token-server.py, users alice:alicepw (pull,push
#           on every repository) and bob:bobpw (pull only):
#           token.key token.crt  throwaway self-signed RSA 2048 signing cert;
#                                also the registry's rootcertbundle
#           token.pid token.addr token.log (JSON line per token request,
#                                no secrets) token.stderr
#           auth.json (alice) auth-bob.json auth-refresh.json (alice's
#                                identitytoken, i.e. OAuth2 refresh token),
#                                all 0600
#           The token server listens on 127.0.0.1 only; it speaks HTTPS
#           (the registry's server cert) when the registry has --tls, plain
#           HTTP otherwise.

# Print a TCP port that is currently free on 127.0.0.1 (chosen by the kernel).
mk_free_port() {
    /usr/bin/env python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
'
}

_registry_err() {
    printf 'registry.bash: %s\n' "$*" >&2
}

# _registry_make_tls DIR : throwaway CA + server cert for 127.0.0.1/localhost
_registry_make_tls() {
    local dir=$1 ext
    ext="$dir/server.ext"
    openssl req -x509 -new -nodes \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 7 \
        -subj "/CN=mirrorkit throwaway test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        >/dev/null 2>&1 || { _registry_err "CA generation failed"; return 1; }
    openssl req -new -nodes \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$dir/server.key" -out "$dir/server.csr" \
        -subj "/CN=localhost" \
        >/dev/null 2>&1 || { _registry_err "server key/CSR generation failed"; return 1; }
    cat >"$ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
EOF
    openssl x509 -req -in "$dir/server.csr" \
        -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days 7 \
        -extfile "$ext" -out "$dir/server.crt" \
        >/dev/null 2>&1 || { _registry_err "server cert signing failed"; return 1; }
    rm -f "$dir/server.csr" "$ext"
    chmod 600 "$dir/ca.key" "$dir/server.key"
    mkdir -p "$dir/certs"
    cp "$dir/ca.crt" "$dir/certs/ca.crt"
}

# _registry_make_token_cert DIR : self-signed RSA 2048 cert that signs the
# tokens; the registry trusts exactly this cert (rootcertbundle). The JWT's
# x5c leaf must verify against a root in the bundle, and a self-signed cert
# in the bundle is its own root.
_registry_make_token_cert() {
    local dir=$1
    openssl req -x509 -new -nodes -newkey rsa:2048 \
        -keyout "$dir/token.key" -out "$dir/token.crt" -days 7 \
        -subj "/CN=mirrorkit throwaway token signer" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,digitalSignature,keyCertSign" \
        -addext "subjectKeyIdentifier=hash" \
        >/dev/null 2>&1 || { _registry_err "token signing cert generation failed"; return 1; }
    chmod 600 "$dir/token.key"
}

# _registry_token_start DIR [TLS] : start tests/fixtures/token-server.py for
# DIR (unless it already runs), wait (bounded, ~10 s) until it answers, write
# DIR/token.pid, DIR/token.addr and DIR/token.scheme. With TLS=1 it serves
# HTTPS with the registry's server cert (a TLS registry's realm must not be
# plain HTTP: clients refuse to send credentials there).
_registry_token_start() {
    local dir=$1 tls=${2:-0} server pid port i code scheme=http
    local tls_args=() curl_tls=()
    if [ "$tls" = 1 ]; then
        scheme=https
        tls_args=(--tls-cert "$dir/server.crt" --tls-key "$dir/server.key")
        curl_tls=(--cacert "$dir/ca.crt")
    fi
    printf '%s\n' "$scheme" >"$dir/token.scheme"
    if [ -f "$dir/token.pid" ] && _registry_alive "$(cat "$dir/token.pid")"; then
        return 0
    fi
    server="$(cd "${BASH_SOURCE[0]%/*}/../fixtures" && pwd -P)/token-server.py"
    [ -f "$server" ] || { _registry_err "missing $server"; return 1; }
    rm -f "$dir/token.port" "$dir/token.addr" "$dir/token.pid"
    (
        exec python3 "$server" --port 0 --port-file "$dir/token.port" \
            --key "$dir/token.key" --cert "$dir/token.crt" \
            --issuer mirrorkit-test-token-issuer --service mirrorkit-test-registry \
            --user alice:alicepw --user bob:bobpw \
            --grant 'alice:*:pull,push' --grant 'bob:*:pull' \
            --refresh-token "$(cat "$dir/refresh-token"):alice" \
            --log "$dir/token.log" \
            ${tls_args[@]+"${tls_args[@]}"}
    ) </dev/null >>"$dir/token.stderr" 2>&1 3>&- &
    pid=$!
    printf '%s\n' "$pid" >"$dir/token.pid"
    for ((i = 0; i < 100; i++)); do
        _registry_alive "$pid" || break
        if [ -s "$dir/token.port" ]; then
            port=$(cat "$dir/token.port")
            code=$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 2 \
                ${curl_tls[@]+"${curl_tls[@]}"} \
                "$scheme://127.0.0.1:$port/token?service=mirrorkit-test-registry" 2>/dev/null)
            if [ "$code" = 200 ]; then
                printf '127.0.0.1:%s\n' "$port" >"$dir/token.addr"
                return 0
            fi
        fi
        sleep 0.1
    done
    _registry_err "token server in $dir did not become ready; stderr tail:"
    tail -n 20 "$dir/token.stderr" >&2
    _registry_token_stop "$dir"
    return 1
}

# _registry_token_stop DIR : stop only the PID recorded in DIR/token.pid.
_registry_token_stop() {
    local dir=$1 pid i
    [ -f "$dir/token.pid" ] || return 0
    pid=$(cat "$dir/token.pid")
    case $pid in
    '' | *[!0-9]*)
        rm -f "$dir/token.pid"
        return 0 ;;
    esac
    if _registry_alive "$pid" &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'token-server\.py'; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            _registry_alive "$pid" || break
            sleep 0.1
        done
        _registry_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    _registry_alive "$pid" || wait "$pid" 2>/dev/null || true
    rm -f "$dir/token.pid"
    return 0
}

# _registry_write_config DIR PORT TLS(0|1) AUTH(0|1) [TOKEN(0|1)] [SCHEMA1(0|1)] [DELETE(1|0)]
_registry_write_config() {
    local dir=$1 port=$2 tls=$3 auth=$4 token=${5:-0} schema1=${6:-0} delete=${7:-1}
    local delete_enabled=true
    [ "$delete" = 1 ] || delete_enabled=false
    {
        printf '%s\n' \
            'version: 0.1' \
            'log:' \
            '  level: info' \
            '  formatter: text' \
            '  fields:' \
            '    service: registry' \
            'storage:' \
            '  filesystem:' \
            "    rootdirectory: \"$dir/data\"" \
            '  delete:' \
            "    enabled: $delete_enabled" \
            '  maintenance:' \
            '    uploadpurging:' \
            '      enabled: false' \
            'http:' \
            "  addr: 127.0.0.1:$port" \
            '  net: tcp' \
            '  secret: mirrorkit-test-fixed-http-secret' \
            '  headers:' \
            '    X-Content-Type-Options: [nosniff]'
        if [ "$tls" = 1 ]; then
            printf '%s\n' \
                '  tls:' \
                "    certificate: \"$dir/server.crt\"" \
                "    key: \"$dir/server.key\""
        fi
        if [ "$auth" = 1 ]; then
            printf '%s\n' \
                'auth:' \
                '  htpasswd:' \
                '    realm: mirrorkit-test' \
                "    path: \"$dir/htpasswd\""
        fi
        if [ "$token" = 1 ]; then
            printf '%s\n' \
                'auth:' \
                '  token:' \
                "    realm: \"$(cat "$dir/token.scheme")://$(cat "$dir/token.addr")/token\"" \
                '    service: mirrorkit-test-registry' \
                '    issuer: mirrorkit-test-token-issuer' \
                "    rootcertbundle: \"$dir/token.crt\""
        fi
        if [ "$schema1" = 1 ]; then
            # Docker schema 1 manifests (signed only), refused by default.
            printf '%s\n' \
                'compatibility:' \
                '  schema1:' \
                '    enabled: true'
        fi
    } >"$dir/config.yml"
}

# _registry_probe DIR ADDR TLS -> prints HTTP status of GET /v2/ (000 on failure)
_registry_probe() {
    local dir=$1 addr=$2 tls=$3
    if [ "$tls" = 1 ]; then
        curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 2 \
            --cacert "$dir/ca.crt" "https://$addr/v2/" 2>/dev/null
    else
        curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 2 \
            "http://$addr/v2/" 2>/dev/null
    fi
}

# _registry_alive PID -> 0 if PID exists and is not a zombie
_registry_alive() {
    local pid=$1 state
    [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# registry_start DIR [--tls] [--auth USER PASS | --token-auth] [--schema1] [--no-delete]
# (--no-delete: storage.delete.enabled false, as docker-registry defaults to.)
# Starts `docker-registry serve DIR/config.yml` listening on 127.0.0.1 only,
# waits (bounded, ~10 s) until /v2/ answers, prints "127.0.0.1:PORT".
# --token-auth also starts the token server (see the file list above).
registry_start() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        _registry_err "usage: registry_start DIR [--tls] [--auth USER PASS | --token-auth] [--schema1]"
        return 2
    fi
    local dir=$1
    shift
    local tls=0 auth=0 user='' pass='' token=0 schema1=0 delete=1
    while [ $# -gt 0 ]; do
        case $1 in
        --tls) tls=1; shift ;;
        --schema1) schema1=1; shift ;;
        --no-delete) delete=0; shift ;;
        --token-auth) token=1; shift ;;
        --auth)
            if [ $# -lt 3 ]; then
                _registry_err "--auth needs USER PASS"
                return 2
            fi
            auth=1; user=$2; pass=$3; shift 3 ;;
        *)
            _registry_err "registry_start: unknown option: $1"
            return 2 ;;
        esac
    done
    if [ "$auth" = 1 ] && [ "$token" = 1 ]; then
        _registry_err "--auth and --token-auth exclude each other"
        return 2
    fi

    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd -P) || return 1

    if [ -f "$dir/pid" ] && _registry_alive "$(cat "$dir/pid")"; then
        _registry_err "a registry already runs for $dir (pid $(cat "$dir/pid"))"
        return 1
    fi
    _registry_token_stop "$dir"
    # Drop anything left over from an earlier start with other options.
    rm -f "$dir/pid" "$dir/addr" "$dir/scheme" "$dir/log" "$dir/config.yml" \
        "$dir/ca.crt" "$dir/ca.key" "$dir/server.crt" "$dir/server.key" \
        "$dir/htpasswd" "$dir/auth.json" "$dir/user"
    rm -f "$dir/token.key" "$dir/token.crt" "$dir/token.addr" "$dir/token.port" \
        "$dir/token.log" "$dir/token.stderr" "$dir/refresh-token" \
        "$dir/auth-bob.json" "$dir/auth-refresh.json"
    rm -rf "$dir/certs"
    mkdir -p "$dir/data" || return 1

    if [ "$tls" = 1 ]; then
        _registry_make_tls "$dir" || return 1
    fi
    if [ "$auth" = 1 ]; then
        htpasswd -Bbn "$user" "$pass" >"$dir/htpasswd" 2>/dev/null ||
            { _registry_err "htpasswd failed"; return 1; }
        printf '%s\n' "$user" >"$dir/user"
    fi
    if [ "$token" = 1 ]; then
        _registry_make_token_cert "$dir" || return 1
        (umask 077 && openssl rand -hex 24 >"$dir/refresh-token") ||
            { _registry_err "cannot make a refresh token"; return 1; }
    fi

    local attempt port addr pid code i ready
    for attempt in 1 2 3; do
        port=$(mk_free_port) || { _registry_err "cannot find a free port"; return 1; }
        addr="127.0.0.1:$port"
        if [ "$token" = 1 ]; then
            _registry_token_start "$dir" "$tls" || return 1
        fi
        _registry_write_config "$dir" "$port" "$tls" "$auth" "$token" "$schema1" "$delete"
        : >"$dir/log"
        # Background it with every standard fd redirected and Bats' fd 3
        # closed, so Bats does not wait on us. REGISTRY_* env vars would
        # override the config file, so drop them.
        (
            while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^REGISTRY_' || true)
            exec docker-registry serve "$dir/config.yml"
        ) </dev/null >>"$dir/log" 2>&1 3>&- &
        pid=$!
        printf '%s\n' "$pid" >"$dir/pid"

        ready=0
        for ((i = 0; i < 100; i++)); do
            if ! _registry_alive "$pid"; then
                break
            fi
            code=$(_registry_probe "$dir" "$addr" "$tls")
            if [ "$code" = 200 ] || { [ "$auth$token" != 00 ] && [ "$code" = 401 ]; }; then
                ready=1
                break
            fi
            sleep 0.1
        done
        if [ "$ready" = 1 ]; then
            break
        fi
        # Not ready: stop whatever is left, retry only on a port race.
        registry_stop "$dir" >/dev/null 2>&1
        if grep -q 'address already in use' "$dir/log" 2>/dev/null && [ "$attempt" -lt 3 ]; then
            continue
        fi
        _registry_err "registry in $dir did not become ready on $addr; log tail:"
        tail -n 20 "$dir/log" >&2
        return 1
    done

    printf '%s\n' "$addr" >"$dir/addr"
    if [ "$tls" = 1 ]; then
        echo https >"$dir/scheme"
    else
        echo http >"$dir/scheme"
    fi
    if [ "$auth" = 1 ]; then
        local b64
        b64=$(printf '%s:%s' "$user" "$pass" | base64 | tr -d '\n')
        (
            umask 077
            printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$addr" "$b64" >"$dir/auth.json"
        )
        chmod 600 "$dir/auth.json"
    fi
    if [ "$token" = 1 ]; then
        _registry_write_token_auth_files "$dir" "$addr" || return 1
    fi
    printf '%s\n' "$addr"
}

# _registry_write_token_auth_files DIR ADDR : auth.json (alice), auth-bob.json,
# auth-refresh.json (alice's identitytoken, as `docker login` stores it).
_registry_write_token_auth_files() {
    local dir=$1 addr=$2 alice bob tok
    alice=$(printf '%s' alice:alicepw | base64 | tr -d '\n')
    bob=$(printf '%s' bob:bobpw | base64 | tr -d '\n')
    tok=$(cat "$dir/refresh-token") || return 1
    (
        umask 077
        printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$addr" "$alice" >"$dir/auth.json"
        printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$addr" "$bob" >"$dir/auth-bob.json"
        printf '{"auths":{"%s":{"auth":"%s","identitytoken":"%s"}}}\n' "$addr" \
            "$(printf '%s' '<token>:' | base64 | tr -d '\n')" "$tok" >"$dir/auth-refresh.json"
    ) || return 1
    chmod 600 "$dir/auth.json" "$dir/auth-bob.json" "$dir/auth-refresh.json"
}

# registry_stop DIR : stop only the PIDs recorded in DIR/pid (and DIR/token.pid).
registry_stop() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        _registry_err "usage: registry_stop DIR"
        return 2
    fi
    local dir=$1 pid i
    _registry_token_stop "$dir"
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    case $pid in
    '' | *[!0-9]*)
        rm -f "$dir/pid"
        return 0 ;;
    esac
    if _registry_alive "$pid"; then
        # Guard against PID reuse: only signal our own docker-registry.
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'docker-registry'; then
            kill -TERM "$pid" 2>/dev/null
            for ((i = 0; i < 50; i++)); do
                _registry_alive "$pid" || break
                sleep 0.1
            done
            if _registry_alive "$pid"; then
                kill -KILL "$pid" 2>/dev/null
                for ((i = 0; i < 20; i++)); do
                    _registry_alive "$pid" || break
                    sleep 0.1
                done
            fi
        fi
    fi
    # Reap it if it is our (now dead) child; returns at once for non-children.
    _registry_alive "$pid" || wait "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    return 0
}

# registry_addr DIR : prints 127.0.0.1:PORT
registry_addr() {
    cat "$1/addr"
}

# skopeo_args DIR [--src|--dest]
# Prints the flags skopeo needs for the registry in DIR, one per line, e.g.
#   skopeo inspect $(skopeo_args "$d") docker://$(registry_addr "$d")/repo:tag
#   mapfile -t a < <(skopeo_args "$d" --src); skopeo copy "${a[@]}" ...
# Without a prefix the flags suit inspect / list-tags / delete / login
# (--tls-verify, --cert-dir, --authfile); --src/--dest give the skopeo copy
# / sync variants (--src-tls-verify, --src-cert-dir, --src-authfile, ...).
skopeo_args() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        _registry_err "usage: skopeo_args DIR [--src|--dest]"
        return 2
    fi
    local dir=$1 p=''
    case ${2:-} in
    '') p='' ;;
    --src) p='src-' ;;
    --dest) p='dest-' ;;
    *) _registry_err "skopeo_args: unknown option: $2"; return 2 ;;
    esac
    dir=$(cd "$dir" && pwd -P) || return 1
    if [ "$(cat "$dir/scheme" 2>/dev/null)" = https ]; then
        printf -- '--%scert-dir=%s\n' "$p" "$dir/certs"
    else
        printf -- '--%stls-verify=false\n' "$p"
    fi
    if [ -f "$dir/auth.json" ]; then
        printf -- '--%sauthfile=%s\n' "$p" "$dir/auth.json"
    fi
}

# registry_fixture_args DIR
# Connection flags for tests/fixtures/make-release.py, one per line:
#   --registry ADDR, then --plain or --ca DIR/ca.crt, then --user USER if auth
# is on. Supply the password via MK_FIXTURE_PASSWORD.
registry_fixture_args() {
    local dir=$1
    dir=$(cd "$dir" && pwd -P) || return 1
    printf '%s\n' --registry "$(cat "$dir/addr")"
    if [ "$(cat "$dir/scheme" 2>/dev/null)" = https ]; then
        printf '%s\n' --ca "$dir/ca.crt"
    else
        printf '%s\n' --plain
    fi
    if [ -f "$dir/user" ]; then
        printf '%s\n' --user "$(cat "$dir/user")"
    fi
}
