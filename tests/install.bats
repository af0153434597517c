#!/usr/bin/env bats
# shellcheck disable=SC2154  # $output/$lines come from bats `run`
#
# make install (install.mk) into a temporary DESTDIR, from the programs
# already built in MK_BIN: nothing is compiled (make -o every program), and
# nothing outside DESTDIR is touched. Then the installed mirrorkit lists the
# tools, runs a plugin from PREFIX/libexec/mirrorkit, the man pages render
# with man -l, the completions are where bash-completion and zsh look; make
# uninstall leaves no file behind. No registry, no network.

bats_require_minimum_version 1.5.0

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
    MK_BIN=$(cd "${MK_BIN:-$ROOT/bin}" && pwd -P)
    DEST=$BATS_FILE_TMPDIR/root
    PREFIX=/usr/local
    INST=$DEST$PREFIX
    export ROOT MK_BIN DEST PREFIX INST
}

# The programs the Makefile builds: tools/NAME and plugins/NAME/main.cpp
# (as mirrorkit-NAME).
programs() {
    local d f
    for d in "$ROOT"/tools/*/; do
        d=${d%/}
        echo "${d##*/}"
    done
    for f in "$ROOT"/plugins/*/main.cpp; do
        [ -f "$f" ] || continue
        d=${f%/main.cpp}
        echo "mirrorkit-${d##*/}"
    done
}

# make TARGET with the installation variables; every program is taken as
# it is in MK_BIN (-o), so make never compiles into the tree.
run_make() {
    local olds=() p
    for p in $(programs); do olds+=(-o "$MK_BIN/$p"); done
    # (a clean make: not the flags, variables or job server of a make that
    # runs the test suite)
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        make -C "$ROOT" --no-print-directory DESTDIR="$DEST" PREFIX="$PREFIX" BIN="$MK_BIN" "${olds[@]}" "$@"
}

# Every file and link under DEST, relative, sorted.
installed_files() {
    (cd "$DEST" 2>/dev/null && find . \( -type f -o -type l \) | sort)
}

@test "make install compiles nothing: it only installs what MK_BIN holds" {
    run -0 run_make -n install
    ! grep -E '(^| )(g\+\+|c\+\+|clang\+\+|ar) ' <<<"$output" || { echo "$output"; return 1; }
    grep -q "install -m 0755 .*$MK_BIN/blob-copy" <<<"$output"
}

@test "make install puts tools in bin, plugins in libexec/mirrorkit, man pages, completions, with their modes" {
    run -0 run_make install
    local p f
    for p in $(programs); do
        case $p in
            mirrorkit-*) f=$INST/libexec/mirrorkit/$p ;;
            *) f=$INST/bin/$p ;;
        esac
        [ -f "$f" ] && [ "$(stat -c %a "$f")" = 755 ] || { echo "$f: missing or not 0755"; return 1; }
        cmp "$f" "$MK_BIN/$p"
    done
    for f in "$ROOT"/plugins/mirrorkit-*; do
        cmp "$f" "$INST/libexec/mirrorkit/${f##*/}"
        [ "$(stat -c %a "$INST/libexec/mirrorkit/${f##*/}")" = 755 ]
    done
    for f in "$ROOT"/man/*.1; do
        [ "$(stat -c %a "$INST/share/man/man1/${f##*/}")" = 644 ]
    done
    [ "$(stat -c %a "$INST/share/man/man7/mirrorkit-records.7")" = 644 ]
    cmp "$ROOT/completions/mirrorkit.bash" "$INST/share/bash-completion/completions/mirrorkit"
    cmp "$ROOT/completions/_mirrorkit" "$INST/share/zsh/vendor-completions/_mirrorkit"
    # nothing but these directories
    [ -z "$(installed_files | grep -vE '^\./usr/local/(bin|libexec/mirrorkit|share/man/man[17]|share/bash-completion/completions|share/zsh/vendor-completions)/[^/]+$')" ]
}

