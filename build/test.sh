#!/usr/bin/env bash
# THE test command: ./build/test.sh [--filter EXPR] [--no-servers]
#
# On a fresh Debian machine (as root) it installs what the integration tests need (redis-server and chromium from
# apt, s3rver from tools/s3rver via `npm ci`), starts on free loopback ports
#   - one standalone redis-server           -> VSTORE_TEST_REDIS=127.0.0.1:P
#   - a 3-master Redis Cluster               -> VSTORE_TEST_REDIS_CLUSTER=127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3
#   - s3rver (access key / secret: S3RVER)   -> VSTORE_TEST_S3_ENDPOINT=http://127.0.0.1:P
# and exports VSTORE_TEST_REDIS_SERVER_BIN (fault tests start their own redis they can stop), builds the
# solution once in Release, runs every test project, stops every server it started by PID, and prints as
# its LAST line exactly:   tests: N passed, N failed[, N skipped]
# It exits non-zero when the build fails or any test fails.
#
#   --filter EXPR   passed to `dotnet test --filter`
#   --no-servers    do not install or start servers (quick local runs; server tests then fail loudly)
#
# It never sets VSTORE_ARTIFACTS: CI uses normal bin/obj. Developers sharing a tree may export it.
set -uo pipefail

FILTER=""
START_SERVERS=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --filter) [[ $# -ge 2 ]] || { echo "test.sh: --filter needs an expression" >&2; exit 2; }
              FILTER="$2"; shift 2 ;;
    --filter=*) FILTER="${1#--filter=}"; shift ;;
    --no-servers) START_SERVERS=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vstore-test.XXXXXX")"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
PIDS=()

log() { echo "[test.sh] $*"; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # give each server up to ~5 s to exit, then force it
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "[test.sh] interrupted" >&2; exit 130' INT TERM

fail_setup() {
  echo "[test.sh] setup failed: $*" >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
}

# ---------------------------------------------------------------- install prerequisites
apt_updated=0
apt_install() {
  if [[ $apt_updated -eq 0 ]] && ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq >"$LOGS/apt.log" 2>&1 || true
    apt_updated=1
  fi
  log "apt-get install -y $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$LOGS/apt.log" 2>&1; then
    if [[ $apt_updated -eq 0 ]]; then
      # stale package lists: refresh once and retry
      apt-get update -qq >>"$LOGS/apt.log" 2>&1 || true
      apt_updated=1
      DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$LOGS/apt.log" 2>&1 && return 0
    fi
    tail -n 20 "$LOGS/apt.log" >&2
    return 1
  fi
}

if [[ $START_SERVERS -eq 1 ]]; then
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server || fail_setup "could not install redis-server"
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || fail_setup "could not install nodejs/npm"
  fi
  # the console's browser tests (tests/VersionStore.Console.Tests) drive Debian's Chromium through Playwright
  if [[ ! -x /usr/bin/chromium ]]; then
    apt_install chromium || fail_setup "could not install chromium"
  fi
  S3RVER_JS="$REPO/tools/s3rver/node_modules/s3rver/bin/s3rver.js"
  if [[ ! -f "$S3RVER_JS" ]]; then
    log "npm ci (tools/s3rver)"
    (cd "$REPO/tools/s3rver" && npm ci --no-audit --no-fund >"$LOGS/npm.log" 2>&1) \
      || { tail -n 20 "$LOGS/npm.log" >&2; fail_setup "npm ci in tools/s3rver failed"; }
  fi
fi

# ---------------------------------------------------------------- servers
TAKEN=" "
port_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# free_port [with_bus]: a loopback port nobody listens on (and, with_bus, port+10000 too for the cluster bus)
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 10000))
    [[ "$TAKEN" == *" $p "* ]] && continue
    port_listening "$p" && continue
    if [[ "${1:-}" == "with_bus" ]]; then
      [[ "$TAKEN" == *" $((p + 10000)) "* ]] && continue
      port_listening $((p + 10000)) && continue
      TAKEN+="$((p + 10000)) "
    fi
    TAKEN+="$p "
    echo "$p"
    return 0
  done
  return 1
}

