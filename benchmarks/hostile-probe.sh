#!/usr/bin/env bash
# Hostile-input probe (issue 9): runs each reproducer against one or more builds of the CLI and the sample server
# and prints, per item and build: exit code (HTTP status for item 10), wall time and peak RSS (/usr/bin/time -v).
#
#   benchmarks/hostile-probe.sh LABEL=DIR [LABEL=DIR ...]
#     DIR holds a published `vstore.dll` (dotnet publish src/VersionStore.Cli -o DIR) and, for item 10, a published
#     sample server under DIR/server (dotnet publish samples/VersionStore.Server -o DIR/server; optional).
#   e.g. benchmarks/hostile-probe.sh main=/tmp/cli-main branch=/tmp/cli-branch
#
# Every run gets the same .NET heap limit (DOTNET_GCHeapHardLimit, default 1 GiB) and a 150 s timeout, so a memory
# bomb fails inside the probe instead of taking the machine. The lock case holds the store with a build that blocks on
# a FIFO (main's): HOLDER=DIR names it (default: the first DIR). Item 4 (Redis restarted empty) and item 9 (a lost
# concurrent-commit race) are not reproducible from one CLI process; their tests are named at the end.
set -uo pipefail
[[ $# -ge 1 ]] || { sed -n '2,12p' "$0"; exit 2; }
export DOTNET_GCHeapHardLimit="${DOTNET_GCHeapHardLimit:-0x40000000}" DOTNET_CLI_TELEMETRY_OPTOUT=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vstore-probe.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
printf '%-4s %-44s %-8s %6s %9s %10s  %s\n' item case build exit seconds "peak MiB" "first line of stderr"

# run ITEM CASE LABEL DIR [vstore args...]: one timed run in $S's parent folder
run() {
  local item="$1" case="$2" label="$3" dir="$4"; shift 4
  local err="$WORK/err" tv="$WORK/time"
  (cd "$WORK/$label" && /usr/bin/time -v -o "$tv" timeout 150 dotnet "$dir/vstore.dll" --store "${STORE:-$WORK/$label/S}" "$@" >"$WORK/out" 2>"$err")
  local code; code=$(sed -n 's/.*Exit status: //p' "$tv"); [[ -z "$code" ]] && code="?"
  grep -q "Command terminated by signal" "$tv" && code="sig"
  local secs; secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tv" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  local kb; kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tv")
  printf '%-4s %-44s %-8s %6s %9.2f %10.0f  %s\n' "$item" "$case" "$label" "$code" "$secs" "$((kb / 1024))" "$(head -c 150 "$err" | head -n1)"
}

py() { python3 -c "$@"; }

FIRST_DIR="${1#*=}"
for spec in "$@"; do
  label="${spec%%=*}"; dir="${spec#*=}"
  W="$WORK/$label"; mkdir -p "$W/f"; cd "$W"
  V() { dotnet "$dir/vstore.dll" --store "$W/S" "$@"; }
  V init >/dev/null; echo 1 > f/a; V commit r -b main --from f >/dev/null
  FIRST=$(V log r --json | py 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  echo 2 > f/a; V commit r -b main --from f >/dev/null

  # 1: alias bomb, 1 MiB string x 200 aliases
  py "print('app: {name: b, mode: workflow}\nbig: &s \"' + 'x'*(1<<20) + '\"\nworkflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n        data:\n          list: [' + ', '.join(['*s']*200) + ']')" > bomb.yml
  run 1 "YAML 1 MiB string x 200 aliases" "$label" "$dir" commit r -b main --from bomb.yml
  # 2: 1,000,000-digit integer, and 300,000 hex digits
  py "print('app: {name: n}\nworkflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n        data: {v: ' + '7'*1000000 + '}')" > digits.yml
  run 2 "1,000,000-digit integer" "$label" "$dir" commit r -b main --from digits.yml
  py "print('app: {name: n}\nworkflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n        data: {v: 0x' + 'f'*300000 + '}')" > hex.yml
  run 2 "300,000-digit hex integer" "$label" "$dir" commit r -b main --from hex.yml
  # 3: checkout --force through a link inside DIR
  mkdir -p g/sub elsewhere; echo payload > g/sub/file; V commit r -b links --from g >/dev/null
  echo precious > elsewhere/file; mkdir -p out3; ln -sfn "$W/elsewhere" out3/sub
  run 3 "checkout --force, DIR/sub -> outside" "$label" "$dir" checkout r links --to out3 --force
  echo "                                                                outside file now: $(cat elsewhere/file)"
  # 5: forged audit line through --actor, ESC in a reason
  run 5 "--actor with newline + fake entry" "$label" "$dir" branch r b5 main --actor "$(printf 'eve\n2026-01-01 00:00:00.000Z  refs/heads/main@{9}  rollback  by admin')"
  V rollback r --branch main --to "$FIRST" --reason "$(printf 'ok\033[2K\033[1Aforged')" >/dev/null 2>&1
  echo "                                                                audit lines: $(V audit r | wc -l), raw ESC bytes: $(V audit r | tr -cd '\033' | wc -c)"
  # 6: commit --parent <older> rewinding main
  echo 6 > f/a
  run 6 "commit --parent <first commit>" "$label" "$dir" commit r -b main --from f --parent "$FIRST"
  echo "                                                                main's history: $(V log r main --oneline | wc -l) commits"
  # 7: flipped byte in the last WAL record
  mkdir -p w7/f; dotnet "$dir/vstore.dll" --store "$W/w7/S" init >/dev/null
  for i in $(seq 1 12); do echo $i > w7/f/a; dotnet "$dir/vstore.dll" --store "$W/w7/S" commit r -b main --from w7/f >/dev/null; done
  wal=$(ls "$W/w7/S"/*.log | sort | tail -1); py "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-20]^=0x40; open(p,'wb').write(b)" "$wal"
  STORE="$W/w7/S" run 7 "flipped byte 20 B before the WAL's end" "$label" "$dir" log r --oneline
  echo "                                                                commits shown: $(grep -c . "$WORK/out") of 12"
  # 8: checkout into the store's own folder (a store of its own: on a build without the fix it is destroyed)
  dotnet "$dir/vstore.dll" --store "$W/S8" init >/dev/null
  mkdir -p h; echo "not a manifest" > h/CURRENT; dotnet "$dir/vstore.dll" --store "$W/S8" commit r -b main --from h >/dev/null
  STORE="$W/S8" run 8 "checkout --to <store> --force" "$label" "$dir" checkout r main --to "$W/S8" --force
  STORE="$W/S8" run 8 "   then: log" "$label" "$dir" log r --oneline -n 1
  # 11: endless file, FIFO, link out of the folder, non-UTF-8 name
  ln -sf /dev/zero zero.yml
  run 11 "--from zero.yml -> /dev/zero" "$label" "$dir" commit r -b main --from zero.yml
  mkdir -p fifo; mkfifo fifo/p 2>/dev/null
  run 11 "folder with a FIFO (150 s timeout)" "$label" "$dir" commit r -b fifo --from fifo
  mkdir -p lk; echo secret > secret.txt; ln -sf "$W/secret.txt" lk/s
  run 11 "folder with a link to an outside file" "$label" "$dir" commit r -b lk --from lk
  mkdir -p odd; printf x > "odd/bad$(printf '\377')name"
  run 11 "folder with a non-UTF-8 file name" "$label" "$dir" commit r -b odd --from odd
  # 12: messages
  # A second live process holding the store: a build that blocks on a FIFO does (main's); HOLDER names its folder.
  mkfifo "$W/hold.yml" 2>/dev/null
  timeout 25 dotnet "${HOLDER:-$FIRST_DIR}/vstore.dll" --store "$W/S" commit r -b hold --from "$W/hold.yml" >/dev/null 2>&1 &
  hpid=$!; sleep 4
  run 12 "store held open by another process" "$label" "$dir" log r -n 1
  kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null
  run 12 "log -n abc" "$label" "$dir" log r -n abc
  echo '{"dataPath": "S", "memoryCacheBytes": "lots"}' > bad.json
  run 12 "--config with a wrong type" "$label" "$dir" --config bad.json log r -n 1
  run 12 "log r --bogus" "$label" "$dir" log r --bogus
  # 10: health sample 1e308 (sample server)
  if [[ -f "$dir/server/VersionStore.Server.dll" ]]; then
    port=$((30000 + RANDOM % 20000))
    VSTORE_API_TOKEN=t dotnet "$dir/server/VersionStore.Server.dll" --urls "http://127.0.0.1:$port" --store "$W/S" >/dev/null 2>&1 &
    spid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
    curl -s -o /dev/null -H 'Authorization: Bearer t' -H 'Content-Type: application/json' -d '{"version":"main"}' "http://127.0.0.1:$port/v1/workflows/r/channels/prod/publish"
    code=$(curl -s -o "$WORK/body" -w '%{http_code} %{time_total}' -H 'Authorization: Bearer t' -H 'Content-Type: application/json' -d '{"latency_p99_ms": 1e308}' "http://127.0.0.1:$port/v1/workflows/r/channels/prod/health")
    printf '%-4s %-44s %-8s %6s %9.3f %10s  %s\n' 10 "POST health latency_p99_ms 1e308" "$label" "${code% *}" "${code#* }" "-" "$(head -c 120 "$WORK/body")"
    kill "$spid"; wait "$spid" 2>/dev/null
  fi
done
echo "item 4: see branch issue-8-composition; item 9: tests/VersionStore.Hostile.Tests RegressionTests.Item09_* (MergeConflictException -> exit 4)"