@test "the installed mirrorkit lists the tools and runs a plugin from the installed libexec/mirrorkit" {
    [ -x "$INST/bin/mirrorkit" ]
    local mk=$INST/bin/mirrorkit t
    # a clean environment: no plugin path, a PATH without the build
    run -0 env -i HOME="$BATS_TEST_TMPDIR" PATH=/usr/bin:/bin "$mk" help
    for t in $(programs); do
        [[ $t == mirrorkit* ]] && continue
        grep -qE "^   $t +[a-z]" <<<"$output" || { echo "$t not listed: $output"; return 1; }
    done
    grep -qE "^   mirror-release +$INST/bin/../libexec/mirrorkit/mirrorkit-mirror-release$" <<<"$output"
    run -0 env -i HOME="$BATS_TEST_TMPDIR" PATH=/usr/bin:/bin "$mk" plugins
    grep -qx "mirror-release $INST/bin/../libexec/mirrorkit/mirrorkit-mirror-release (installed)" <<<"$output"
    # the plugin runs, and runs the installed tools (its --version is theirs)
    run -0 env -i HOME="$BATS_TEST_TMPDIR" PATH=/usr/bin:/bin "$mk" mirror-release --version
    [ "$output" = "mirror-release (mirrorkit) $("$MK_BIN/release-list" --version | awk '{print $3}')" ]
    run -0 env -i HOME="$BATS_TEST_TMPDIR" PATH=/usr/bin:/bin "$mk" help mirror-release
    [[ $output == *"See mirrorkit-mirror-release(1)"* ]]
    # and a tool through the front command
    cmp <(env -i PATH=/usr/bin:/bin "$mk" ics-gen --help) <("$MK_BIN/ics-gen" --help)
}

@test "the installed man pages render with man -l, and man finds them by name under PREFIX/share/man" {
    local page
    for page in "$INST"/share/man/man1/*.1 "$INST"/share/man/man7/*.7; do
        run -0 env MANWIDTH=80 man -l -P cat "$page"
        grep -qx NAME <<<"$output" || { echo "$page: ${lines[0]}"; return 1; }
        grep -qx 'SEE ALSO' <<<"$output" || { echo "$page: no SEE ALSO"; return 1; }
    done
    run -0 env MANWIDTH=80 man -l -P cat "$INST/share/man/man1/mirrorkit.1"
    [[ $output == *"MIRRORKIT_PLUGIN_PATH"* ]]
    run -0 env MANWIDTH=80 man -M "$INST/share/man" -P cat mirrorkit-mirror-release
    [[ $output == *"oc adm release mirror"* ]]
}

@test "bash completion: one file, every command name a link to it that registers that command" {
    local dir=$INST/share/bash-completion/completions t
    [ -f "$dir/mirrorkit" ] && [ ! -L "$dir/mirrorkit" ]
    for t in $(programs) mirrorkit-mirror-release; do
        [[ $t == mirrorkit || $t == mirrorkit-storage-* ]] && continue
        [ "$(readlink "$dir/$t")" = mirrorkit ] || { echo "$dir/$t is not a link to mirrorkit"; return 1; }
        # what bash-completion does on demand: source the file named after the command
        bash -c 'source "$1" && complete -p "$2"' _ "$dir/$t" "$t" >/dev/null ||
            { echo "$dir/$t does not register $t"; return 1; }
    done
    bash -c 'source "$1" && complete -p mirrorkit' _ "$dir/mirrorkit" >/dev/null
    head -1 "$INST/share/zsh/vendor-completions/_mirrorkit" | grep -q '^#compdef .*mirrorkit'
}

@test "make uninstall removes every file make install put, and nothing else" {
    [ -n "$(installed_files)" ]
    # a file of someone else's in a shared directory stays
    echo other >"$INST/bin/not-ours"
    run -0 run_make uninstall
    [ "$(installed_files)" = "./usr/local/bin/not-ours" ] || { installed_files; return 1; }
    [ ! -e "$INST/libexec/mirrorkit" ]
    rm "$INST/bin/not-ours"
}
