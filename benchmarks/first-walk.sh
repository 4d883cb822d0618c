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
#
# VSTORE_WALK_R2R=1 adds a third build, "r2r": the "new" build with VersionStore.dll and VersionStore.RocksDb.dll
# replaced by the linux-x64 ReadyToRun images of this checkout's packages (`dotnet pack`, then taken out of the
# .nupkg): what a package consumer's JIT process on linux-x64 runs. Methods crossgen2 cannot precompile still JIT.
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
BUILDS=(base new)
if [[ "${VSTORE_WALK_R2R:-}" == 1 ]]; then
  # The ReadyToRun images exactly as the packages ship them: this checkout's VersionStore and VersionStore.RocksDb packed
  # (build/ReadyToRun.targets: the SDK's crossgen2, linux-x64) and their runtimes/linux-x64 assets taken out of the
  # .nupkg files, laid over a copy of the "new" build (the IL of the same sources).
  rm -rf "$ART/feed" "$ART/r2r" "$ART/r2r-assets"
  for p in VersionStore VersionStore.RocksDb; do
    VSTORE_ARTIFACTS="$ART/new" dotnet pack "$REPO/src/$p" -c Release -v q -nologo -o "$ART/feed" >&2
  done
  cp -r "$(dirname "$NEW_DLL")" "$ART/r2r"
  for pkg in "$ART"/feed/*.nupkg; do unzip -q -o "$pkg" 'runtimes/linux-x64/lib/net10.0/*.dll' -d "$ART/r2r-assets"; done
  python3 "$REPO/build/readytorun-check.py" "$ART"/r2r-assets/runtimes/linux-x64/lib/net10.0/*.dll >&2
  cp "$ART"/r2r-assets/runtimes/linux-x64/lib/net10.0/*.dll "$ART/r2r/"
  R2R_DLL="$ART/r2r/VersionStore.Benchmarks.dll"
  BUILDS=(base new r2r)
fi
dll() { case "$1" in base) echo "$BASE_DLL" ;; new) echo "$NEW_DLL" ;; r2r) echo "$R2R_DLL" ;; esac; }

echo "# first-walk.sh $STORE $BASE $ROUNDS"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(dotnet --version) SDK, $(uname -r)"
echo "base: $BASE_SHA ($BASE), new: $NEW_SHA"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT="$(mktemp)"
# One warm-up each (page cache), not counted.
for b in "${BUILDS[@]}"; do dotnet "$(dll "$b")" walk-probe "$STORE" > /dev/null; done
for ((i = 1; i <= ROUNDS; i++)); do
  for b in "${BUILDS[@]}"; do echo "$b: $(dotnet "$(dll "$b")" walk-probe "$STORE")" | tee -a "$OUT"; done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$OUT" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, _, rest = line.partition(":")
    phases = {}
    # "NAME WALL / CPU[ / JIT, N];" per phase (the JIT columns exist in newer probes only)
    for m in re.finditer(r" ([^;:]+?) ([0-9.]+) / ([0-9.]+)(?: / [0-9.]+, [0-9]+)?;", rest.split(":", 1)[1]):
        name = re.sub(r" \(.*\)$", "", m.group(1).strip())
        phases[name] = (float(m.group(2)), float(m.group(3)))
    runs.setdefault(who.strip(), []).append(phases)
builds = list(runs)
names = list(runs[builds[-1]][0].keys())
walk = [n for n in names if not n.startswith("the same walk")]
for r in runs.values():
    for p in r:
        p["open + first walk, sum of the phases above"] = tuple(sum(p[n][k] for n in walk if n in p) for k in (0, 1))
        p["after the open (attach + resolve + walk)"] = tuple(sum(p[n][k] for n in walk if n in p and not n.startswith(("RocksDbBackend.Open", "RepositoryStore"))) for k in (0, 1))
names += ["open + first walk, sum of the phases above", "after the open (attach + resolve + walk)"]
print("min / median of " + str(len(runs[builds[0]])) + " fresh processes each, ms")
print()
print("| phase | " + " | ".join(f"{b} wall" for b in builds) + " | " + " | ".join(f"{b} CPU" for b in builds) + " |")
print("|---|" + "---:|" * (2 * len(builds)))
def cell(b, name, k):
    xs = [r[name][k] for r in runs[b] if name in r]
    return f"{min(xs):.1f} / {statistics.median(xs):.1f}" if xs else "—"
for name in names:
    print(f"| {name} | " + " | ".join(cell(b, name, 0) for b in builds) + " | " + " | ".join(cell(b, name, 1) for b in builds) + " |")
PY
rm -f "$OUT"
