#!/bin/bash
# Before/after in one sequence, alternating: base = main's product code with this branch's probe files copied in
# (RunCost.cs, LatencyProbes.cs, RollbackProfile.cs, RollbackBenchmarks.cs: the same probe both sides), new = this branch.
# Each side its own build folder and its own history cache (same generator, same stamp), generated fresh by the first run.
# Usage: run.sh OUT_DIR ROUNDS     (build both sides first: see run-info.txt)
export VSTORE_BENCH_DATA=${VSTORE_BENCH_DATA:-/work/shared/data/dify}
NEW=${NEW:-/tmp/vsa-coldrb3/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
OLD=${OLD:-/tmp/vsa-coldrb3-base/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll}
out=${1:-/tmp/vsb-coldrb3-run}; rounds=${2:-3}
mkdir -p $out
rm -rf /tmp/vsb-coldrb3-run-base /tmp/vsb-coldrb3-run-new
load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg)"; }
{ echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), dotnet $(dotnet --version)"
  echo "new: $NEW (commit ${NEW_COMMIT:-$(git -C "$(dirname "$0")" rev-parse --short HEAD)})"
  echo "base: $OLD (commit ${BASE_COMMIT:-unknown})"
  echo "started $(date -u +%FT%TZ), $(load)"; } > $out/header.txt
for r in $(seq 1 $rounds); do
  for side in base new; do
    if [ $side = base ]; then dll=$OLD; else dll=$NEW; fi
    cache=/tmp/vsb-coldrb3-run-$side
    { load; VSTORE_BENCH_CACHE=$cache nice -n 5 dotnet $dll latency --quick rollback 2>&1; load; } > $out/latency-$side-$r.md
    { load; VSTORE_BENCH_CACHE=$cache nice -n 5 dotnet $dll rollback-profile 1000 2>&1; load; } > $out/profile-$side-$r.md
  done
done
# Once more each side without the JIT warm-up (VSTORE_BENCH_JIT_SETTLE=0: the probe's older fixed warm-up of 30 rollbacks):
# what the first probe in a process (the 1,000 history) measured before.
for side in base new; do
  if [ $side = base ]; then dll=$OLD; else dll=$NEW; fi
  { load; VSTORE_BENCH_JIT_SETTLE=0 VSTORE_BENCH_CACHE=/tmp/vsb-coldrb3-run-$side nice -n 5 dotnet $dll latency --quick rollback 2>&1; load; } > $out/latency-$side-nosettle.md
done
# The read side alone, by store shape (level-0 files above the data, row cache or not): this branch only.
{ load; VSTORE_BENCH_CACHE=/tmp/vsb-coldrb3-run-new nice -n 5 dotnet $NEW rocksdb-read-probe 2>&1; load; } > $out/rocksdb-read-probe.md
echo "finished $(date -u +%FT%TZ), $(load)" >> $out/header.txt
echo done > $out/done
