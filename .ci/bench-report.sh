#!/usr/bin/env bash
# make bench-report: edgebar against nexus on every metric of the
# performance issue, each group of scenarios in its own run of
# ../shared/tools/wampbench/compare.sh (A = nexus, B = edgebar), then
# docs/performance.md regenerated from the results (.ci/benchreport).
#   REPS=3 DUR=5s .ci/bench-report.sh        (defaults; REPS=1 DUR=2s for a quick look)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${EDGEBAR_SHARED:-$here/../shared}"
compare="$shared/tools/wampbench/compare.sh"
[ -f "$compare" ] || { echo "bench-report: $compare not found (set EDGEBAR_SHARED)" >&2; exit 1; }
REPS=${REPS:-3} DUR=${DUR:-5s}
out=${BENCH_OUT:-/tmp/edgebar-bench-report-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
cd "$here"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bin/edgebar ./cmd/edgebar
A="$shared/tools/wampbench/routers/nexus.sh"
B="EDGEBAR_BIN=$here/bin/edgebar bash $here/.ci/bench-edgebar.sh"
# 10 000 sessions need 10 000 descriptors in each process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
load0=$(cut -d' ' -f1-3 /proc/loadavg)
group() { # name compare.sh-options...
  local name=$1; shift
  echo "== bench-report: $name"
  bash "$compare" -r "$REPS" -d "$DUR" -o "$out/$name" "$@" "$A" "$B" | tee "$out/$name.log" | grep -E '^(rep|  [AB]:|compare)' || true
}
group rpc128 -c rpc -z "json msgpack" -w ""
group rpc1 -c rpc -z "json msgpack" -w "" -x "-callers 1 -inflight 1"
group pubsub1 -c pubsub -z json -x "-subscribers 1 -max-lag 32"
group fanout -c fanout -z json
group sessions -c sessions -z json
if [ "$(ulimit -n)" -ge 10200 ]; then
  group sessions10k -c sessions -z json -x "-sessions 10000 -conc 16"
else
  echo "bench-report: skipping sessions10k: ulimit -n is $(ulimit -n), below 10200" >&2
fi

# Absolute figures of edgebar alone.
abs="$out/absolute.txt"
: >"$abs"
GOOS=linux GOARCH=mips GOMIPS=softfloat CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/edgebar-mips" ./cmd/edgebar
echo "binary size, linux/mips softfloat, stripped (make cross)|$(stat -c %s "$out/edgebar-mips") B ($(awk "BEGIN{printf \"%.2f\", $(stat -c %s "$out/edgebar-mips")/1048576}") MiB)" >>"$abs"
export WS_PORT=18980 RS_PORT=18981
t0=$(date +%s%N)
EDGEBAR_BIN="$here/bin/edgebar" setsid bash .ci/bench-edgebar.sh >"$out/idle.log" 2>&1 &
g=$!
until (exec 3<>/dev/tcp/127.0.0.1/$WS_PORT) 2>/dev/null; do
  if [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 20000 ]; then echo "bench-report: edgebar did not start" >&2; break; fi
done
t1=$(date +%s%N)
sleep 2
pid=$(pgrep -s "$g" edgebar | head -1 || true)
echo "start to WebSocket port accepting (one realm, ws + rawsocket; includes the shell wrapper)|$(( (t1 - t0) / 1000000 )) ms" >>"$abs"
if [ -n "$pid" ]; then
  echo "idle RSS after start (bench config: one realm, ws + rawsocket)|$(awk '/VmRSS/{print $2}' "/proc/$pid/status") kB" >>"$abs"
fi
kill -TERM -- "-$g" 2>/dev/null || true
wait "$g" 2>/dev/null || true

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; load $load0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end; $(date -u +'%Y-%m-%d %H:%M UTC'); $(go version | cut -d' ' -f3); REPS=$REPS DUR=$DUR"
dirs=()
for d in rpc128 rpc1 pubsub1 fanout sessions sessions10k; do [ -d "$out/$d" ] && dirs+=("$out/$d"); done
go run ./.ci/benchreport -o docs/performance.md -cmd "make bench-report (REPS=$REPS DUR=$DUR)" -machine "$machine" -abs "$abs" "${dirs[@]}"
echo "bench-report: wrote docs/performance.md; raw results in $out"
