#!/usr/bin/env bash
# Cross-version check with the real binaries (base = main ee790dc, layout 1; new = s6-ingest, layout 2).
B=/tmp/s6-ingest-base-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
N=/tmp/s6-ingest-art/bin/VersionStore.Benchmarks/release/VersionStore.Benchmarks.dll
X=/tmp/s6-ingest-xver; rm -rf $X; mkdir -p $X; cd /tmp
echo "== base (layout 1) builds a store"; dotnet $B fresh-build $X/store 2000 2>&1 | tail -2
echo "== new, read-only open"; dotnet $N open-probe $X/store ro 2>&1 | tail -2
echo "== base still opens it (not upgraded)"; dotnet $B open-probe $X/store 2>&1 | tail -2
echo "== new, read-write open (upgrades)"; dotnet $N open-probe $X/store 2>&1 | tail -2
echo "== base after the upgrade"; dotnet $B open-probe $X/store 2>&1 | grep -m1 -E "Exception"
echo "== base read-only after the upgrade"; dotnet $B open-probe $X/store ro 2>&1 | grep -m1 -E "Exception"
