#!/bin/bash
# Before/after in one sequence, alternating: base = main (product code of b27ed3d, with this branch's RollbackProfile.cs
# copied in), new = this branch. Each side its own build folder and its own history cache (same generator, same stamp).
# Usage: run.sh OUT_DIR ROUNDS
export VSTORE_BENCH_DATA=${VSTORE_BENCH_DATA:-/work/shared/data/dify}
NEW=${NEW:-/tmp/vsa-coldrb/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
OLD=${OLD:-/tmp/vsa-coldrb-base/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
out=${1:-/tmp/vsb-coldrb-run}; rounds=${2:-3}
mkdir -p $out
load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg)"; }
{ echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), dotnet $(dotnet --version)"
  echo "new: $NEW (commit ${NEW_COMMIT:-$(git -C "$(dirname "$0")" rev-parse --short HEAD)})"
  echo "base: $OLD (commit ${BASE_COMMIT:-unknown})"
  echo "started $(date -u +%FT%TZ), $(load)"; } > $out/header.txt
for r in $(seq 1 $rounds); do
  for side in base new; do
    if [ $side = base ]; then dll=$OLD; cache=/tmp/vsb-coldrb-base; else dll=$NEW; cache=/tmp/vsb-coldrb-new; fi
    { load; VSTORE_BENCH_CACHE=$cache nice -n 5 dotnet $dll latency --quick rollback 2>&1; load; } > $out/latency-$side-$r.md
    { load; VSTORE_BENCH_CACHE=$cache nice -n 5 dotnet $dll rollback-profile 1000 2>&1; load; } > $out/profile-$side-$r.md
  done
done
{ load; VSTORE_BENCH_CACHE=/tmp/vsb-coldrb-new nice -n 5 dotnet $NEW rocksdb-read-probe 2>&1; load; } > $out/rocksdb-read-probe.md
echo "finished $(date -u +%FT%TZ), $(load)" >> $out/header.txt
echo done > $out/done
