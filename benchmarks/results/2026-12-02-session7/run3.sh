#!/usr/bin/env bash
# The noise-robust probes beside the one-run BenchmarkDotNet job (run.sh): LibGit2Sharp's cost drifted 10 -> 3.4 ms
# per commit across that job's iterations (the filesystem settling after the CI run before it), so commit ingest is
# measured again, alone, and interleaved; the pack codec interleaved too. Same build as run.sh (VSTORE_ARTIFACTS).
#   OUT=<folder> benchmarks/results/2026-12-02-session7/run3.sh
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
OUT=${OUT:-/tmp/s7-bench}
export VSTORE_ARTIFACTS=${VSTORE_ARTIFACTS:-/tmp/art-s7}
export VSTORE_BENCH_DATA=${VSTORE_BENCH_DATA:-$(cd "$REPO/../shared/data/dify" && pwd)}
export VSTORE_BENCH_CACHE=${VSTORE_BENCH_CACHE:-$OUT/cache}
B=$VSTORE_ARTIFACTS/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
info() { echo "# $(date -u +%FT%TZ) commit $(git -C "$REPO" rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg) cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"; }
step() { echo "[s7-3 $(date -u +%H:%M:%S)] $1" | tee -a "$OUT/progress.log"; }
dotnet build "$REPO/benchmarks/VersionStore.Benchmarks" -c Release -v q -nologo >"$OUT/build3.log" 2>&1 || { tail -30 "$OUT/build3.log"; exit 1; }
mkdir -p "$OUT/ingest" && cd "$OUT/ingest"
step "BenchmarkDotNet commit ingest, alone"
{ info; nice -n -19 dotnet "$B" --filter '*CommitIngestBenchmarks*'; echo "exit $?"; info; } >"$OUT/bdn-ingest.log" 2>&1
step "ingest-probe 40 20"
{ info; nice -n -19 dotnet "$B" ingest-probe 40 20; echo "exit $?"; info; } >"$OUT/ingest-probe.md" 2>&1
step "pack-codec-probe 2000 headline"
{ info; nice -n -19 dotnet "$B" pack-codec-probe 2000 headline; echo "exit $?"; info; } >"$OUT/pack-codec-probe.md" 2>&1
step "rollback-profile 1000"
{ info; nice -n -19 dotnet "$B" rollback-profile 1000; echo "exit $?"; info; } >"$OUT/rollback-profile.md" 2>&1
step "done3"
