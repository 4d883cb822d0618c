#!/usr/bin/env bash
# The ReadyToRun images of main beside this branch's, alternating (first-walk.sh compares base IL / new IL / new r2r;
# this adds base r2r): walk-probe STORE as ROUNDS fresh processes each, one warm-up each, then per phase min / median.
#   r2r-ab.sh BASE_R2R_DIR NEW_R2R_DIR STORE [ROUNDS]
# BASE_R2R_DIR / NEW_R2R_DIR: a benchmarks build folder with VersionStore.dll and VersionStore.RocksDb.dll replaced by
# the runtimes/linux-x64 images out of `dotnet pack` (what first-walk.sh's r2r build is).
set -euo pipefail
BASE="$1"; NEW="$2"; STORE="$3"; ROUNDS="${4:-7}"
OUT="$(mktemp)"
echo "# r2r-ab.sh $*"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(dotnet --version) SDK, $(uname -r)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for d in "$BASE" "$NEW"; do dotnet "$d/VersionStore.Benchmarks.dll" walk-probe "$STORE" > /dev/null; done
for ((i = 1; i <= ROUNDS; i++)); do
  echo "base-r2r: $(dotnet "$BASE/VersionStore.Benchmarks.dll" walk-probe "$STORE")" | tee -a "$OUT"
  echo "new-r2r: $(dotnet "$NEW/VersionStore.Benchmarks.dll" walk-probe "$STORE")" | tee -a "$OUT"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$OUT" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, _, rest = line.partition(":")
    phases = {}
    for m in re.finditer(r" ([^;:]+?) ([0-9.]+) / ([0-9.]+) / ([0-9.]+), ([0-9]+);", rest.split(":", 1)[1]):
        name = re.sub(r" \(.*\)$", "", m.group(1).strip())
        phases[name] = (float(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(5)))
    walk = [n for n in phases if not n.startswith("the same walk")]
    phases["after the open (attach + resolve + walk)"] = tuple(sum(phases[n][k] for n in walk if not n.startswith(("RocksDbBackend.Open", "RepositoryStore"))) for k in range(4))
    runs.setdefault(who.strip(), []).append(phases)
builds = list(runs)
names = list(runs[builds[-1]][0].keys())
print(f"min / median of {len(runs[builds[0]])} fresh processes each, ms (methods jitted: median)")
print()
print("| phase | " + " | ".join(f"{b} wall" for b in builds) + " | " + " | ".join(f"{b} CPU" for b in builds) + " | " + " | ".join(f"{b} JIT ms, methods" for b in builds) + " |")
print("|---|" + "---:|" * (3 * len(builds)))
def cell(b, name, k):
    xs = [r[name][k] for r in runs[b] if name in r]
    return f"{min(xs):.1f} / {statistics.median(xs):.1f}"
def jit(b, name):
    xs = [r[name] for r in runs[b] if name in r]
    return f"{statistics.median(x[2] for x in xs):.1f}, {statistics.median(x[3] for x in xs):.0f}"
for name in names:
    print(f"| {name} | " + " | ".join(cell(b, name, 0) for b in builds) + " | " + " | ".join(cell(b, name, 1) for b in builds) + " | " + " | ".join(jit(b, name) for b in builds) + " |")
PY
rm -f "$OUT"
