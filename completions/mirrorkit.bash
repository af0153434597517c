# bash completion for the mirrorkit tools: release-list, blob-copy, ics-gen,
# oci-dir, stream-mirror, secret-merge, release-extract, manifest-rewrite.
#
# Also the front command mirrorkit (mirrorkit TOOL <TAB> completes as TOOL)
# and its plugin mirrorkit-mirror-release.
#
# Install (make install does): copy or link this file to
# /usr/share/bash-completion/completions/{release-list,blob-copy,ics-gen,oci-dir,stream-mirror,secret-merge,release-extract,manifest-rewrite}
# (bash-completion loads a file by command name), or `source` it from
# ~/.bashrc.  Works with or without the bash-completion package.
#
# The option lists below must match each tool's --help exactly;
# tests/docs.bats checks them.

# Prints the options TOOL accepts, one per line.
_mirrorkit_options() {
    local registry=(-a --registry-config --ca-file --insecure --retries --retry-budget --deadline --stall-timeout)
    case $1 in
        mirrorkit)
            printf '%s\n' -h --help --version --exec-path --list-commands ;;
        mirrorkit-mirror-release)
            printf '%s\n' -h --help --version --from --to --to-release-image --to-dir --from-dir --arch --dry-run \
                --records -j --jobs -a --registry-config --ca-file --insecure ;;
        mirrorkit-storage-oci-archive)
            printf '%s\n' -h --help --version --file ;;
        release-list)
            printf '%s\n' -h --help --version --to --to-release-image --to-dir --arch --signatures -j --jobs --release "${registry[@]}" ;;
        release-extract)
            printf '%s\n' -h --help --version --command --to --arch --max-size --release "${registry[@]}" ;;
        mirror-prune)
            printf '%s\n' -h --help --version --keep --apply -j --jobs --target "${registry[@]}" ;;
        release-signatures)
            printf '%s\n' -h --help --version --store --keyring --to-dir "${registry[@]}" ;;
        graph-image)
            printf '%s\n' -h --help --version --graph-data --base --to --arch --releases "${registry[@]}" ;;
        catalog-list)
            printf '%s\n' -h --help --version --package --to --to-dir --catalog-to --catalog "${registry[@]}" ;;
        blob-copy)
            printf '%s\n' -h --help --version -j --jobs --chunk-size --progress --image "${registry[@]}" ;;
        ics-gen)
            printf '%s\n' -h --help --version --format --name --file ;;
        manifest-rewrite)
            printf '%s\n' -h --help --version --include --exclude --map --tag --filter-by-os --convert --input "${registry[@]}" ;;
        stream-mirror)
            printf '%s\n' -h --help --version --to --registry --streams --config --import-must-gather --mirror-ca --results --file ;;
        secret-merge)
            printf '%s\n' -h --help --version --registry --username --password-stdin --email --from-file --no-overwrite --remove --list --for-install -o --output --file ;;
        oci-dir)
            # Once the command is known, only the options it takes.
            case $2 in
                list) printf '%s\n' -h --help ;;
                verify) printf '%s\n' -h --help --prune-temp ;;
                pack) printf '%s\n' -h --help --max-size --out --prefix --exclude-from ;;
                unpack) printf '%s\n' -h --help --to --base-from "${registry[@]}" ;;
                have) printf '%s\n' -h --help --out --registry "${registry[@]}" ;;
                *) printf '%s\n' -h --help --version --prune-temp --max-size --out --prefix --exclude-from --to --base-from --registry --command --args "${registry[@]}" ;;
            esac ;;
    esac
}

# The oci-dir command on the line (list, verify, pack, unpack, have), or nothing:
# the first word that is not an option or an option's value.
_mirrorkit_oci_dir_command() {
    local i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            --command | --max-size | --out | --prefix | --exclude-from | --to | --base-from | --args | -a | --registry-config | \
                --ca-file | --insecure | --retries | --retry-budget | --deadline | --stall-timeout)
                # Skip the value ("--out" "DIR", or "--out" "=" "DIR").
                ((i++))
                [[ ${COMP_WORDS[i]} == = ]] && ((i++))
                if [[ $word == --command ]] && ((i < COMP_CWORD)); then
                    printf '%s\n' "${COMP_WORDS[i]}"
                    return
                fi ;;
            -*) ;;
            *) printf '%s\n' "$word"; return ;;
        esac
    done
}

