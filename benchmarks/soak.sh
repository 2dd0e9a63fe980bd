#!/usr/bin/env bash
# The soak: minutes of WebSocket connect/disconnect churn through the standalone gateway, then a leak check.
#
#   benchmarks/soak.sh [--minutes N] [--connections N] [--warmup S] [--settle S] [--build] [--out FILE]
#                      [-- extra io.liteboxd.bench.Soak options, e.g. --think-ms 200 --messages 1-4]
#
# Starts the benchmark upstream (io.liteboxd.bench.Upstream) and the standalone gateway jar on 127.0.0.1, then
# runs io.liteboxd.bench.Soak: N concurrent connection slots (default 2000), each opening a connection, echoing a
# few messages (every echo checked), ending it with a normal close or by dropping the TCP connection, and opening
# the next, for --minutes (default 3). Before and after, the gateway's threads, open fds and heap after a full GC
# are read; after the soak they must return to the baseline within --settle seconds (default 120). The JSON
# summary goes to stdout and to --out (default benchmarks/work/soak/soak.json); exit 1 on any error or leak.
# Every process it starts is ended when it exits, however it exits; every wait is bounded.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
MINUTES=3
CONNECTIONS=2000
WARMUP=20
SETTLE=120
BUILD=0
OUT=""
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --settle) SETTLE="$2"; shift ;;
    --build) BUILD=1 ;;
    --out) OUT="$2"; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

WORK="$BENCH/work/soak"
mkdir -p "$WORK"
OUT="${OUT:-$WORK/soak.json}"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
STARTED=()

# Ends what this script started, by pid (each child leads a session and process group of its own: setsid).
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${STARTED[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT INT TERM

say() { printf '== %s\n' "$*" >&2; }

for tool in java jcmd curl setsid timeout python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------------- build
BUILT_JAR="$ROOT/examples/standalone/target/liteboxd-gateway.jar"
TOOLS="$BENCH/tools/target"
if [ "$BUILD" = 1 ] || [ ! -f "$BUILT_JAR" ]; then
  say "building the library and the standalone gateway"
  (cd "$ROOT" && timeout 900 mvn -B -q -DskipTests install -pl liteboxd-proxy-servlet,examples/standalone -am)
fi
if [ "$BUILD" = 1 ] || [ ! -f "$TOOLS/classes/io/liteboxd/bench/Soak.class" ] || [ ! -d "$TOOLS/lib" ]; then
  say "building the benchmark tools"
  (cd "$ROOT" && timeout 600 mvn -B -q -f benchmarks/pom.xml package -DskipTests -pl tools)
fi
# A private copy: a rebuild during the soak must not pull the jar from under the gateway.
GATEWAY_JAR="$WORK/liteboxd-gateway.jar"
cp "$BUILT_JAR" "$GATEWAY_JAR"
CP="$TOOLS/classes:$TOOLS/lib/*"

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ---------------------------------------------------------------------------------------------------- upstream
: > "$LOGS/upstream.log"
setsid java -Xmx1g -XX:+UseG1GC -cp "$CP" io.liteboxd.bench.Upstream --host 127.0.0.1 --port 0 \
  > "$LOGS/upstream.log" 2>&1 < /dev/null &
UPSTREAM_PID=$!
STARTED+=("$UPSTREAM_PID")
UPSTREAM_PORT=""
for _ in $(seq 1 120); do
  UPSTREAM_PORT="$(sed -n 's/^READY port=\([0-9]*\).*/\1/p' "$LOGS/upstream.log" | head -1)"
  [ -n "$UPSTREAM_PORT" ] && break
  kill -0 "$UPSTREAM_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$UPSTREAM_PORT" ] || { echo "the upstream did not start (see $LOGS/upstream.log)" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------- gateway
GATEWAY_PORT="$(free_port)"
SANDBOXES="$WORK/sandboxes.json"
echo '{"sandboxes":[{"id":"bench","host":"127.0.0.1","token":"t"}]}' > "$SANDBOXES"
setsid java -Xmx2g -XX:+UseG1GC -Dliteboxd.bench=soak-gateway -jar "$GATEWAY_JAR" \
  --listen "127.0.0.1:$GATEWAY_PORT" --sandboxes "$SANDBOXES" \
  --max-connections 0 --max-connections-per-ip 0 --max-websockets 0 --max-websockets-per-sandbox 0 \
  > "$LOGS/gateway.log" 2>&1 < /dev/null &
GATEWAY_PID=$!
STARTED+=("$GATEWAY_PID")
PREFIX="/api/v1/sandbox/bench/port/$UPSTREAM_PORT"
ready=""
for _ in $(seq 1 120); do
  kill -0 "$GATEWAY_PID" 2>/dev/null || break
  code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H 'X-Access-Token: t' \
    "http://127.0.0.1:$GATEWAY_PORT$PREFIX/small" || true)"
  [ "$code" = 200 ] && { ready=1; break; }
  sleep 0.5
done
[ -n "$ready" ] || { echo "the gateway did not become ready (see $LOGS/gateway.log)" >&2; exit 1; }
say "upstream pid $UPSTREAM_PID on :$UPSTREAM_PORT, gateway pid $GATEWAY_PID on :$GATEWAY_PORT; load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------- soak
SECONDS_RUN="$(python3 -c "print(int(float('$MINUTES') * 60))")"
LIMIT=$(( SECONDS_RUN + WARMUP + SETTLE + 600 ))
say "soak: $CONNECTIONS connections, ${SECONDS_RUN} s after a ${WARMUP} s warm-up; settle bound ${SETTLE} s (hard limit ${LIMIT} s)"
set +e
timeout -s TERM -k 30 "$LIMIT" java -Xmx1g -XX:+UseG1GC -cp "$CP" io.liteboxd.bench.Soak \
  --url "ws://127.0.0.1:$GATEWAY_PORT$PREFIX/ws" --token t --pid "$GATEWAY_PID" --upstream-pid "$UPSTREAM_PID" \
  --connections "$CONNECTIONS" --seconds "$SECONDS_RUN" --warmup "$WARMUP" --settle "$SETTLE" --out "$OUT" \
  "${EXTRA[@]}" 2> >(tee "$LOGS/soak.log" >&2)
rc=$?
set -e
kill -0 "$GATEWAY_PID" 2>/dev/null || { echo "the gateway died during the soak (see $LOGS/gateway.log)" >&2; rc=1; }
say "summary: $OUT (logs: $LOGS); load $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
