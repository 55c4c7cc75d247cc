#!/usr/bin/env bash
# make bench: edgebar against the nexus router, side by side in one run of
# ../shared/tools/wampbench/compare.sh (A = nexus, B = edgebar, so every
# ratio printed is edgebar/nexus). Extra arguments go to compare.sh, e.g.
#   .ci/bench.sh -r 1 -d 2s -c rpc
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${EDGEBAR_SHARED:-$here/../shared}"
compare="$shared/tools/wampbench/compare.sh"
if [ ! -x "$compare" ] && [ ! -f "$compare" ]; then
  echo "bench: $compare not found (set EDGEBAR_SHARED to the folder holding tools/wampbench)" >&2
  exit 1
fi
(cd "$here" && CGO_ENABLED=0 go build -trimpath -o bin/edgebar ./cmd/edgebar)
exec bash "$compare" "$@" "$shared/tools/wampbench/routers/nexus.sh" "EDGEBAR_BIN=$here/bin/edgebar bash $here/.ci/bench-edgebar.sh"