# Completes directory names matching $1 into COMPREPLY.
_mirrorkit_dirs() {
    if declare -F _filedir >/dev/null; then
        cur=$1 _filedir -d
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$1")
    fi
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

# mirrorkit [OPTIONS] COMMAND ARGS...: the front command's own options and
# the command names (`mirrorkit --list-commands`: tools, help, plugins, the
# command plugins found) until COMMAND; from there on, COMMAND's completion
# (mirrorkit-NAME's for a plugin), as if COMMAND had been typed alone.
_mirrorkit_front() {
    local i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        [[ $word == -* ]] && continue
        case $word in
            help)
                ((COMP_CWORD == i + 1)) &&
                    mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" --list-commands 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}")
                return ;;
            plugins) return ;;
        esac
        local COMP_WORDS=("${COMP_WORDS[@]:i}") COMP_CWORD=$((COMP_CWORD - i))
        if _mirrorkit_options "$word" | grep -q .; then
            _mirrorkit "$word"
        else
            _mirrorkit "mirrorkit-$word"
        fi
        return
    done
    if [[ ${COMP_WORDS[COMP_CWORD]} == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_mirrorkit_options mirrorkit)" -- "${COMP_WORDS[COMP_CWORD]}")
    else
        mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" --list-commands 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}")
    fi
}

