#!/usr/bin/env bash
# Fresh-process CLI timings beside git (docs/BENCHMARKS.md, "Fresh process"):
#
#   benchmarks/fresh-process.sh [N ...]        default sizes: 10000 100000 1000000
#
# For each N it builds (once, cached under $VSTORE_FRESH_CACHE, default /tmp/vstore-fresh-cache) a linear history of N
# commits twice: as an embedded VersionStore store, bulk-loaded through the library (`VersionStore.Benchmarks
# fresh-build`: plumbing writes and the commit-graph file, not one CLI call per commit), and as a git repository
# (`git fast-import`, then `git commit-graph write --reachable`). Both have main at the tip, v1 at the root, side = one
# commit forked from the root and rb (for rollbacks) at the tip. Then every command runs as a fresh process,
# 1 warm-up + 5 timed runs (warm page cache), and the median wall time is printed beside git's, in the same run.
# On a shared machine run it as `nice -n -19 benchmarks/fresh-process.sh` (root) so a parallel build delays it less.
#
# vstore is the NativeAOT executable (`dotnet publish src/VersionStore.Cli -c Release -r linux-x64`; needs clang and
# zlib1g-dev) unless VSTORE_BIN names another; rows marked "(JIT)" run the framework-dependent build that
# `dotnet tool install` installs. Output: a markdown table on stdout.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000 1000000)
CACHE="${VSTORE_FRESH_CACHE:-/tmp/vstore-fresh-cache}"
ART="${VSTORE_ARTIFACTS:-/tmp/vstore-fresh-artifacts}"
mkdir -p "$CACHE"
log() { echo "[fresh-process] $*" >&2; }

export VSTORE_ARTIFACTS="$ART"
# The NativeAOT publish restores for linux-x64, which adds that runtime's targets to the libraries' packages.lock.json
# files (the committed ones hold only the CLI's): put them back at exit when they were clean before, as
# build/aot-check.sh does, so a benchmark run never leaves the checkout dirty.
if [[ -z "${VSTORE_BIN:-}" ]] && git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 \
   && [[ -z "$(git -C "$REPO" status --porcelain -- '*packages.lock.json')" ]]; then
  trap 'git -C "$REPO" checkout --quiet -- $(git -C "$REPO" diff --name-only -- "*packages.lock.json") 2>/dev/null || true' EXIT
fi
log "building the benchmarks program and the CLI (artifacts in $ART)"
dotnet build "$REPO/benchmarks/VersionStore.Benchmarks" -c Release -v q -nologo >&2
dotnet build "$REPO/src/VersionStore.Cli" -c Release -v q -nologo >&2
BENCH="$ART/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll"
JIT_DLL="$ART/bin/VersionStore.Cli/release/vstore.dll"
if [[ -z "${VSTORE_BIN:-}" ]]; then
  log "publishing the NativeAOT vstore"
  # VSTORE_AOT_WARNINGS_AS_ERRORS=false publishes despite AOT analysis warnings (they are printed; see the report).
  dotnet publish "$REPO/src/VersionStore.Cli" -c Release -r linux-x64 -v q -nologo -o "$ART/aot" \
    ${VSTORE_AOT_WARNINGS_AS_ERRORS:+-p:TreatWarningsAsErrors=$VSTORE_AOT_WARNINGS_AS_ERRORS} >&2
  VSTORE_BIN="$ART/aot/vstore"
fi

for n in "${SIZES[@]}"; do
  store="$CACHE/store-$n"
  git_dir="$CACHE/git-$n"
  # The marker names the commit-graph format: a store cached by an older build is rebuilt.
  if [[ ! -f "$store/bench-complete-graph2" ]]; then
    rm -rf "$store"
    log "bulk-loading $n commits into $store"
    dotnet "$BENCH" fresh-build "$store" "$n" >&2
    touch "$store/bench-complete-graph2"
  fi
  if [[ ! -f "$git_dir/bench-complete" ]]; then
    rm -rf "$git_dir"
    log "building the git repository of $n commits"
    git init -q --bare "$git_dir"
    python3 - "$n" <<'PY' | git -C "$git_dir" fast-import --quiet
import sys
n = int(sys.argv[1]); out = sys.stdout
for i in range(n):
    msg = "c%d" % i
    out.write("commit refs/heads/main\nmark :%d\ncommitter bench <bench@example.com> %d +0000\ndata %d\n%s\n" % (i + 1, 1577836800 + i, len(msg), msg))
    if i > 0: out.write("from :%d\n" % i)
    out.write("\n")
out.write("commit refs/heads/side\nmark :%d\ncommitter bench <bench@example.com> %d +0000\ndata 4\nside\nfrom :1\n\n" % (n + 1, 1577836800 + n))
out.write("reset refs/tags/v1\nfrom :1\n\nreset refs/heads/rb\nfrom :%d\n\n" % n)
PY
    git -C "$git_dir" commit-graph write --reachable
    touch "$git_dir/bench-complete"
  fi
done

