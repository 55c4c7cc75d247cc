#!/usr/bin/env bash
# make test (bench-smoke): wampbench against edgebar for about a second per
# scenario with small sizes, so a change that breaks the router under load
# (lost wake-ups, lost RPCs or events, disconnects) fails the build. It checks
# that every scenario ends with "ok":true; it measures nothing. Skipped when
# ../shared/tools/wampbench is not beside the clone.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${EDGEBAR_SHARED:-$here/../shared}"
wb="$shared/tools/wampbench"
if [ ! -f "$wb/main.go" ]; then
  echo "bench-smoke: $wb not found, skipped" >&2
  exit 0
fi
tmp="$(mktemp -d /tmp/edgebar-smoke-XXXXXX)"
trap 'kill -TERM -- "-${g:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$wb" && go build -o "$tmp/wampbench" .)
(cd "$here" && CGO_ENABLED=0 go build -o "$tmp/edgebar" ./cmd/edgebar)
export WS_PORT=${SMOKE_WS_PORT:-18880} RS_PORT=${SMOKE_RS_PORT:-18881}
EDGEBAR_BIN="$tmp/edgebar" setsid bash "$here/.ci/bench-edgebar.sh" >"$tmp/router.log" 2>&1 &
g=$!
"$tmp/wampbench" waitport "127.0.0.1:$WS_PORT" 30s
"$tmp/wampbench" waitport "127.0.0.1:$RS_PORT" 10s
run() { # transport serializer scenario [flags]
  local tr=$1 ser=$2 sc=$3; shift 3
  if ! "$tmp/wampbench" -json-only -transport "$tr" -serializer "$ser" -url "ws://127.0.0.1:$WS_PORT/" \
      -addr "127.0.0.1:$RS_PORT" -duration 1s -warmup 200ms -drain 5s "$@" "$sc" >"$tmp/out.json"; then
    echo "bench-smoke: $sc $tr/$ser failed:" >&2; cat "$tmp/out.json" >&2; tail -20 "$tmp/router.log" >&2; exit 1
  fi
  for zero in errors lost disconnects; do # a count that must be 0 where reported
    if grep -q "\"$zero\":[1-9]" "$tmp/out.json"; then
      echo "bench-smoke: $sc $tr/$ser: $zero is not 0:" >&2; cat "$tmp/out.json" >&2; exit 1
    fi
  done
  echo "bench-smoke: $sc $tr/$ser ok"
}
run ws json rpc -callers 4 -inflight 8
run rawsocket msgpack rpc -callers 4 -inflight 8
run ws msgpack pubsub -subscribers 10 -max-lag 32
run ws cbor fanout -fanout-subs 100 -fanout-rounds 5 -fanout-burst 20
run ws json sessions -sessions 200 -settle 200ms
