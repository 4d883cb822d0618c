#!/usr/bin/env bash
# First whole-history walk in a fresh JIT process, phase by phase, this checkout beside a baseline commit
# (docs/BENCHMARKS.md, "First walk in a fresh JIT process"):
#
#   benchmarks/first-walk.sh STORE [BASE_COMMIT] [ROUNDS]     defaults: BASE_COMMIT=main, ROUNDS=7
#
# STORE is an embedded store with its commit-graph file (`VersionStore.Benchmarks fresh-build STORE 1000000`; it is
# only read). The baseline's sources (`git archive BASE_COMMIT`) and this checkout are built into separate folders under
# $VSTORE_WALK_ARTIFACTS (default /tmp/vstore-first-walk), then `walk-probe STORE` runs as a fresh process ROUNDS times
# for each, alternating base and new so machine load hits both alike. Prints every run, then per phase the minimum and
# median of wall and CPU time for each build (CPU time is the figure that survives a loaded machine), with the machine,
# load average and commits. Run it as `nice -n -19 benchmarks/first-walk.sh ...` (root) on a shared machine.
set -euo pipefail

STORE="${1:?usage: first-walk.sh STORE [BASE_COMMIT] [ROUNDS]}"
BASE="${2:-main}"
ROUNDS="${3:-7}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ART="${VSTORE_WALK_ARTIFACTS:-/tmp/vstore-first-walk}"
log() { echo "[first-walk] $*" >&2; }

BASE_SHA="$(git -C "$REPO" rev-parse --short "$BASE")"
NEW_SHA="$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src benchmarks || echo '+dirty')"
rm -rf "$ART/base-src"
mkdir -p "$ART/base-src"
git -C "$REPO" archive "$BASE" | tar -x -C "$ART/base-src"
log "building base $BASE_SHA and new $NEW_SHA"
VSTORE_ARTIFACTS="$ART/base" dotnet build "$ART/base-src/benchmarks/VersionStore.Benchmarks" -c Release -v q -nologo >&2
VSTORE_ARTIFACTS="$ART/new" dotnet build "$REPO/benchmarks/VersionStore.Benchmarks" -c Release -v q -nologo >&2
BASE_DLL="$ART/base/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll"
NEW_DLL="$ART/new/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll"

echo "# first-walk.sh $STORE $BASE $ROUNDS"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(dotnet --version) SDK, $(uname -r)"
echo "base: $BASE_SHA ($BASE), new: $NEW_SHA"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT="$(mktemp)"
# One warm-up each (page cache), not counted.
dotnet "$BASE_DLL" walk-probe "$STORE" > /dev/null
dotnet "$NEW_DLL" walk-probe "$STORE" > /dev/null
for ((i = 1; i <= ROUNDS; i++)); do
  echo "base: $(dotnet "$BASE_DLL" walk-probe "$STORE")" | tee -a "$OUT"
  echo "new:  $(dotnet "$NEW_DLL" walk-probe "$STORE")" | tee -a "$OUT"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$OUT" <<'PY'
import re, statistics, sys
runs = {"base": [], "new": []}
for line in open(sys.argv[1]):
    who, _, rest = line.partition(":")
    phases = {}
    # "NAME WALL / CPU[ / JIT, N];" per phase (the JIT columns exist in newer probes only)
    for m in re.finditer(r" ([^;:]+?) ([0-9.]+) / ([0-9.]+)(?: / [0-9.]+, [0-9]+)?;", rest.split(":", 1)[1]):
        name = re.sub(r" \(.*\)$", "", m.group(1).strip())
        phases[name] = (float(m.group(2)), float(m.group(3)))
    total = re.search(r"first answer: ([0-9.]+) ms", rest)
    phases["open → first answer (wall)"] = (float(total.group(1)), float("nan"))
    runs[who.strip()].append(phases)
names = list(runs["new"][0].keys())
print("| phase (ms) | base wall min / median | new wall min / median | base CPU min / median | new CPU min / median |")
print("|---|---:|---:|---:|---:|")
def cell(who, name, k):
    xs = [r[name][k] for r in runs[who] if name in r]
    return "—" if not xs or xs[0] != xs[0] else f"{min(xs):.1f} / {statistics.median(xs):.1f}"
for name in names:
    print(f"| {name} | {cell('base', name, 0)} | {cell('new', name, 0)} | {cell('base', name, 1)} | {cell('new', name, 1)} |")
def first_walk(who, k):
    keys = [n for n in names if n.startswith(("RocksDbBackend.Open", "RepositoryStore", "attach", "resolve", "is-ancestor"))]
    return [sum(r[n][k] for n in keys if n in r) for r in runs[who]]
for k, label in ((0, "wall"), (1, "CPU")):
    b, n = first_walk("base", k), first_walk("new", k)
    print(f"| open + first walk, sum of phases ({label}) | {min(b):.1f} / {statistics.median(b):.1f} | {min(n):.1f} / {statistics.median(n):.1f} | | |" if k == 0 else
          f"| open + first walk, sum of phases ({label}) | | | {min(b):.1f} / {statistics.median(b):.1f} | {min(n):.1f} / {statistics.median(n):.1f} |")
PY
rm -f "$OUT"
