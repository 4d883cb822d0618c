#!/usr/bin/env bash
# NativeAOT check: ./build/aot-check.sh
#
# Keeps the NativeAOT `vstore` (src/VersionStore.Cli/README.md, "For incident use") working:
#   1. installs the native toolchain the ILCompiler needs on Linux (Debian's clang and zlib1g-dev) when missing;
#   2. publishes src/VersionStore.Cli for linux-x64 with PublishAot and warnings as errors, so a new trimming or AOT
#      analysis warning (reflection the compiler cannot see, a dependency that is not AOT-safe) fails CI;
#   3. runs the published executable through the everyday commands on a temporary embedded store — init, commit of a
#      real Dify export, tag, commit, rollback with a reason, log, show, diff, is-ancestor, verify, audit — and checks
#      the exit codes and that the rollback landed.
# Exits non-zero when any step fails. The publish restores for linux-x64, which adds that runtime's targets to the
# libraries' packages.lock.json files (the committed lock files hold only the CLI's): they are put back afterwards
# when they were clean before.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vstore-aot.XXXXXX")"
log() { echo "[aot-check] $*"; }

locks_clean=0
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 && [[ -z "$(git -C "$REPO" status --porcelain -- '*packages.lock.json')" ]]; then
  locks_clean=1
fi
cleanup() {
  rm -rf "$WORK"
  if [[ $locks_clean -eq 1 ]]; then
    git -C "$REPO" checkout --quiet -- $(git -C "$REPO" diff --name-only -- '*packages.lock.json') 2>/dev/null || true
  fi
}
trap cleanup EXIT

[[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 ]] || { log "this check publishes for linux-x64; skipped on $(uname -s)/$(uname -m)"; exit 0; }

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
[[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
if [[ ${#missing[@]} -gt 0 ]]; then
  log "apt-get install -y ${missing[*]} (the NativeAOT linker's toolchain)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >"$WORK/apt.log" 2>&1; then
    apt-get update -qq >>"$WORK/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >>"$WORK/apt.log" 2>&1 \
      || { tail -n 20 "$WORK/apt.log" >&2; echo "[aot-check] could not install ${missing[*]}" >&2; exit 1; }
  fi
fi

log "dotnet publish src/VersionStore.Cli -c Release -r linux-x64 (NativeAOT, warnings as errors)"
start=$(date +%s)
dotnet publish "$REPO/src/VersionStore.Cli" -c Release -r linux-x64 -o "$WORK/aot" -p:RestoreLockedMode=false \
  -p:TreatWarningsAsErrors=true >"$WORK/publish.log" 2>&1 \
  || { grep -E 'warning|error' "$WORK/publish.log" | sort -u | tail -n 40 >&2; echo "[aot-check] NativeAOT publish FAILED" >&2; exit 1; }
VSTORE="$WORK/aot/vstore"
[[ -x "$VSTORE" ]] || { echo "[aot-check] the publish made no $VSTORE" >&2; exit 1; }
log "published in $(( $(date +%s) - start )) s: $(du -h "$VSTORE" | cut -f1) executable"

S="$WORK/store"
WF="$REPO/samples/WorkflowRollback/workflows"
run() { log "vstore $*"; "$VSTORE" "$@" --store "$S"; }
"$VSTORE" --version
run init
run commit support-bot --branch main --from "$WF/support-bot-v1.4.0.yml" -m "v1.4.0" --author ci
run tag support-bot v1.4.0 main
run commit support-bot --branch main --from "$WF/support-bot-v1.5.0.yml" -m "v1.5.0" --author ci
run diff support-bot v1.4.0 main >/dev/null
run rollback support-bot --branch main --to v1.4.0 --reason "aot-check" --actor ci
run log support-bot main --oneline
run show support-bot main >/dev/null
run is-ancestor support-bot v1.4.0 main
run verify
run audit support-bot main >/dev/null
# The rollback's revert commit has v1.4.0's tree: no difference between them.
[[ -z "$("$VSTORE" diff support-bot v1.4.0 main --store "$S")" ]] || { echo "[aot-check] after the rollback, main differs from v1.4.0" >&2; exit 1; }
log "ok: the NativeAOT vstore publishes with no warning and runs the everyday commands"
