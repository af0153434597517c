#!/usr/bin/env bats
# shellcheck disable=SC2154  # $stderr comes from run --separate-stderr
#
# Documentation checks, for every tool (each directory tools/NAME/):
# man/NAME.1 exists and renders without warnings, names every option that
# `NAME --help` prints and documents the exit statuses; the bash and zsh
# completions offer exactly those options; --version and usage errors follow
# the coreutils conventions. man/mirrorkit-records.7 renders without warnings.
#
# Needs man-db (man, lexgrog) and groff-base (groff); no registry, no network.

bats_require_minimum_version 1.5.0

setup() {
    ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
    BIN=${MK_BIN:-$BATS_TEST_DIRNAME/../bin}
    MAN_DIR=$ROOT/man
    BASH_COMPLETION=$ROOT/completions/mirrorkit.bash
    ZSH_COMPLETION=$ROOT/completions/_mirrorkit
    export MANWIDTH=80 LC_ALL=C.UTF-8
}

# The tools: one per directory tools/NAME/.
tools() {
    local d
    for d in "$ROOT"/tools/*/; do
        d=${d%/}
        printf '%s\n' "${d##*/}"
    done
}

# The options `TOOL --help` prints, one per line: short ("-a") and long
# ("--registry-config"), from Boost's "  -a [ --registry-config ] FILE" and
# "  --ca-file FILE" lines.
help_options() {
    "$BIN/$1" --help | grep -E '^  -' | grep -oE '^  (-[[:alnum:]] \[ )?--[[:alnum:]-]+' |
        grep -oE -- '-{1,2}[[:alnum:]][[:alnum:]-]*'
}

# Plain text of a man page, wide enough that no option is split.
render_text() {
    groff -man -Tascii -P-cbou -rLL=500n "$1" 2>/dev/null
}

# Every warning man-db and groff give for a page; empty when clean.
# (man exits 0 even with warnings, so stderr is what counts. Note -Tutf8:
# "-T utf8" would make man read a page called "utf8".)
render_warnings() {
    # shellcheck disable=SC2069  # keep stderr, drop the rendered page
    man --warnings -l -E UTF-8 -Tutf8 "$1" 2>&1 >/dev/null
    groff -man -ww -z "$1" 2>&1
}

# Whether TEXT (stdin) holds OPTION as a whole word.
has_option() {
    grep -qE -- "(^|[^[:alnum:]-])$1([^[:alnum:]-]|\$)"
}

# What the bash completion offers for the words given (the last one is
# being completed), one per line, in a clean shell.
bash_complete() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mirrorkit "$1"; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$BASH_COMPLETION" "$@"
}

