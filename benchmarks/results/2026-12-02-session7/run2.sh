#!/usr/bin/env bash
# The fresh-process table twice, back to back, each over its own freshly built histories (1e4/1e5/1e6):
#   new  = this checkout's NativeAOT vstore (fresh-process.sh publishes it);
#   base = the NativeAOT vstore of 3a2d680 (the session's starting commit), kept by run.sh's publish in $BASE_BIN.
# The "(JIT)" rows of both runs use this checkout's framework-dependent build. Run as root on an idle machine:
#   OUT=<folder> BASE_BIN=<path to the 3a2d680 vstore> benchmarks/results/2026-12-02-session7/run2.sh
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
OUT=${OUT:-/tmp/s7-bench}
BASE_BIN=${BASE_BIN:-/tmp/aot-base/vstore}
export VSTORE_ARTIFACTS=${VSTORE_ARTIFACTS:-/tmp/art-s7}
mkdir -p "$OUT"
info() { echo "# $(date -u +%FT%TZ) commit $(git -C "$REPO" rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg) cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"; }
step() { echo "[s7-2 $(date -u +%H:%M:%S)] $1" | tee -a "$OUT/progress.log"; }
step "fresh-process.sh, new"
{ info; VSTORE_FRESH_CACHE=/tmp/vfc-new nice -n -19 "$REPO/benchmarks/fresh-process.sh"; echo "exit $?"; info; } >"$OUT/fresh-process-new.md" 2>"$OUT/fresh-process-new.log"
step "fresh-process.sh, base ($BASE_BIN)"
{ info; VSTORE_BIN=$BASE_BIN VSTORE_FRESH_CACHE=/tmp/vfc-base nice -n -19 "$REPO/benchmarks/fresh-process.sh"; echo "exit $?"; info; } >"$OUT/fresh-process-base.md" 2>"$OUT/fresh-process-base.log"
step "done"
