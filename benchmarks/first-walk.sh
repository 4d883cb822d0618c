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
# VSTORE_WALK_R2R=1 adds a third build, "r2r": this checkout's build with VersionStore, VersionStore.RocksDb and
# System.IO.Hashing precompiled by crossgen2 (ReadyToRun, linux-x64; the crossgen2 package of the installed runtime is
# fetched by a throw-away restore under $VSTORE_WALK_ARTIFACTS): what shipping ReadyToRun code in the packages would
# give a JIT process. Methods marked AggressiveOptimization are never precompiled (the runtime JITs them anyway).
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
  RUNTIME="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')"
  mkdir -p "$ART/crossgen"
  cat > "$ART/crossgen/crossgen.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><RestorePackagesWithLockFile>false</RestorePackagesWithLockFile><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Crossgen2.linux-x64" Version="[$RUNTIME]" /></ItemGroup>
</Project>
XML
  dotnet restore "$ART/crossgen/crossgen.csproj" -v q >&2
  CROSSGEN="${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.netcore.app.crossgen2.linux-x64/$RUNTIME/tools/crossgen2"
  FRAMEWORK="$(dotnet --list-runtimes | sed -n "s/^Microsoft.NETCore.App $RUNTIME \[\(.*\)\]$/\1/p")/$RUNTIME"
  rm -rf "$ART/r2r" && cp -r "$(dirname "$NEW_DLL")" "$ART/r2r"
  for a in VersionStore VersionStore.RocksDb System.IO.Hashing; do
    "$CROSSGEN" -r "$FRAMEWORK/*.dll" -r "$(dirname "$NEW_DLL")/*.dll" --targetos linux --targetarch x64 -O "$(dirname "$NEW_DLL")/$a.dll" -o "$ART/r2r/$a.dll" > /dev/null
  done
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
