#!/usr/bin/env bash
# The liteboxd-proxy benchmark suite, one command:
#
#   benchmarks/run.sh [--quick] [--repeats N] [--only gateway,tomcat,...] [--groups rate,page,ws,http]
#                     [--pin ENDS:PROXY|off] [--profile|--no-profile] [--no-build] [--no-install] [--out DIR]
#                     [--gateway-jar JAR] [--tomcat-cp CLASSPATH]
#
# --gateway-jar and --tomcat-cp run another build of the gateway and of the Tomcat contender (for example an
# earlier commit's, built in its own worktree) under this harness, so two builds are compared by the same code.
# Installs what it needs (Debian: nginx wrk curl strace chromium; npm: http-proxy and playwright-core into
# benchmarks/node_modules), builds the
# library, the standalone gateway and the benchmark tools, then runs every contender against the same upstream
# with the same load generator on loopback, and writes results.md, results.json and latency.png into
# benchmarks/results/ (or --out). Every process it starts is ended when it exits, however it exits.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
QUICK=""
REPEATS=""
ONLY=""
GROUPS_ARG=""
PIN=""
PROFILE=""
BUILD=1
INSTALL=1
OUT=""
GATEWAY_JAR_ARG=""
TOMCAT_CP_ARG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK="--quick" ;;
    --repeats) REPEATS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --groups) GROUPS_ARG="$2"; shift ;;
    --pin) PIN="$2"; shift ;;
    --profile) PROFILE="--profile" ;;
    --no-profile) PROFILE="--no-profile" ;;
    --no-build) BUILD=0 ;;
    --no-install) INSTALL=0 ;;
    --out) OUT="$2"; shift ;;
    --gateway-jar) GATEWAY_JAR_ARG="$2"; shift ;;
    --tomcat-cp) TOMCAT_CP_ARG="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$OUT" ]; then
  if [ -n "$QUICK" ]; then OUT="$BENCH/work/quick-results"; else OUT="$BENCH/results"; fi
fi

WORK="$BENCH/work"
mkdir -p "$WORK"
RUN_ID="$(date +%s)-$$"
PIDS="$WORK/pids"
: > "$PIDS"
SUITE_PID=""

# Ends the suite, then anything it started that is still alive (each child is in a session of its own, so the
# pid file is the only list). A pid is ended only if it still carries this run's marker in its environment.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SUITE_PID" ] && kill -0 "$SUITE_PID" 2>/dev/null; then
    kill -TERM "$SUITE_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$SUITE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SUITE_PID" 2>/dev/null || true
  fi
  if [ -s "$PIDS" ]; then
    while read -r pid; do
      [ -n "$pid" ] || continue
      if [ -r "/proc/$pid/environ" ] && tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null \
          | grep -qx "LITEBOXD_BENCH_RUN=$RUN_ID"; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      fi
    done < "$PIDS"
    sleep 1
    while read -r pid; do
      [ -n "$pid" ] || continue
      if [ -r "/proc/$pid/environ" ] && tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null \
          | grep -qx "LITEBOXD_BENCH_RUN=$RUN_ID"; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      fi
    done < "$PIDS"
  fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

say() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------------- install
if [ "$INSTALL" = 1 ]; then
  missing=""
  command -v nginx >/dev/null || missing="$missing nginx"
  command -v wrk >/dev/null || missing="$missing wrk"
  command -v curl >/dev/null || missing="$missing curl"
  command -v strace >/dev/null || missing="$missing strace"
  command -v taskset >/dev/null || missing="$missing util-linux"
  command -v chromium >/dev/null || missing="$missing chromium"
  if [ -n "$missing" ]; then
    say "installing Debian packages:$missing"
    had_nginx_pid=""; [ -e /run/nginx.pid ] && had_nginx_pid=1
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq $missing >/dev/null
    # The package may start its own nginx on port 80 where an init system exists; stop only that one.
    if [ -z "$had_nginx_pid" ] && [ -s /run/nginx.pid ]; then
      nginx -s quit 2>/dev/null || true
    fi
  fi
  if [ ! -f "$BENCH/node_modules/http-proxy/package.json" ] \
      || [ ! -f "$BENCH/node_modules/playwright-core/package.json" ]; then
    say "installing npm packages into benchmarks/node_modules"
    command -v npm >/dev/null || { echo "node and npm are needed (Debian: nodejs npm)" >&2; exit 1; }
    (cd "$BENCH" && if [ -f package-lock.json ]; then timeout 300 npm ci --no-audit --no-fund; \
      else timeout 300 npm install --no-audit --no-fund; fi) >/dev/null
  fi
fi
for tool in java mvn nginx wrk curl node setsid strace taskset chromium; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------------- build
if [ "$BUILD" = 1 ]; then
  say "building the library and the standalone gateway (mvn install -DskipTests)"
  (cd "$ROOT" && timeout 900 mvn -B -q -DskipTests install -pl liteboxd-proxy-servlet,examples/standalone -am)
  say "building the benchmark tools (mvn -f benchmarks/pom.xml package)"
  (cd "$ROOT" && timeout 600 mvn -B -q -f benchmarks/pom.xml package)
fi
BUILT_JAR="${GATEWAY_JAR_ARG:-$ROOT/examples/standalone/target/liteboxd-gateway.jar}"
[ -f "$BUILT_JAR" ] || { echo "missing $BUILT_JAR (run without --no-build)" >&2; exit 1; }
# A private copy: a rebuild of the module while the suite runs must not pull the jar from under the gateway.
GATEWAY_JAR="$WORK/liteboxd-gateway.jar"
cp "$BUILT_JAR" "$GATEWAY_JAR"
cp_of() { echo "$BENCH/$1/target/classes:$BENCH/$1/target/lib/*"; }

# ---------------------------------------------------------------------------------------------------- run
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT="$(ulimit -n)"
say "running the suite ${QUICK:-(full)}; open files limit $FD_LIMIT; results into $OUT"
export LITEBOXD_BENCH_RUN="$RUN_ID"
args=(--bench "$BENCH" --work "$WORK" --out "$OUT" --fd-limit "$FD_LIMIT"
      --tools-cp "$(cp_of tools)" --contenders-cp "$(cp_of contenders)" --contenders-tomcat-cp "$(cp_of contenders-tomcat)"
      --tomcat-cp "${TOMCAT_CP_ARG:-$(cp_of tomcat)}"
      --gateway-jar "$GATEWAY_JAR")
[ -n "$QUICK" ] && args+=(--quick)
[ -n "$REPEATS" ] && args+=(--repeats "$REPEATS")
[ -n "$ONLY" ] && args+=(--only "$ONLY")
[ -n "$GROUPS_ARG" ] && args+=(--groups "$GROUPS_ARG")
[ -n "$PIN" ] && args+=(--pin "$PIN")
[ -n "$PROFILE" ] && args+=("$PROFILE")
if [ -n "$QUICK" ]; then LIMIT=1800; else LIMIT=7200; fi
timeout -s TERM "$LIMIT" java -Xmx1g -cp "$(cp_of tools)" io.liteboxd.bench.Suite "${args[@]}" &
SUITE_PID=$!
wait "$SUITE_PID"
rc=$?
SUITE_PID=""
say "done: $OUT/results.md"
exit "$rc"