# wait_until SECONDS PID DESCRIPTION COMMAND...: poll COMMAND until it succeeds; fail if PID dies
wait_until() {
  local seconds="$1" pid="$2" what="$3"; shift 3
  local deadline=$((SECONDS + seconds))
  while ! "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || return 1
    [[ $SECONDS -ge $deadline ]] && { echo "[test.sh] timed out waiting for $what" >&2; return 1; }
    sleep 0.1
  done
}

redis_pong() { [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == "PONG" ]]; }
cluster_ok() { redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

start_redis() { # start_redis NAME PORT [extra args...]; echoes nothing, appends PID
  local name="$1" port="$2"; shift 2
  mkdir -p "$WORK/$name"
  redis-server --save '' --appendonly no --port "$port" --bind 127.0.0.1 --daemonize no \
    --dir "$WORK/$name" "$@" >"$LOGS/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_until 20 "$pid" "redis $name on port $port" redis_pong "$port" \
    || { tail -n 20 "$LOGS/$name.log" >&2; fail_setup "redis $name did not start on port $port"; }
}

if [[ $START_SERVERS -eq 1 ]]; then
  REDIS_PORT="$(free_port)" || fail_setup "no free port"
  start_redis redis "$REDIS_PORT"
  log "redis-server 127.0.0.1:$REDIS_PORT"

  CLUSTER_PORTS=()
  for i in 1 2 3; do
    p="$(free_port with_bus)" || fail_setup "no free port"
    CLUSTER_PORTS+=("$p")
    start_redis "cluster$i" "$p" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000
  done
  CLUSTER_ADDRS=()
  for p in "${CLUSTER_PORTS[@]}"; do CLUSTER_ADDRS+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${CLUSTER_ADDRS[@]}" --cluster-replicas 0 --cluster-yes >"$LOGS/cluster-create.log" 2>&1 \
    || { tail -n 20 "$LOGS/cluster-create.log" >&2; fail_setup "redis-cli --cluster create failed"; }
  for p in "${CLUSTER_PORTS[@]}"; do
    wait_until 30 "${PIDS[-1]}" "cluster_state:ok on port $p" cluster_ok "$p" || fail_setup "redis cluster not ok"
  done
  log "redis cluster $(IFS=,; echo "${CLUSTER_ADDRS[*]}")"

  S3_PORT="$(free_port)" || fail_setup "no free port"
  mkdir -p "$WORK/s3"
  NODE_OPTIONS=--openssl-legacy-provider node "$S3RVER_JS" --directory "$WORK/s3" --address 127.0.0.1 \
    --port "$S3_PORT" --silent >"$LOGS/s3rver.log" 2>&1 &
  S3_PID=$!
  PIDS+=("$S3_PID")
  wait_until 30 "$S3_PID" "s3rver on port $S3_PORT" port_listening "$S3_PORT" \
    || { tail -n 20 "$LOGS/s3rver.log" >&2; fail_setup "s3rver did not start on port $S3_PORT"; }
  log "s3rver http://127.0.0.1:$S3_PORT"

  export VSTORE_TEST_REDIS="127.0.0.1:$REDIS_PORT"
  export VSTORE_TEST_REDIS_CLUSTER
  VSTORE_TEST_REDIS_CLUSTER="$(IFS=,; echo "${CLUSTER_ADDRS[*]}")"
  export VSTORE_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
  VSTORE_TEST_REDIS_SERVER_BIN="$(command -v redis-server)"
  export VSTORE_TEST_REDIS_SERVER_BIN
fi

# ---------------------------------------------------------------- build
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
BUILD_FLAGS=()
if [[ "${CI:-}" == "true" ]]; then
  # no lingering MSBuild/compiler servers after a CI run
  BUILD_FLAGS+=(--disable-build-servers)
  log "dotnet restore --locked-mode"
  dotnet restore VersionStore.sln --locked-mode || fail_setup "dotnet restore --locked-mode failed"
  BUILD_FLAGS+=(--no-restore)
fi
log "dotnet build VersionStore.sln -c Release"
if ! dotnet build VersionStore.sln -c Release "${BUILD_FLAGS[@]}"; then
  echo "[test.sh] BUILD FAILED" >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

# ---------------------------------------------------------------- test
# Run each test project of the solution (a project that references Microsoft.NET.Test.Sdk). Running the .sln
# directly would also hand helper libraries that reference xunit (IsTestProject=true via xunit.core) to the
# test host, which aborts on them.
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
TEST_PROJECTS=()
while IFS= read -r proj; do
  proj="${proj//\\//}"
  [[ -f "$proj" ]] && grep -q 'Microsoft.NET.Test.Sdk' "$proj" && TEST_PROJECTS+=("$proj")
done < <(dotnet sln VersionStore.sln list | grep -E '\.csproj$')
[[ ${#TEST_PROJECTS[@]} -gt 0 ]] || fail_setup "no test project found in VersionStore.sln"
TEST_RC=0
: >"$LOGS/dotnet-test.log"
for proj in "${TEST_PROJECTS[@]}"; do
  TEST_ARGS=(test "$proj" -c Release --no-build --results-directory "$RESULTS"
             --logger "trx;LogFilePrefix=r" --blame-hang-timeout 15m --blame-hang-dump-type none)
  [[ -n "$FILTER" ]] && TEST_ARGS+=(--filter "$FILTER")
  [[ "${CI:-}" == "true" ]] && TEST_ARGS+=(--disable-build-servers)
  log "dotnet ${TEST_ARGS[*]}"
  dotnet "${TEST_ARGS[@]}" 2>&1 | tee -a "$LOGS/dotnet-test.log"
  rc=${PIPESTATUS[0]}
  [[ $rc -ne 0 ]] && TEST_RC=$rc
done

# ---------------------------------------------------------------- count
attr() { grep -o "$1=\"[0-9]*\"" <<<"$2" | head -n1 | grep -o '[0-9]*' || echo 0; }
T_PASSED=0; T_FAILED=0; T_SKIPPED=0; TRX_COUNT=0
while IFS= read -r -d '' trx; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1)"
  [[ -z "$counters" ]] && continue
  TRX_COUNT=$((TRX_COUNT + 1))
  total=$(attr total "$counters"); passed=$(attr passed "$counters")
  failed=$(( $(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters") ))
  skipped=$(( total - passed - failed )); [[ $skipped -lt 0 ]] && skipped=0
  T_PASSED=$((T_PASSED + passed)); T_FAILED=$((T_FAILED + failed)); T_SKIPPED=$((T_SKIPPED + skipped))
done < <(find "$RESULTS" -name '*.trx' -print0)

# cross-check with the console summaries ("Failed!  - Failed: N, Passed: N, Skipped: N, Total: N")
C_PASSED=0; C_FAILED=0; C_SKIPPED=0
while IFS= read -r line; do
  C_FAILED=$((C_FAILED + $(sed -n 's/.*Failed: *\([0-9]*\).*/\1/p' <<<"$line")))
  C_PASSED=$((C_PASSED + $(sed -n 's/.*Passed: *\([0-9]*\).*/\1/p' <<<"$line")))
  C_SKIPPED=$((C_SKIPPED + $(sed -n 's/.*Skipped: *\([0-9]*\).*/\1/p' <<<"$line")))
done < <(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+, +Total: +[0-9]+' "$LOGS/dotnet-test.log")
if [[ $C_PASSED -gt $T_PASSED || $C_FAILED -gt $T_FAILED ]]; then
  log "trx files ($TRX_COUNT) count fewer results than the console summaries; using the console counts"
  T_PASSED=$C_PASSED; T_FAILED=$C_FAILED; T_SKIPPED=$C_SKIPPED
fi
if [[ $TEST_RC -ne 0 && $T_FAILED -eq 0 ]]; then
  echo "[test.sh] dotnet test exited with $TEST_RC but no failed test was counted (test host crash or hang?); counting 1 failure" >&2
  T_FAILED=1
fi

SUMMARY="tests: $T_PASSED passed, $T_FAILED failed"
[[ $T_SKIPPED -gt 0 ]] && SUMMARY+=", $T_SKIPPED skipped"
cleanup
trap - EXIT
echo "$SUMMARY"
[[ $T_FAILED -eq 0 && $TEST_RC -eq 0 ]]
