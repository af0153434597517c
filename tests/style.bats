#!/usr/bin/env bats
#
# Code conventions that a machine can check (README, "Code layout"): the module order
# of lib/ (a module includes only modules before it, so the library is a
# stack, not a web) and the clang-format style of .clang-format.

setup() {
    ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
}

# The modules of lib/ in order; modules on one line are peers (neither may
# include the other). testing/ is test support: any test may include it, no
# library code may.
MODULE_ORDER=(
    "base"
    "digest archive plugin"
    "json"
    "ref"
    "oci"
    "records mutate"
    "auth"
    "http"
    "registry"
    "store"
    "copy layout mirrorconfig samples rewrite signature graph progress"
    "release"
    "catalog prune"
    "session"
    "cli"
)

rank_of() {
    local i m
    for i in "${!MODULE_ORDER[@]}"; do
        for m in ${MODULE_ORDER[$i]}; do
            [ "$m" = "$1" ] && { echo "$i"; return; }
        done
    done
    echo -1
}

@test "every module of lib/ has a place in the module order" {
    local failures=() d m
    for d in "$ROOT"/lib/*/; do
        m=$(basename "$d")
        [ "$m" = testing ] && continue
        [ "$(rank_of "$m")" -ge 0 ] || failures+=("lib/$m is not in MODULE_ORDER (tests/style.bats and the README's Code layout)")
    done
    ((${#failures[@]} == 0)) || { printf '%s\n' "${failures[@]}" >&2; return 1; }
}

@test "lib/ includes respect the module order" {
    local failures=() f m dep mr dr test
    while IFS= read -r f; do
        m=${f#"$ROOT"/lib/}; m=${m%%/*}
        test=0; [[ $f == *_test.cc ]] && test=1
        [ "$m" = testing ] && test=1
        mr=$(rank_of "$m")
        while IFS= read -r dep; do
            [ "$dep" = "$m" ] && continue
            if [ "$dep" = testing ]; then
                ((test)) || failures+=("${f#"$ROOT"/}: library code includes testing/")
                continue
            fi
            dr=$(rank_of "$dep")
            if [ "$dr" -lt 0 ]; then
                failures+=("${f#"$ROOT"/}: includes unknown module $dep/")
            elif [ "$m" != testing ] && [ "$dr" -ge "$mr" ]; then
                failures+=("${f#"$ROOT"/}: $m/ includes $dep/, which comes at or after it in the module order")
            fi
        done < <(sed -n 's|^#include "\([a-z_]*\)/.*|\1|p' "$f" | sort -u)
    done < <(find "$ROOT/lib" -name '*.h' -o -name '*.cc' | sort)
    ((${#failures[@]} == 0)) || { printf '%s\n' "${failures[@]}" >&2; return 1; }
}

@test "tools include only lib/ modules, and test support never" {
    local failures=() f
    for f in "$ROOT"/tools/*/main.cpp; do
        if grep -q '^#include "testing/' "$f"; then failures+=("${f#"$ROOT"/}: includes testing/"); fi
    done
    ((${#failures[@]} == 0)) || { printf '%s\n' "${failures[@]}" >&2; return 1; }
}

@test "the sources are formatted as .clang-format says (make format fixes them)" {
    command -v clang-format >/dev/null || { echo "clang-format is not installed (make deps)" >&2; return 1; }
    run make -s -C "$ROOT" format-check
    [ "$status" -eq 0 ] || { echo "$output" | head -40 >&2; return 1; }
}
