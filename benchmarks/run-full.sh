#!/usr/bin/env bash
# Full BenchmarkDotNet run of benchmarks/VersionStore.Benchmarks (see docs/BENCHMARKS.md), then the Stopwatch
# latency probes. Expected duration on the shared 2-core VM: ~45-65 min (estimate in docs/BENCHMARKS.md).
#
#   benchmarks/run-full.sh                      # everything
#   benchmarks/run-full.sh --filter '*Rollback*' # any BenchmarkDotNet arguments instead of --filter '*'
#
# Logs and BenchmarkDotNet artifacts go to $VSTORE_BENCH_WORK (default /tmp/vstore-bench-full-<date>); the
# *-report-github.md files, the latency table and the setup notes (GET / round-trip counts) are copied to
# benchmarks/results/<date>/. Run it detached so it survives the shell:  nohup benchmarks/run-full.sh >/dev/null 2>&1 &
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DATE=$(date -u +%F)
export VSTORE_ARTIFACTS=${VSTORE_ARTIFACTS:-/tmp/art-bench-full}
if [[ -z "${VSTORE_BENCH_DATA:-}" && -d "$REPO/../shared/data/dify/workflows" ]]; then
  export VSTORE_BENCH_DATA=$(cd "$REPO/../shared/data/dify" && pwd)
fi
WORK=${VSTORE_BENCH_WORK:-/tmp/vstore-bench-full-$DATE}
OUT="$REPO/benchmarks/results/$DATE"
mkdir -p "$WORK" "$OUT"
LOG="$WORK/full-run.log"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$WORK/progress.log"; }

if [[ ! -f "$REPO/tools/s3rver/node_modules/s3rver/bin/s3rver.js" ]]; then
  log "npm ci (tools/s3rver)"
  (cd "$REPO/tools/s3rver" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1)
fi

log "build (Release, artifacts in $VSTORE_ARTIFACTS)"
dotnet build "$REPO/benchmarks/VersionStore.Benchmarks" -c Release >"$WORK/build.log" 2>&1 \
  || { tail -n 30 "$WORK/build.log" >&2; exit 1; }
DLL="$VSTORE_ARTIFACTS/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll"

ARGS=("$@")
[[ ${#ARGS[@]} -eq 0 ]] && ARGS=(--filter '*')
cd "$WORK"
start=$(date +%s)
log "benchmarks: dotnet VersionStore.Benchmarks.dll ${ARGS[*]} > $LOG"
set +e
dotnet "$DLL" "${ARGS[@]}" >"$LOG" 2>&1
rc=$?
log "benchmarks exit $rc after $(( ($(date +%s) - start) / 60 )) min"
if [[ ${#@} -eq 0 ]]; then
  log "latency probes > $WORK/latency.md"
  dotnet "$DLL" latency >"$WORK/latency.md" 2>&1
  log "latency exit $? after $(( ($(date +%s) - start) / 60 )) min in total"
  cp "$WORK/latency.md" "$OUT/latency-probes.md"
fi
set -e

cp "$WORK"/BenchmarkDotNet.Artifacts/results/*-report-github.md "$OUT"/ 2>/dev/null || true
grep -E '^// (cold read|ref CAS|rollback history|history )' "$LOG" >"$OUT/setup-notes.txt" || true
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$REPO" rev-parse --short HEAD)"
  echo "args: ${ARGS[*]}"
  echo "duration: $(( ($(date +%s) - start) / 60 )) min"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc)"
  echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet --version | sed 's/^/sdk: /'
} >"$OUT/run-info.txt"
log "reports copied to $OUT (full log: $LOG)"
exit $rc
