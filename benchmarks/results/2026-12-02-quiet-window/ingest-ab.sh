#!/usr/bin/env bash
# alternate base/new ingest-probe runs
cd /work/main
export VSTORE_BENCH_DATA=/work/shared/data/dify
for r in 1 2 3; do
  for b in base new; do
    echo "=== $b round $r $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    nice -n -19 dotnet /tmp/ing/$b/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll ingest-probe 40 20 2>&1 | tail -12
  done
done
