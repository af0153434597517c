#!/usr/bin/env bash
# Kept for its callers: the cold registry -> registry comparison, now one
# scenario of the harness (bench/run.sh, `make bench`), which see.
#
#   bench/release-copy.sh [COMPONENTS] [LAYER_BYTES] [JOBS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/run.sh" --images "${1:-24}" --layer-size "${2:-4000000}" --jobs "${3:-6}" \
  --scenarios cold --out "${TMPDIR:-/tmp}/mirrorkit-bench-results"
