#!/usr/bin/env bash
# Runs edgebar in the foreground for ../shared/tools/wampbench/compare.sh:
# WebSocket at ws://127.0.0.1:$WS_PORT/ and RawSocket at 127.0.0.1:$RS_PORT,
# realm $REALM, anonymous. EDGEBAR_BIN names the binary (default bin/edgebar).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${WS_PORT:=18580}" "${RS_PORT:=18581}" "${REALM:=realm1}"
bin="${EDGEBAR_BIN:-$here/bin/edgebar}"
cfg="$(mktemp /tmp/edgebar-bench-XXXXXX.yaml)"
cat >"$cfg" <<YAML
version: 2
workers:
  - type: router
    realms:
      - name: ${REALM}
    transports:
      - type: websocket
        endpoint: {type: tcp, interface: 127.0.0.1, port: ${WS_PORT}}
      - type: rawsocket
        endpoint: {type: tcp, interface: 127.0.0.1, port: ${RS_PORT}}
YAML
exec "$bin" start --log-level warn --config "$cfg" ${EDGEBAR_CPUPROFILE:+--cpuprofile "$EDGEBAR_CPUPROFILE"}
