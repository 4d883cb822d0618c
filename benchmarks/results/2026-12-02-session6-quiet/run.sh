#!/usr/bin/env bash
# The integrator's goal probes on the merged main (session 6), alternating it with the session's starting commit
# ee790dc. Run as root on an otherwise idle machine: OUT=<folder> benchmarks/results/2026-12-02-session6-quiet/run.sh
#   NEW  = this checkout's benchmarks build (dotnet build benchmarks/VersionStore.Benchmarks -c Release)
#   BASE = ee790dc built the same way from a detached worktree:
#          git worktree add --detach /tmp/coldrb-base ee790dc
#          VSTORE_ARTIFACTS=/tmp/coldrb-base-art dotnet build /tmp/coldrb-base/benchmarks/VersionStore.Benchmarks -c Release
#   STORE = a 1e6-commit embedded store (VersionStore.Benchmarks fresh-build STORE 1000000), only ever opened read-only
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
OUT=${OUT:-/tmp/quiet6}
mkdir -p "$OUT"
export VSTORE_BENCH_DATA=${VSTORE_BENCH_DATA:-/work/shared/data/dify}
NEW=benchmarks/VersionStore.Benchmarks/bin/Release/net10.0/VersionStore.Benchmarks.dll
BASE=${BASE:-/tmp/coldrb-base-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
STORE=${STORE:-/tmp/vsf-walk/store-1000000}
info() { echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg) cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"; }
step() { echo "[quiet $(date -u +%H:%M:%S)] $1" | tee -a "$OUT/progress.log"; }
# Each build its own copy of the same history cache (SEED): the new build upgrades a store it opens read-write to layout 2,
# which the base build then refuses.
SEED=${SEED:-/tmp/coldrb-cache-gen}
for b in new base; do rm -rf "$OUT/cache-$b"; cp -a "$SEED" "$OUT/cache-$b"; done
side() { # side NAME DLL ARGS...
  local name=$1 dll=$2 cache=new; shift 2
  [ "$name" = base ] && cache=base
  echo "=== $name: $*"; info; VSTORE_BENCH_CACHE="$OUT/cache-$cache" nice -n -19 dotnet "$dll" "$@"; info; echo
}
# new-nosplit: the same build with the cold verification's two-thread split off (VSTORE_BENCH_SPLIT=0)
nosplit() { VSTORE_BENCH_SPLIT=0 side new-nosplit "$@"; }
step "cold rollback latency (new, nosplit, base, new, nosplit)"
{ side new "$NEW" latency --quick rollback; nosplit "$NEW" latency --quick rollback; side base "$BASE" latency --quick rollback
  side new "$NEW" latency --quick rollback; nosplit "$NEW" latency --quick rollback; } > "$OUT/latency-rollback.md" 2>&1
step "rollback profile (new, nosplit, base, new, nosplit)"
{ side new "$NEW" rollback-profile 1000; nosplit "$NEW" rollback-profile 1000; side base "$BASE" rollback-profile 1000
  side new "$NEW" rollback-profile 1000; nosplit "$NEW" rollback-profile 1000; } > "$OUT/rollback-profile.md" 2>&1
step "ingest probe (new, base, new)"
{ side new "$NEW" ingest-probe 40 20; side base "$BASE" ingest-probe 40 20; side new "$NEW" ingest-probe 40 20; } > "$OUT/ingest-probe.md" 2>&1
step "first walk (base ee790dc IL, new IL, new ReadyToRun images)"
{ info; VSTORE_WALK_R2R=1 nice -n -19 benchmarks/first-walk.sh "$STORE" ee790dc 7; info; } > "$OUT/first-walk-r2r.txt" 2>&1
step "done"
