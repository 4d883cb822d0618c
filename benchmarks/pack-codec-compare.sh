#!/usr/bin/env bash
# Pack codec vs raw K4os LZ4, this tree beside another commit's build, alternated in one run (docs/BENCHMARKS.md, "Pack codec").
#   benchmarks/pack-codec-compare.sh [REF] [ROUNDS] [PAIRS]     defaults: main 2000 2
# Builds REF (exported with `git archive` to a temporary folder) and this tree, then runs `pack-codec-probe ROUNDS
# headline` PAIRS times, before and after alternated, and once more after with the process pinned to one core
# (taskset -c 0: the pack hash that runs on a second core then shares the first). Prints machine, load and commits.
# Takes ~3-4 min plus two builds. Data: VSTORE_BENCH_DATA, else the first shared/data/dify above this tree.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
REF="${1:-main}"; ROUNDS="${2:-2000}"; PAIRS="${3:-2}"
if [[ -z "${VSTORE_BENCH_DATA:-}" ]]; then
  d="$REPO"
  while [[ "$d" != / ]]; do d="$(dirname "$d")"; [[ -d "$d/shared/data/dify" ]] && { export VSTORE_BENCH_DATA="$d/shared/data/dify"; break; }; done
fi
[[ -n "${VSTORE_BENCH_DATA:-}" ]] || { echo "pack-codec-compare: set VSTORE_BENCH_DATA to the shared/data/dify folder" >&2; exit 2; }
OLD="$(mktemp -d "${TMPDIR:-/tmp}/vstore-pack-codec.XXXXXX")"
trap 'rm -rf "$OLD"' EXIT
git -C "$REPO" archive "$REF" | tar -x -C "$OLD"
for tree in "$OLD" "$REPO"; do
  (cd "$tree" && nice -n 5 dotnet build benchmarks/VersionStore.Benchmarks -c Release -v q -nologo >"$OLD/build.log" 2>&1) \
    || { tail -n 30 "$OLD/build.log" >&2; exit 1; }
done
DLL=benchmarks/VersionStore.Benchmarks/bin/Release/net10.0/VersionStore.Benchmarks.dll
dirty=""; [[ -n "$(git -C "$REPO" status --porcelain -- src benchmarks)" ]] && dirty=" (plus uncommitted changes)"
echo "pack-codec-compare $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(grep -o -m1 -w sha_ni /proc/cpuinfo || echo 'no sha_ni'), $(dotnet --version) SDK"
echo "before: $REF = $(git -C "$REPO" rev-parse --short "$REF")    after: this tree = $(git -C "$REPO" rev-parse --short HEAD)$dirty"
echo "command: benchmarks/pack-codec-compare.sh $REF $ROUNDS $PAIRS   (each run: dotnet $DLL pack-codec-probe $ROUNDS headline)"
for ((i = 1; i <= PAIRS; i++)); do
  echo; echo "## pair $i: before ($REF)"; (cd "$OLD" && nice -n 5 dotnet "$DLL" pack-codec-probe "$ROUNDS" headline)
  echo; echo "## pair $i: after";          (cd "$REPO" && nice -n 5 dotnet "$DLL" pack-codec-probe "$ROUNDS" headline)
done
echo; echo "## after, pinned to one core (taskset -c 0)"; (cd "$REPO" && nice -n 5 taskset -c 0 dotnet "$DLL" pack-codec-probe "$ROUNDS" headline)