# Ends a test that collected failures in the array "failures".
report() {
    if ((${#failures[@]})); then
        printf '%s\n' "${failures[@]}" >&2
        return 1
    fi
}

@test "every tool is built and prints its options" {
    local failures=() t
    [ -n "$(tools)" ]
    for t in $(tools); do
        if [ ! -x "$BIN/$t" ]; then
            failures+=("$t: $BIN/$t is missing (run make, or set MK_BIN)")
            continue
        fi
        help_options "$t" | grep -qx -- --help || failures+=("$t: no --help in the options --help prints")
        help_options "$t" | grep -qx -- --version || failures+=("$t: no --version in the options --help prints")
    done
    report
}

@test "every tool has a man page that renders without warnings" {
    local failures=() t page warnings
    for t in $(tools); do
        page=$MAN_DIR/$t.1
        if [ ! -f "$page" ]; then
            failures+=("$t: no man page $page")
            continue
        fi
        warnings=$(render_warnings "$page")
        [ -z "$warnings" ] || failures+=("$t.1: $warnings")
        # whatis(1) must be able to read the NAME section.
        lexgrog "$page" | grep -qF "\"$t - " || failures+=("$t.1: NAME section not parsed by lexgrog")
    done
    report
}

@test "man/mirrorkit-records.7 renders without warnings" {
    local page=$MAN_DIR/mirrorkit-records.7 warnings
    [ -f "$page" ]
    warnings=$(render_warnings "$page")
    echo "$warnings"
    [ -z "$warnings" ]
    lexgrog "$page" | grep -qF '"mirrorkit-records - '
}

@test "every man page in man/ belongs to a tool or is mirrorkit-records(7)" {
    local failures=() page name
    for page in "$MAN_DIR"/*.[0-9]; do
        name=${page##*/}
        [[ $name == mirrorkit-records.7 ]] && continue
        # a script plugin's page (plugins/mirrorkit-NAME, checked below)
        [[ $name == mirrorkit-*.1 && -f $ROOT/plugins/${name%.1} ]] && continue
        # a compiled plugin's page (plugins/NAME/main.cpp), and the storage
        # plugin protocol's
        [[ $name == mirrorkit-*.1 && -f $ROOT/plugins/$(basename "${name#mirrorkit-}" .1)/main.cpp ]] && continue
        [[ $name == mirrorkit-storage.7 ]] && continue
        [ -d "$ROOT/tools/${name%.1}" ] || failures+=("$name: no tool tools/${name%.1}/")
    done
    report
}

# The text of section HEADING of a rendered page (stdin), up to the next one.
section() {
    sed -n "/^$1\$/,/^[A-Z][A-Z ]*\$/p"
}

@test "every option --help prints is documented in the man page's OPTIONS" {
    local failures=() t opt options
    for t in $(tools); do
        [ -f "$MAN_DIR/$t.1" ] || { failures+=("$t: no man page"); continue; }
        options=$(render_text "$MAN_DIR/$t.1" | section OPTIONS)
        [ -n "$options" ] || { failures+=("$t.1: no OPTIONS section"); continue; }
        for opt in $(help_options "$t"); do
            has_option "$opt" <<<"$options" || failures+=("$t.1: option $opt is not in OPTIONS")
        done
    done
    report
}

@test "every man page documents exit statuses 0, 1, 2, 3, 4, 5, 130 and refers to mirrorkit-records(7)" {
    local failures=() t text status section code
    for t in $(tools); do
        [ -f "$MAN_DIR/$t.1" ] || { failures+=("$t: no man page"); continue; }
        text=$(render_text "$MAN_DIR/$t.1")
        for section in SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' ENVIRONMENT SECURITY EXAMPLES 'SEE ALSO'; do
            grep -qx "$section" <<<"$text" || failures+=("$t.1: no section $section")
        done
        status=$(section 'EXIT STATUS' <<<"$text")
        for code in 0 1 2 3 4 5 130; do
            grep -qE "^ +$code( |\$)" <<<"$status" || failures+=("$t.1: exit status $code not documented")
        done
        grep -qF 'mirrorkit-records(7)' <<<"$text" || failures+=("$t.1: no reference to mirrorkit-records(7)")
    done
    report
}

@test "--help names man pages that exist" {
    local failures=() t
    for t in $(tools); do
        run -0 "$BIN/$t" --help
        [[ $output == *"See $t(1) and mirrorkit-records(7)."* ]] || failures+=("$t --help: no 'See $t(1) and mirrorkit-records(7).'")
        [ -f "$MAN_DIR/$t.1" ] || failures+=("$t --help names $t(1), which does not exist")
    done
    [ -f "$MAN_DIR/mirrorkit-records.7" ]
    report
}

@test "bash completion offers exactly the options --help prints" {
    local failures=() t want got opt
    [ -f "$BASH_COMPLETION" ]
    for t in $(tools); do
        want=$(help_options "$t" | sort)
        got=$(bash_complete "$t" - | sort)
        [ "$want" = "$got" ] ||
            failures+=("$t: completion offers [$(tr '\n' ' ' <<<"$got")], --help prints [$(tr '\n' ' ' <<<"$want")]")
        for opt in $(help_options "$t"); do
            [[ $opt == --* ]] || continue
            has_option "$opt" <"$BASH_COMPLETION" || failures+=("mirrorkit.bash: no $opt")
        done
    done
    # Every tool is registered.
    for t in $(tools); do
        bash -c 'source "$1"; complete -p "$2"' _ "$BASH_COMPLETION" "$t" >/dev/null 2>&1 ||
            failures+=("mirrorkit.bash: no 'complete' for $t")
    done
    report
}

@test "bash completion offers files for credentials, CA and record files" {
    local failures=() t opt
    cd "$BATS_TEST_TMPDIR"
    touch pull-secret.json
    for t in $(tools); do
        for opt in -a --registry-config --ca-file --file; do
            help_options "$t" | grep -qx -- "$opt" || continue
            [ "$(bash_complete "$t" "$opt" pull)" = pull-secret.json ] ||
                failures+=("$t $opt: does not complete file names")
            [ "$(bash_complete "$t" "$opt" = pull)" = pull-secret.json ] ||
                failures+=("$t $opt=: does not complete file names")
        done
    done
    [ "$(bash_complete ics-gen pull)" = pull-secret.json ] || failures+=("ics-gen FILE: does not complete file names")
    report
}

@test "zsh completion names every option --help prints" {
    local failures=() t opt
    [ -f "$ZSH_COMPLETION" ]
    head -1 "$ZSH_COMPLETION" | grep -q '^#compdef '
    for t in $(tools); do
        head -1 "$ZSH_COMPLETION" | has_option "$t" || failures+=("_mirrorkit: $t not in #compdef")
        for opt in $(help_options "$t"); do
            has_option "$opt" <"$ZSH_COMPLETION" || failures+=("_mirrorkit: no $opt (for $t)")
        done
    done
    report
}

@test "--version exits 0 and names the tool" {
    local failures=() t
    for t in $(tools); do
        run -0 "$BIN/$t" --version
        [[ $output == "$t (mirrorkit) "* ]] || failures+=("$t --version printed: $output")
    done
    report
}

@test "an unknown option exits 2 with a hint on standard error" {
    local failures=() t
    for t in $(tools); do
        run --separate-stderr "$BIN/$t" --no-such-option
        [ "$status" -eq 2 ] || failures+=("$t --no-such-option: exit $status, want 2")
        [[ $stderr == *"Try '$t --help'"* ]] || failures+=("$t --no-such-option: stderr lacks \"Try '$t --help'\": $stderr")
        [ -z "$output" ] || failures+=("$t --no-such-option: wrote to standard output: $output")
    done
    report
}

@test "no option is taken by a prefix of its name (adding an option never changes a script)" {
    local failures=() t opt prefix all
    for t in $(tools); do
        all=$(help_options "$t")
        for opt in $(grep -E '^--.{3,}' <<<"$all"); do
            prefix=${opt%?}
            grep -qx -- "$prefix" <<<"$all" && continue  # itself an option (--to of --to-dir)
            run --separate-stderr "$BIN/$t" "$prefix" x
            [ "$status" -eq 2 ] || failures+=("$t $prefix: exit $status, want 2 (taken for $opt?)")
            # (secret-merge refuses anything like --password with its own message)
            [[ $stderr == *"unrecognised option '$prefix'"* || $stderr == *"there is no --password option"* ]] ||
                failures+=("$t $prefix: stderr: $stderr")
        done
    done
    report
}

# plugin_docs P OPTS: plugin P's man page (renders, NAME for whatis,
# sections, exit statuses, mirrorkit-records(7), every option of OPTS in
# OPTIONS) and completions (zsh names each option, bash offers exactly OPTS
# by the plugin's file name, #compdef names it); problems are added to the
# caller's "failures". Fails when P has no man page at all.
plugin_docs() {
    local p=$1 opts=$2 text code want got
    [ -f "$MAN_DIR/$p.1" ] || { failures+=("$p: no man page $MAN_DIR/$p.1"); return 1; }
    got=$(render_warnings "$MAN_DIR/$p.1")
    [ -z "$got" ] || failures+=("$p.1: $got")
    lexgrog "$MAN_DIR/$p.1" | grep -qF "\"$p - " || failures+=("$p.1: NAME section not parsed by lexgrog")
    text=$(render_text "$MAN_DIR/$p.1")
    for code in SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
        grep -qx "$code" <<<"$text" || failures+=("$p.1: no section $code")
    done
    for code in 0 1 2 130; do
        section 'EXIT STATUS' <<<"$text" | grep -qE "^ +$code( |\$)" || failures+=("$p.1: exit status $code not documented")
    done
    grep -qF 'mirrorkit-records(7)' <<<"$text" || failures+=("$p.1: no reference to mirrorkit-records(7)")
    for code in $opts; do
        section OPTIONS <<<"$text" | has_option "$code" || failures+=("$p.1: option $code is not in OPTIONS")
        has_option "$code" <"$ZSH_COMPLETION" || failures+=("_mirrorkit: no $code (for $p)")
    done
    want=$(sort <<<"$opts")
    got=$(bash_complete "$p" - | sort)
    [ "$want" = "$got" ] || failures+=("$p: bash completion offers [$(tr '\n' ' ' <<<"$got")], --help prints [$(tr '\n' ' ' <<<"$want")]")
    head -1 "$ZSH_COMPLETION" | has_option "$p" || failures+=("_mirrorkit: $p not in #compdef")
}

# Script plugins (plugins/mirrorkit-NAME, run as `mirrorkit NAME`): the same
# conventions as the tools. They run the tools of $BIN.
script_plugins() {
    local f
    for f in "$ROOT"/plugins/mirrorkit-*; do
        [ -f "$f" ] && [ -x "$f" ] && printf '%s\n' "${f##*/}"
    done
}

@test "every script plugin: --help, --version, usage errors, a man page and completions like a tool's" {
    local failures=() p opts want got
    export MIRRORKIT_EXEC_PATH=$BIN
    [ -n "$(script_plugins)" ]
    for p in $(script_plugins); do
        opts=$("$ROOT/plugins/$p" --help | grep -E '^  -' | grep -oE '^  (-[[:alnum:]] \[ )?--[[:alnum:]-]+' |
            grep -oE -- '-{1,2}[[:alnum:]][[:alnum:]-]*')
        grep -qx -- --help <<<"$opts" || failures+=("$p --help: no --help among the options")
        "$ROOT/plugins/$p" --help | grep -qF "See $p(1) and mirrorkit-records(7)." ||
            failures+=("$p --help: no 'See $p(1) and mirrorkit-records(7).'")
        run -0 "$ROOT/plugins/$p" --version
        [[ $output == "${p#mirrorkit-} (mirrorkit) "* ]] || failures+=("$p --version printed: $output")
        run --separate-stderr "$ROOT/plugins/$p" --no-such-option
        [ "$status" -eq 2 ] || failures+=("$p --no-such-option: exit $status, want 2")
        [[ $stderr == *"Try '"*"--help'"* ]] || failures+=("$p --no-such-option: no hint: $stderr")
        [ -z "$output" ] || failures+=("$p --no-such-option: wrote to standard output")
        plugin_docs "$p" "$opts" || continue
        # the completions through the front command too
        want=$(sort <<<"$opts")
        got=$(bash_complete mirrorkit "${p#mirrorkit-}" - | sort)
        [ "$want" = "$got" ] || failures+=("mirrorkit ${p#mirrorkit-}: bash completion offers [$(tr '\n' ' ' <<<"$got")]")
    done
    report
}

# Compiled plugins (plugins/NAME/main.cpp, built as $BIN/mirrorkit-NAME): the
# conventions of the tools, under their own file name.
compiled_plugins() {
    local d
    for d in "$ROOT"/plugins/*/; do
        [ -f "$d/main.cpp" ] && d=${d%/} && printf 'mirrorkit-%s\n' "${d##*/}"
    done
}

@test "every compiled plugin: --help, --version, usage errors, a man page and completions like a tool's" {
    local failures=() p opts
    for p in $(compiled_plugins); do
        [ -x "$BIN/$p" ] || { failures+=("$p: $BIN/$p is missing (run make, or set MK_BIN)"); continue; }
        opts=$(help_options "$p")
        grep -qx -- --help <<<"$opts" || failures+=("$p --help: no --help among the options")
        grep -qx -- --version <<<"$opts" || failures+=("$p --help: no --version among the options")
        "$BIN/$p" --help | grep -qF "See $p(1) and mirrorkit-records(7)." ||
            failures+=("$p --help: no 'See $p(1) and mirrorkit-records(7).'")
        run -0 "$BIN/$p" --version
        [[ $output == "$p (mirrorkit) "* ]] || failures+=("$p --version printed: $output")
        run --separate-stderr "$BIN/$p" --no-such-option
        [ "$status" -eq 2 ] || failures+=("$p --no-such-option: exit $status, want 2")
        [[ $stderr == *"Try '$p --help'"* ]] || failures+=("$p --no-such-option: no hint: $stderr")
        [ -z "$output" ] || failures+=("$p --no-such-option: wrote to standard output")
        plugin_docs "$p" "$opts" || continue
    done
    report
}

@test "man/mirrorkit-storage.7 (the storage plugin protocol) renders without warnings" {
    local page=$MAN_DIR/mirrorkit-storage.7 warnings
    [ -f "$page" ]
    warnings=$(render_warnings "$page")
    echo "$warnings"
    [ -z "$warnings" ]
    lexgrog "$page" | grep -qF '"mirrorkit-storage - '
}
