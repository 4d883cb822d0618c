#!/usr/bin/env bash
# Write times per batch (issue 11, s6-ingest): base = main ee790dc (layout 1, one write-time entry per object),
# new = branch s6-ingest (layout 2, one write-time record per batch). Builds (Release, own artifacts folders):
#   git worktree add --detach /tmp/s6-ingest-base ee790dc
#   (cd /tmp/s6-ingest-base && VSTORE_ARTIFACTS=/tmp/s6-ingest-base-art dotnet build -c Release benchmarks/VersionStore.Benchmarks)
#   (cd /work/wt/s6-ingest  && VSTORE_ARTIFACTS=/tmp/s6-ingest-art      dotnet build -c Release benchmarks/VersionStore.Benchmarks)
# Alternated base/new within one run, three rounds each, as root under nice -n -19.
#   ./run.sh breakdown   -> commit-breakdown (20,000 commits after 2,000 warm-up; thread CPU; fastest of 5 rounds' means)
#   ./run.sh probe       -> ingest-probe 40 20 (wall; min/median over 40 interleaved rounds of 20 commits per case)
set -u
export VSTORE_BENCH_DATA=/work/shared/data/dify
declare -A BIN=([base]=/tmp/s6-ingest-base-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
                [new]=/tmp/s6-ingest-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll)
what=${1:-probe}
cd /tmp
for r in 1 2 3; do
  for b in base new; do
    echo "=== $what $b round $r $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x$(nproc)"
    case $what in
      breakdown) nice -n -19 dotnet "${BIN[$b]}" commit-breakdown 2>&1 ;;
      probe)     nice -n -19 dotnet "${BIN[$b]}" ingest-probe 40 20 2>&1 | tail -12 ;;
    esac
  done
done
