#!/usr/bin/env bash
# What a store written by many CLI calls costs to open, and the preload race at exit (docs/BENCHMARKS.md, "Issue 11's
# figures in one sitting"):
#   benchmarks/results/2026-12-02-session7/cli-writes-probe.sh BASE_VSTORE NEW_VSTORE [NOJOIN_VSTORE] [COMMITS]
# BASE = a NativeAOT vstore without the MANIFEST cap and lazy CLI tables (3a2d680), NEW = one with them (this commit),
# NOJOIN = one that preloads without joining the thread at exit (da33354). Steps:
#   1. BASE init + COMMITS (default 150) `vstore commit` calls on a new store: table files and MANIFEST size;
#   2. a copy where one NEW commit rewrites the MANIFEST (past 64 KiB): its size;
#   3. `vstore repos` (BASE executable, 15 alternating rounds, median / min ms) on the store as left (all tables opened
#      at open, the long MANIFEST), with `maxOpenFiles` 512 from a --config file (tables opened lazily), and on the copy;
#   4. 400 `vstore repos` calls per executable (NOJOIN, NEW): exits other than 0 (a crash, or a hang cut at 10 s).
set -euo pipefail
BASE=$1 NEW=$2 NOJOIN=${3:-} COMMITS=${4:-150}
W=$(mktemp -d /tmp/cli-writes.XXXXXX); trap 'rm -rf "$W"' EXIT
S=$W/store; mkdir -p "$W/wf"
VSTORE_PATH=$S "$BASE" init >/dev/null
for i in $(seq 1 "$COMMITS"); do
  echo "node: $i" > "$W/wf/workflow.yml"
  VSTORE_PATH=$S "$BASE" commit r --branch main --from "$W/wf" >/dev/null
done
echo "after $COMMITS CLI commits: $(ls "$S"/*.sst | wc -l) table files, MANIFEST $(stat -c %s "$S"/MANIFEST-*) bytes"
cp -a "$S" "$W/rolled"
echo "node: rolled" > "$W/wf/workflow.yml"
VSTORE_PATH=$W/rolled "$NEW" commit r --branch main --from "$W/wf" >/dev/null
echo "copy after one commit by NEW: MANIFEST $(stat -c %s "$W"/rolled/MANIFEST-*) bytes"
printf '{"rocksDb": {"path": "%s", "maxOpenFiles": 512}}' "$S" > "$W/lazy.json"
python3 - "$BASE" "$S" "$W/lazy.json" "$W/rolled" <<'PY'
import statistics, subprocess, sys, time
base, store, lazy, rolled = sys.argv[1:]
cases = {"all tables at open, long MANIFEST": ["--store", store], "maxOpenFiles 512 (lazy tables)": ["--config", lazy],
         "MANIFEST rewritten by NEW": ["--store", rolled]}
times = {k: [] for k in cases}
for r in range(16):
    for k, a in (cases.items() if r % 2 == 0 else reversed(list(cases.items()))):
        t = time.perf_counter(); subprocess.run([base] + a + ["repos"], check=True, stdout=subprocess.DEVNULL); times[k].append((time.perf_counter() - t) * 1000)
for k, v in times.items(): print("vstore repos (BASE), %s: median %.1f ms, min %.1f ms (15 rounds)" % (k, statistics.median(v[1:]), min(v[1:])))
PY
for b in $NOJOIN $NEW; do
  fails=0
  for i in $(seq 400); do timeout 10 "$b" --store "$S" repos >/dev/null 2>&1 || fails=$((fails + 1)); done
  echo "$b: $fails of 400 'vstore repos' calls did not exit 0"
done
