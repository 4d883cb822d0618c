#!/bin/bash
# Before/after, alternated in one sequence: base = main (built in a detached worktree), new = this branch (SIDES; run-1
# also had new-noprewake: the same build with VSTORE_BENCH_PREWAKE=0, the early wake that commit 1263dff had and the
# final code dropped). Each side its own copy of the same history cache (copied from SEED before the first round), so
# every side starts from the same store shape. SIDES="new-nosplit new": this branch's build with the split off and on.
# Build first:
#   git worktree add --detach /tmp/coldrb-base main
#   (cd /tmp/coldrb-base && VSTORE_ARTIFACTS=/tmp/coldrb-base-art dotnet build benchmarks/VersionStore.Benchmarks -c Release)
#   VSTORE_ARTIFACTS=/tmp/s6-coldrb-art dotnet build benchmarks/VersionStore.Benchmarks -c Release
# Usage (as root): run.sh OUT_DIR ROUNDS
export VSTORE_BENCH_DATA=${VSTORE_BENCH_DATA:-/work/shared/data/dify}
NEW=${NEW:-/tmp/s6-coldrb-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
OLD=${OLD:-/tmp/coldrb-base-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
SEED=${SEED:-/tmp/coldrb-cache-gen}
out=${1:-/tmp/coldrb-run}; rounds=${2:-3}
mkdir -p "$out"
SIDES=${SIDES:-base new}
for side in $SIDES; do rm -rf /tmp/coldrb-run-cache-$side; cp -a "$SEED" /tmp/coldrb-run-cache-$side; done
info() { echo "# $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"; }
{ echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), dotnet $(dotnet --version)"
  echo "new: $NEW (commit ${NEW_COMMIT:-$(git -C "$(dirname "$0")" rev-parse --short HEAD)})"
  echo "base: $OLD (commit ${BASE_COMMIT:-unknown})"
  echo "started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out/header.txt"
run() { # side probe args...
  local side=$1; shift
  local dll=$NEW; [ "$side" = base ] && dll=$OLD
  local prewake=1; [ "$side" = new-noprewake ] && prewake=0
  local split=1; [ "$side" = new-nosplit ] && split=0   # the same build with the split off (VSTORE_BENCH_SPLIT=0)
  VSTORE_BENCH_SPLIT=$split VSTORE_BENCH_PREWAKE=$prewake VSTORE_BENCH_CACHE=/tmp/coldrb-run-cache-$side nice -n -19 dotnet "$dll" "$@" 2>&1
}
for r in $(seq 1 "$rounds"); do
  for side in $SIDES; do { info; run $side rollback-profile 1000; info; } > "$out/profile-$side-$r.md"; done
  for side in $SIDES; do { info; run $side latency --quick rollback; info; } > "$out/latency-$side-$r.md"; done
done
echo "finished $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/header.txt"