_mirrorkit() {
    local tool=${1##*/}
    if [[ $tool == mirrorkit ]]; then
        COMPREPLY=()
        _mirrorkit_front
        return 0
    fi
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
        --from-file | -o | --output)
            # secret-merge: auth files to merge, the pull secret to write.
            [[ $tool == secret-merge ]] && _mirrorkit_files "$cur"
            return ;;
        --username | --email | --remove)
            # secret-merge: a user, an address, a registry: nothing to offer.
            return ;;
        -a | --registry-config | --ca-file | --keyring)
            _mirrorkit_files "$cur"
            return ;;
        --keep)
            # mirror-prune: the records of the images to keep.
            [[ $tool == mirror-prune ]] && _mirrorkit_files "$cur"
            return ;;
        --target)
            # mirror-prune: REG/REPO or dir:PATH: nothing to offer.
            return ;;
        --records)
            # mirrorkit mirror-release: where to write the records.
            _mirrorkit_files "$cur"
            return ;;
        --from-dir)
            # mirrorkit mirror-release: the OCI layout directory to copy from.
            _mirrorkit_dirs "$cur"
            return ;;
        --from)
            # mirrorkit mirror-release: a release image, or its name in --from-dir.
            return ;;
        --graph-data)
            # graph-image: the graph data tar.gz.
            [[ $tool == graph-image ]] && _mirrorkit_files "$cur"
            return ;;
        --base | --releases)
            # graph-image: an image reference, a repository: nothing to offer.
            return ;;
        --package | --catalog | --catalog-to)
            # catalog-list: a package selector, a catalog image, a reference: nothing to offer.
            return ;;
        --file | --input)
            [[ $tool == ics-gen || $tool == stream-mirror || $tool == secret-merge || $tool == manifest-rewrite ]] &&
                _mirrorkit_files "$cur"
            return ;;
        --convert)
            [[ $tool == manifest-rewrite ]] && mapfile -t COMPREPLY < <(compgen -W 'oci docker' -- "$cur")
            return ;;
        --filter-by-os)
            # manifest-rewrite: a regular expression over os/arch[/variant].
            [[ $tool == manifest-rewrite ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'linux/amd64 linux/arm64 linux/ppc64le linux/s390x' -- "$cur")
            return ;;
        --include | --exclude | --map | --tag)
            # Globs, prefixes and templates: nothing to offer.
            return ;;
        --mirror-ca | --results)
            # stream-mirror: the mirror's CA certificate, blob-copy's results.
            [[ $tool == stream-mirror ]] && _mirrorkit_files "$cur"
            return ;;
        --registry)
            # stream-mirror: a registry host; registry.redhat.io is the usual one.
            [[ $tool == stream-mirror ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'registry.redhat.io' -- "$cur")
            # oci-dir have --registry is a switch: go on with the command line.
            [[ $tool == oci-dir ]] || return ;;
        --exclude-from)
            # oci-dir pack: the inventory oci-dir have wrote.
            [[ $tool == oci-dir ]] && _mirrorkit_files "$cur"
            return ;;
        --streams)
            # Image stream names: nothing to offer.
            return ;;
        --progress)
            # blob-copy: when to show progress on stderr.
            mapfile -t COMPREPLY < <(compgen -W 'auto tty plain none' -- "$cur")
            return ;;
        --format)
            # ics-gen: the output formats.
            [[ $tool == ics-gen ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'install-config install-config-idms icsp idms itms registries-conf updateservice catalogsource' -- "$cur")
            return ;;
        --name)
            # ics-gen: an object name; mirrorkit is the default.
            [[ $tool == ics-gen ]] && mapfile -t COMPREPLY < <(compgen -W 'mirrorkit service' -- "$cur")
            return ;;
        --to-dir | --out)
            # release-list --to-dir, oci-dir pack --out: a directory.
            _mirrorkit_dirs "$cur"
            return ;;
        --command)
            [[ $tool == oci-dir ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'list verify pack unpack have' -- "$cur")
            [[ $tool == release-extract ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'openshift-install openshift-install-mac openshift-baremetal-install oc' -- "$cur")
            return ;;
        --max-size)
            # 4095M: the largest volume FAT32 holds.
            [[ $tool == oci-dir ]] && mapfile -t COMPREPLY < <(compgen -W '4095M' -- "$cur")
            return ;;
        --prefix)
            return ;;
        --args)
            [[ $tool == oci-dir ]] && _mirrorkit_files "$cur"
            return ;;
        --arch)
            # release-list: multi for a whole manifest list; release-extract: the child.
            [[ $tool == release-list || $tool == mirrorkit-mirror-release ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'multi x86_64 aarch64 ppc64le s390x amd64 arm64' -- "$cur")
            [[ $tool == release-extract || $tool == graph-image ]] &&
                mapfile -t COMPREPLY < <(compgen -W 'x86_64 aarch64 ppc64le s390x amd64 arm64' -- "$cur")
            return ;;
        --to)
            # oci-dir unpack --to: a directory; release-list --to: a repository;
            # stream-mirror --to: a registry host.
            [[ $tool == oci-dir || $tool == release-extract ]] && _mirrorkit_dirs "$cur"
            return ;;
        --to-release-image | --release | --insecure | -j | --jobs | --chunk-size | --image | \
            --retries | --retry-budget | --deadline | --stall-timeout)
            # An image reference, a registry, a number or a duration: nothing to offer.
            return ;;
    esac

    if [[ $tool == oci-dir ]]; then
        local command
        command=$(_mirrorkit_oci_dir_command)
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$(_mirrorkit_options oci-dir "$command")" -- "$cur")
        elif [[ -z $command ]]; then
            mapfile -t COMPREPLY < <(compgen -W 'list verify pack unpack have' -- "$cur")
        elif [[ $command == unpack ]]; then
            # Volumes (tar files written by pack).
            _mirrorkit_files "$cur"
        else
            # list, verify, pack: the layout directory.
            _mirrorkit_dirs "$cur"
        fi
        return 0
    fi

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_mirrorkit_options "$tool")" -- "$cur")
        return
    fi

    # Positional arguments: record files for ics-gen, the image streams JSON
    # for stream-mirror; image references (release-list, blob-copy) cannot be
    # completed.
    [[ $tool == ics-gen || $tool == stream-mirror || $tool == secret-merge || $tool == manifest-rewrite ]] &&
        _mirrorkit_files "$cur"
    return 0
}

complete -F _mirrorkit mirror-prune release-signatures graph-image catalog-list release-list blob-copy ics-gen oci-dir stream-mirror secret-merge release-extract manifest-rewrite
complete -F _mirrorkit mirrorkit mirrorkit-mirror-release mirrorkit-storage-oci-archive
