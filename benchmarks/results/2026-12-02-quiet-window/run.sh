#!/usr/bin/env bash
set -uo pipefail
cd /work/main
OUT=${OUT:-/tmp/quiet5}
mkdir -p "$OUT"
export VSTORE_BENCH_DATA=/work/shared/data/dify
B=benchmarks/VersionStore.Benchmarks/bin/Release/net10.0/VersionStore.Benchmarks.dll
info() { echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg) cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"; }
step() { echo "[quiet $(date -u +%H:%M:%S)] $1" | tee -a "$OUT/progress.log"; }
step "cold rollback latency"
{ info; nice -n -19 dotnet $B latency --quick rollback; info; } > "$OUT/latency-rollback.md" 2>&1
step "rollback profile"
{ info; nice -n -19 dotnet $B rollback-profile 1000; info; } > "$OUT/rollback-profile.md" 2>&1
step "ingest probe"
{ info; for i in 1 2 3; do nice -n -19 dotnet $B ingest-probe 40 20; echo; done; info; } > "$OUT/ingest-probe.md" 2>&1
step "ingest a/b (f9ebee6 vs 8d65d0f)"
{ info; /tmp/ing/ab.sh; info; } > "$OUT/ingest-ab-sha.txt" 2>&1
step "first walk r2r"
{ info; VSTORE_WALK_R2R=1 nice -n -19 benchmarks/first-walk.sh /tmp/vsf-rollback/store-1000000 f9ebee6 7; info; } > "$OUT/first-walk-r2r.txt" 2>&1
step "done"