# A release channel for the "channel read" row (published once per store; a later publish of the same version is a no-op move).
for n in "${SIZES[@]}"; do
  "$VSTORE_BIN" --store "$CACHE/store-$n" publish wf main~1 --channel prod --reason bench >/dev/null
done

log "timing (fresh process, median of 5 after 1 warm-up)"
python3 - "$VSTORE_BIN" "$JIT_DLL" "$CACHE" "${SIZES[@]}" <<'PY'
import statistics, subprocess, sys, time
vstore, jit_dll, cache, sizes = sys.argv[1], sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4:]]

def run(cmd, ok=(0,)):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t) * 1000
    if p.returncode not in ok:
        raise SystemExit("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode()[:300]))
    return ms

def median(cmd, ok=(0,)):
    run(cmd, ok)
    return statistics.median(run(cmd, ok) for _ in range(5))

rows = []  # (label, {n: (ours, git)})
def row(label, ours, git, ok=(0,), git_ok=(0,)):
    rows.append((label, {n: (median(ours(n), ok), median(git(n), git_ok)) for n in sizes}))

S = lambda n: ["--store", "%s/store-%d" % (cache, n)]
G = lambda n: ["git", "-C", "%s/git-%d" % (cache, n)]
half = lambda n: str(n // 2)
row("`vstore --version` / `git --version`", lambda n: [vstore, "--version"], lambda n: ["git", "--version"])
row("`vstore --version` (JIT) / `git --version`", lambda n: ["dotnet", jit_dll, "--version"], lambda n: ["git", "--version"])
row("open the store: `vstore repos` / `git rev-parse main`", lambda n: [vstore] + S(n) + ["repos"], lambda n: G(n) + ["rev-parse", "main"])
row("`vstore repos` (JIT) / `git rev-parse main`", lambda n: ["dotnet", jit_dll] + S(n) + ["repos"], lambda n: G(n) + ["rev-parse", "main"])
row("`vstore rollback wf -b rb --to rb~1 --mode reset` / `git update-ref refs/heads/rb rb~1`",
    lambda n: [vstore] + S(n) + ["rollback", "wf", "--branch", "rb", "--to", "rb~1", "--reason", "bench", "--mode", "reset"],
    lambda n: G(n) + ["update-ref", "refs/heads/rb", "rb~1"])
row("`vstore rollback … --mode reset` (JIT) / `git update-ref`",
    lambda n: ["dotnet", jit_dll] + S(n) + ["rollback", "wf", "--branch", "rb", "--to", "rb~1", "--reason", "bench", "--mode", "reset"],
    lambda n: G(n) + ["update-ref", "refs/heads/rb", "rb~1"])
row("`vstore log wf main -n 10` / `git log -n 10 main`", lambda n: [vstore] + S(n) + ["log", "wf", "main", "-n", "10"], lambda n: G(n) + ["log", "-n", "10", "main"])
row("`vstore is-ancestor wf main v1` (negative) / `git merge-base --is-ancestor main v1`",
    lambda n: [vstore] + S(n) + ["is-ancestor", "wf", "main", "v1"], lambda n: G(n) + ["merge-base", "--is-ancestor", "main", "v1"], ok=(1,), git_ok=(1,))
row("`vstore is-ancestor wf v1 main` (whole history) / `git merge-base --is-ancestor v1 main`",
    lambda n: [vstore] + S(n) + ["is-ancestor", "wf", "v1", "main"], lambda n: G(n) + ["merge-base", "--is-ancestor", "v1", "main"])
row("`vstore merge-base wf main side` / `git merge-base main side`",
    lambda n: [vstore] + S(n) + ["merge-base", "wf", "main", "side"], lambda n: G(n) + ["merge-base", "main", "side"])
row("`vstore channel wf prod` (channel read) / `git rev-parse main`",
    lambda n: [vstore] + S(n) + ["channel", "wf", "prod"], lambda n: G(n) + ["rev-parse", "main"])
row("`vstore show wf main~N/2` / `git show -s main~N/2`",
    lambda n: [vstore] + S(n) + ["show", "wf", "main~" + half(n)], lambda n: G(n) + ["show", "-s", "main~" + half(n)])

print("| operation (vstore ms / git ms, ratio) | " + " | ".join("%g" % n for n in sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for label, cells in rows:
    print("| %s | %s |" % (label, " | ".join("%.1f / %.1f (%.2f×)" % (o, g, o / g) for o, g in (cells[n] for n in sizes))))
PY
for n in "${SIZES[@]}"; do
  echo
  echo "in process, $n commits: $(dotnet "$BENCH" open-probe "$CACHE/store-$n")"
  echo "in process, $n commits: $(dotnet "$BENCH" open-probe "$CACHE/store-$n" ro)"
  echo "in process, $n commits: $(dotnet "$BENCH" open-loop "$CACHE/store-$n")"
  echo "in process, $n commits: $(dotnet "$BENCH" open-loop "$CACHE/store-$n" ro)"
  echo "in process, $n commits, commit-graph file: $(dotnet "$BENCH" graph-probe "$CACHE/store-$n" | tr '\n' ';')"
done
echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(git --version); commit $(git -C "$REPO" rev-parse --short HEAD)"
