#!/bin/bash
# before/after in one sequence: base = main 0fe83d6 (+ the benchmark files of this branch), new = s3-rollback
export VSTORE_BENCH_DATA=/work/shared/data/dify
NEW=/tmp/vsa-rollback/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
OLD=/tmp/vsa-base/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
S=/tmp/vsf-rollback/store-1000000
out=/tmp/vsb-rollback/final
for r in 1 2; do
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)" > $out/latency-base-$r.md; VSTORE_BENCH_CACHE=/tmp/vsb-base nice -n 5 dotnet $OLD latency --quick rollback >> $out/latency-base-$r.md 2>&1; echo "load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/latency-base-$r.md
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)" > $out/latency-new-$r.md; VSTORE_BENCH_CACHE=/tmp/vsb-rollback nice -n 5 dotnet $NEW latency --quick rollback >> $out/latency-new-$r.md 2>&1; echo "load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/latency-new-$r.md
done
for r in 1 2 3 4 5; do
  echo "base: load $(cut -d' ' -f1-3 /proc/loadavg): $(dotnet $OLD walk-probe $S)" >> $out/walk.txt
  echo "new:  load $(cut -d' ' -f1-3 /proc/loadavg): $(dotnet $NEW walk-probe $S)" >> $out/walk.txt
done
for r in 1 2 3; do
  echo "base: $(dotnet $OLD graph-probe $S | head -1)" >> $out/graph-probe.txt
  echo "new:  $(dotnet $NEW graph-probe $S | head -1)" >> $out/graph-probe.txt
done
VSTORE_BENCH_CACHE=/tmp/vsb-base nice -n 5 dotnet $OLD rollback-profile 1000 > $out/profile-base.md 2>&1
VSTORE_BENCH_CACHE=/tmp/vsb-rollback nice -n 5 dotnet $NEW rollback-profile 1000 > $out/profile-new.md 2>&1
echo done > $out/done
