# bash completion for the mirrorkit tools: release-list, blob-copy, ics-gen.
#
# Install: copy or link this file to
# /usr/share/bash-completion/completions/{release-list,blob-copy,ics-gen}
# (bash-completion loads a file by command name), or `source` it from
# ~/.bashrc.  Works with or without the bash-completion package.
#
# The option lists below must match each tool's --help exactly;
# tests/docs.bats checks them.

# Prints the options TOOL accepts, one per line.
_mirrorkit_options() {
    local registry=(-a --registry-config --ca-file --insecure)
    case $1 in
        release-list)
            printf '%s\n' -h --help --version --to --to-release-image --arch --release "${registry[@]}" ;;
        blob-copy)
            printf '%s\n' -h --help --version -j --jobs --chunk-size --image "${registry[@]}" ;;
        ics-gen)
            printf '%s\n' -h --help --version --file ;;
    esac
}

# Completes file names matching $1 into COMPREPLY.
_mirrorkit_files() {
    if declare -F _filedir >/dev/null; then
        cur=$1 _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_mirrorkit() {
    local tool=${1##*/}
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # "--opt=value": bash splits at "=" (COMP_WORDBREAKS), giving
    # "--opt" "=" "value", or "--opt" "=" while the value is still empty.
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    # The argument of the option before the cursor.
    case $prev in
        -a | --registry-config | --ca-file)
            _mirrorkit_files "$cur"
            return ;;
        --file)
            [[ $tool == ics-gen ]] && _mirrorkit_files "$cur"
            return ;;
        --arch)
            [[ $tool == release-list ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'x86_64 aarch64 ppc64le s390x amd64 arm64' -- "$cur")
            return ;;
        --to | --to-release-image | --release | --insecure | -j | --jobs | --chunk-size | --image)
            # An image reference, a registry or a number: nothing to offer.
            return ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_mirrorkit_options "$tool")" -- "$cur")
        return
    fi

    # Positional arguments: record files for ics-gen; image references
    # (release-list, blob-copy) cannot be completed.
    [[ $tool == ics-gen ]] && _mirrorkit_files "$cur"
    return 0
}

complete -F _mirrorkit release-list blob-copy ics-gen
