#!/usr/bin/env bash
# second alternated round of the cold rollback probes: base, nosplit, base, nosplit, new (same caches as run.sh)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
OUT=/tmp/quiet6
export VSTORE_BENCH_DATA=/work/shared/data/dify
NEW=benchmarks/VersionStore.Benchmarks/bin/Release/net10.0/VersionStore.Benchmarks.dll
BASE=/tmp/coldrb-base-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
info() { echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg)"; }
side() { local name=$1 dll=$2 cache=new split=1; shift 2; [ "$name" = base ] && cache=base; [ "$name" = new-nosplit ] && split=0
  echo "=== $name: $*"; info; VSTORE_BENCH_SPLIT=$split VSTORE_BENCH_CACHE="$OUT/cache-$cache" nice -n -19 dotnet "$dll" "$@"; info; echo; }
for probe in "latency --quick rollback" "rollback-profile 1000"; do
  { side base $BASE $probe; side new-nosplit $NEW $probe; side base $BASE $probe; side new-nosplit $NEW $probe; side new $NEW $probe; } > "$OUT/round2-$(echo $probe | cut -d' ' -f1).md" 2>&1
done
echo done
