#!/usr/bin/env bash
# Issue 11's "must show" BenchmarkDotNet figures, each class in one run beside its peer, on one commit of main
# (session 7), followed by the Stopwatch probes the issue names. Run as root on an otherwise idle machine:
#   OUT=<folder> benchmarks/results/2026-12-02-session7/run.sh
# It builds the benchmarks program (Release, artifacts in $VSTORE_ARTIFACTS, default /tmp/art-s7) and runs, under
# nice -n -19, from $OUT (BenchmarkDotNet writes BenchmarkDotNet.Artifacts/ there):
#   1. BenchmarkDotNet, full job, one process: CommitIngestBenchmarks (vs LibGit2Sharp and the CPU floor),
#      PackCodecBenchmarks (vs raw K4os), WarmReadBenchmarks (verified warm read vs a raw RocksDB Get),
#      BatchReadBenchmarks (multi-get vs single gets), ColdReadBenchmarks (S3, GETs per read);
#   2. `latency rollback` (full mode): cold-verification rollback p50/p90/p99;
#   3. `batch-gets`: S3 GETs, bytes and time of a cold snapshot read;
#   4. benchmarks/fresh-process.sh (the NativeAOT CLI beside git, fresh processes, 1e4/1e5/1e6; its own caches).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
OUT=${OUT:-/tmp/s7-bench}
mkdir -p "$OUT"
export VSTORE_ARTIFACTS=${VSTORE_ARTIFACTS:-/tmp/art-s7}
export VSTORE_BENCH_DATA=${VSTORE_BENCH_DATA:-$(cd "$REPO/../shared/data/dify" && pwd)}
export VSTORE_BENCH_CACHE=${VSTORE_BENCH_CACHE:-$OUT/cache}
B=$VSTORE_ARTIFACTS/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
info() { echo "# $(date -u +%FT%TZ) commit $(git -C "$REPO" rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg) cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"; }
step() { echo "[s7 $(date -u +%H:%M:%S)] $1" | tee -a "$OUT/progress.log"; }
if [[ ! -f "$REPO/tools/s3rver/node_modules/s3rver/bin/s3rver.js" ]]; then
  step "npm ci (tools/s3rver)"; (cd "$REPO/tools/s3rver" && npm ci --no-audit --no-fund >"$OUT/npm.log" 2>&1)
fi
step "build"
dotnet build "$REPO/benchmarks/VersionStore.Benchmarks" -c Release -v q -nologo >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
cd "$OUT"
step "BenchmarkDotNet: commit ingest, pack codec, warm read, batch read, cold read"
{ info; nice -n -19 dotnet "$B" --filter '*CommitIngestBenchmarks*' '*PackCodecBenchmarks*' '*WarmReadBenchmarks*' '*BatchReadBenchmarks*' '*ColdReadBenchmarks*'; echo "exit $?"; info; } >"$OUT/bdn.log" 2>&1
step "latency rollback"
{ info; nice -n -19 dotnet "$B" latency rollback; echo "exit $?"; info; } >"$OUT/latency-rollback.md" 2>&1
step "batch-gets"
{ info; nice -n -19 dotnet "$B" batch-gets; echo "exit $?"; info; } >"$OUT/batch-gets.md" 2>&1
step "fresh-process.sh"
{ info; nice -n -19 "$REPO/benchmarks/fresh-process.sh"; echo "exit $?"; info; } >"$OUT/fresh-process.md" 2>"$OUT/fresh-process.log"
step "done"
