#!/usr/bin/env bash
# Two builds of the standalone gateway side by side, for a before/after of one fixed-rate figure:
#
#   benchmarks/pair.sh A.jar B.jar [--mode hs|get|ws] [--rate N] [--rounds N] [--warmup S] [--window S]
#
# Both gateways run at the same time on the same CPU (1), each under its own load generator at the same offered
# rate (the upstream and both generators on CPU 0), and each window prints both builds' proxy CPU per event
# (utime+stime from /proc) and the ratio B/A. Run one after the other, the same build's CPU per handshake moved by
# up to a third between runs on this machine (the host's other tenants share its cores); side by side, whatever
# slows the core slows both, so the ratio holds where the absolute figures do not. Run it twice with the jars
# swapped and read the ratios, not the microseconds.
#
# Modes: hs = WebSocket handshake + close (default 200/s), get = small GET over 50 connections (default 2000/s),
# ws = 64 B WebSocket echoes over 50 connections (default 5000/s: two proxies at once must fit on one core).
# Needs the benchmark tools built (mvn -f benchmarks/pom.xml package) and taskset; ports 18180-18182.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 2 ] || { sed -n '2,16p' "$0"; exit 2; }
A="$1"; B="$2"; shift 2
MODE=hs; RATE=""; ROUNDS=4; WARMUP=60; WINDOW=30
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) MODE="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --window) WINDOW="$2"; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
for jar in "$A" "$B"; do [ -f "$jar" ] || { echo "missing $jar" >&2; exit 1; }; done
CP="$BENCH/tools/target/classes:$BENCH/tools/target/lib/*"
[ -d "$BENCH/tools/target/classes" ] || { echo "build the tools first: mvn -f benchmarks/pom.xml package" >&2; exit 1; }
case "$MODE" in
  hs) RATE="${RATE:-200}"; PATH_="/ws"; LG=(--mode hsrate) ;;
  get) RATE="${RATE:-2000}"; PATH_="/small"; LG=(--mode getrate --connections 50) ;;
  ws) RATE="${RATE:-5000}"; PATH_="/ws"; LG=(--mode latency --connections 50 --size 64) ;;
  *) echo "unknown mode: $MODE" >&2; exit 2 ;;
esac

WORK="$(mktemp -d)"
PIDS=()
# The load generators of an interrupted window are background jobs too: end them with the gateways and upstream.
cleanup() {
  for p in "${PIDS[@]}" $(jobs -p); do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo '{"sandboxes":[{"id":"bench","host":"127.0.0.1","token":"t"}]}' > "$WORK/sandboxes.json"
taskset -c 0 java -cp "$CP" io.liteboxd.bench.Upstream --port 18180 > "$WORK/upstream.log" 2>&1 &
PIDS+=($!)
gateway() {
  taskset -c 1 java -Dio.liteboxd.proxy.access.LEVEL=WARN -jar "$1" --listen "127.0.0.1:$2" \
    --sandboxes "$WORK/sandboxes.json" --max-connections 0 --max-connections-per-ip 0 --max-websockets 0 \
    --max-websockets-per-sandbox 0 > "$WORK/gateway-$2.log" 2>&1 &
  PIDS+=($!)
}
gateway "$A" 18181; PA=${PIDS[-1]}
gateway "$B" 18182; PB=${PIDS[-1]}
for port in 18180 18181 18182; do
  for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
done

load() { # port seconds output; always run in the background, as its own job (exec: the job is the generator)
  local scheme=ws; [ "$MODE" = get ] && scheme=http
  exec taskset -c 0 java -cp "$CP" io.liteboxd.bench.LoadGen "${LG[@]}" --rate "$RATE" --token t --warmup 0 \
    --duration "$2" --url "$scheme://127.0.0.1:$1/api/v1/sandbox/bench/port/18180$PATH_" > "$3" 2>&1
}
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
events() { grep -o '"windowEvents":[0-9]*' "$1" | cut -d: -f2; }

echo "warming both for ${WARMUP}s at $RATE/s each ($MODE)"
load 18181 "$WARMUP" /dev/null & W1=$!; load 18182 "$WARMUP" /dev/null & W2=$!; wait $W1 $W2
HZ=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  a0=$(ticks "$PA"); b0=$(ticks "$PB")
  load 18181 "$WINDOW" "$WORK/a.out" & W1=$!; load 18182 "$WINDOW" "$WORK/b.out" & W2=$!; wait $W1 $W2
  a1=$(ticks "$PA"); b1=$(ticks "$PB")
  python3 - "$r" "$((a1 - a0))" "$(events "$WORK/a.out")" "$((b1 - b0))" "$(events "$WORK/b.out")" "$HZ" <<'EOF'
import sys
r, ta, na, tb, nb, hz = sys.argv[1], *map(int, sys.argv[2:])
ua, ub = ta / hz / na * 1e6, tb / hz / nb * 1e6
print(f"window {r}: A {ua:.1f} us/event ({na} events)  B {ub:.1f} us/event ({nb} events)  B/A {ub / ua:.3f}")
EOF
done
