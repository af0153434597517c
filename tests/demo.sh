#!/usr/bin/env bash
# The main job, end to end, on a local default (run by `make demo`):
# a local registry stands in for quay.io and holds a synthetic OpenShift
# release (24 components, shared layers, multi-arch images, pushed by digest
# as in ocp-v4.0-art-dev); a second registry with TLS and htpasswd auth is
# the mirror. The seed's procedure runs as one pipeline, the mirror is
# checked with skopeo, and the imageContentSources block is printed.
#
# Only loopback addresses; ports picked at run time; the registries are the
# script's own and are stopped (by PID) on exit. Set MK_DEMO_KEEP=1 to
# leave them running and print how to reach them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
MK_BIN=${MK_BIN:-$here/../bin}
PATH="$MK_BIN:$PATH"
# shellcheck source=tests/lib/registry.bash
source "$here/lib/registry.bash"

work=$(mktemp -d "${TMPDIR:-/tmp}/mirrorkit-demo.XXXXXX")
cleanup() {
  if [ "${MK_DEMO_KEEP:-0}" != 1 ]; then
    registry_stop "$work/quay" 2>/dev/null || true
    registry_stop "$work/mirror" 2>/dev/null || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

say() { printf '==> %s\n' "$*" >&2; }

say "starting a source registry (stands in for quay.io) and a TLS + htpasswd mirror registry"
SOURCE=$(registry_start "$work/quay")
LOCAL_REGISTRY=$(registry_start "$work/mirror" --tls --auth mirror-admin "demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')")
LOCAL_REPOSITORY=ocp4/openshift4
OCP_RELEASE=4.3.0
ARCHITECTURE=x86_64
LOCAL_SECRET_JSON=$work/mirror/auth.json   # mode 0600, as a pull secret should be

say "building a synthetic release $OCP_RELEASE in $SOURCE"
python3 "$here/fixtures/make-release.py" --registry "$SOURCE" --plain --version "$OCP_RELEASE" >"$work/fixture.json"

say "release-list | blob-copy | ics-gen"
release-list "$SOURCE/openshift-release-dev/ocp-release:$OCP_RELEASE-$ARCHITECTURE" \
    --to "$LOCAL_REGISTRY/$LOCAL_REPOSITORY" --insecure "$SOURCE" -a "$LOCAL_SECRET_JSON" |
  blob-copy --insecure "$SOURCE" --ca-file "$work/mirror/ca.crt" -a "$LOCAL_SECRET_JSON" |
  tee "$work/results.jsonl" |
  ics-gen >"$work/ics.yaml"

images=$(wc -l <"$work/results.jsonl")
copied=$(jq -s 'map(.blobs_copied) | add' "$work/results.jsonl")
bytes=$(jq -s 'map(.bytes_copied) | add' "$work/results.jsonl")
say "copied $images images: $copied blobs, $bytes bytes (each shared blob once)"

say "checking every mirrored manifest with skopeo (an independent client)"
mapfile -t sk < <(skopeo_args "$work/mirror")
bad=0
while read -r dest digest; do
  got=sha256:$(skopeo inspect --raw "${sk[@]}" "docker://$dest" | sha256sum | cut -d' ' -f1)
  if [ "$got" != "$digest" ]; then
    echo "MISMATCH: $dest is $got, want $digest" >&2
    bad=1
  fi
done < <(jq -r '"\(.dest) \(.digest)"' "$work/results.jsonl")
[ "$bad" = 0 ] || { say "the mirror does not match the source"; exit 1; }
say "all $images manifests in the mirror are byte-identical to the source"

say "a second run copies nothing"
release-list "$SOURCE/openshift-release-dev/ocp-release:$OCP_RELEASE-$ARCHITECTURE" \
    --to "$LOCAL_REGISTRY/$LOCAL_REPOSITORY" --insecure "$SOURCE" |
  blob-copy --insecure "$SOURCE" --ca-file "$work/mirror/ca.crt" -a "$LOCAL_SECRET_JSON" |
  jq -s -r '"   \(map(select(.status == "present")) | length) images already present, \(map(.blobs_copied) | add) blobs copied"' >&2

say "imageContentSources for install-config.yaml:"
cat "$work/ics.yaml"

if [ "${MK_DEMO_KEEP:-0}" = 1 ]; then
  say "registries left running: source $SOURCE (pid $(cat "$work/quay/pid")), mirror $LOCAL_REGISTRY (pid $(cat "$work/mirror/pid"))"
  say "files in $work; stop them with: kill $(cat "$work/quay/pid") $(cat "$work/mirror/pid")"
fi
