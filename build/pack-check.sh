#!/usr/bin/env bash
# Packaging check: ./build/pack-check.sh
#
# What a NuGet user meets, checked outside the solution:
#   1. packs every package of src/ (nupkg + snupkg) into a local feed in a temp folder (after build/test.sh has
#      restored the solution: --no-restore, since the CLI's lock file also holds its NativeAOT runtime packages);
#   2. prints the package table (id, version, dependencies, README, XML docs, symbols, SourceLink, licence, size);
#   3. builds and runs, in a temp folder outside the repository (no Directory.Build.props, no central versions),
#      a console app whose Program.cs is the README's "API in a glance" snippet taken verbatim from README.md,
#      referencing the packages by PackageReference from that feed;
#   4. installs `vstore` from the feed as a .NET tool and runs a few commands.
# Exits non-zero when any step fails, so a packaging break fails CI.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vstore-pack.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FEED="$WORK/feed"
log() { echo "[pack-check] $*"; }

log "dotnet pack (Release) -> local feed"
dotnet pack "$REPO/VersionStore.sln" -c Release --no-restore -o "$FEED" -p:ContinuousIntegrationBuild=true >"$WORK/pack.log" 2>&1 \
  || { tail -n 40 "$WORK/pack.log" >&2; echo "[pack-check] dotnet pack FAILED" >&2; exit 1; }

# The tool as it ships: a RID-neutral pointer package plus one framework-dependent package per platform, each with only
# that platform's RocksDB library (VersionStore.Cli.csproj, VSTORE_TOOL_PACK). It replaces the all-platform tool package
# the solution pack just made. Its restore is its own (five platforms), so it does not run --no-restore.
log "dotnet pack the vstore tool (pointer + one package per platform) -> local feed"
rm -f "$FEED"/VersionStore.Cli.*
VSTORE_TOOL_PACK=true dotnet pack "$REPO/src/VersionStore.Cli" -c Release -o "$FEED" -p:ContinuousIntegrationBuild=true >"$WORK/pack-tool.log" 2>&1 \
  || { tail -n 40 "$WORK/pack-tool.log" >&2; echo "[pack-check] dotnet pack of the tool FAILED" >&2; exit 1; }

core="$(ls "$FEED"/VersionStore.[0-9]*.nupkg | head -n 1)"
VERSION="$(basename "$core" .nupkg)"; VERSION="${VERSION#VersionStore.}"
log "version $VERSION (MinVer, from git tags)"

# ---------------------------------------------------------------- package table
printf '%-30s %-22s %-4s %-4s %-4s %-10s %-8s %8s  %s\n' id version rdme xml snup sourcelink license KiB dependencies
for pkg in "$FEED"/*.nupkg; do
  id="$(basename "$pkg" ".$VERSION.nupkg")"
  nuspec="$(unzip -p "$pkg" "$id.nuspec")"
  files="$(unzip -Z1 "$pkg")"
  readme=no; grep -q '^README.md$' <<<"$files" && grep -q '<readme>' <<<"$nuspec" && readme=yes
  xml=n/a; grep -q '^lib/.*\.dll$' <<<"$files" && { xml=no; grep -q '^lib/.*\.xml$' <<<"$files" && xml=yes; }
  snupkg=no; [[ -f "$FEED/$id.$VERSION.snupkg" ]] && snupkg=yes
  # The tool's pointer package holds no binaries (only DotnetToolSettings.xml naming the platform packages): no symbols.
  grep -q '^tools/any/any/DotnetToolSettings.xml$' <<<"$files" && ! grep -q '\.dll$' <<<"$files" && snupkg=n/a
  sourcelink=no; grep -q '<repository type="git" url="[^"]*" .*commit="[0-9a-f]\{40\}"' <<<"$nuspec" && sourcelink=yes
  license=no; grep -q '<license type="file">LICENSE</license>' <<<"$nuspec" && grep -q '^LICENSE$' <<<"$files" && license=yes
  deps="$(grep -o '<dependency id="[^"]*" version="[^"]*"' <<<"$nuspec" | sed -E 's/<dependency id="([^"]*)" version="([^"]*)"/\1 \2/' | paste -sd, - || true)"
  [[ "$id" == "VersionStore.Cli" ]] && deps="(tool: pointer to the platform packages)"
  [[ "$id" == VersionStore.Cli.* ]] && deps="(tool for ${id#VersionStore.Cli.})"
  size=$(( $(stat -c %s "$pkg") / 1024 ))
  printf '%-30s %-22s %-4s %-4s %-4s %-10s %-8s %8s  %s\n' "$id" "$VERSION" "$readme" "$xml" "$snupkg" "$sourcelink" "$license" "$size" "${deps:-none}"
  [[ $readme == yes && $snupkg != no && $sourcelink == yes && $license == yes && $xml != no ]] \
    || { echo "[pack-check] package $id lacks README, XML docs, symbols, SourceLink or licence" >&2; exit 1; }
done

# Every library package but VersionStore.AspNetCore carries a linux-x64 ReadyToRun image beside its IL.
for pkg in "$FEED"/*.nupkg; do
  id="$(basename "$pkg" ".$VERSION.nupkg")"
  [[ "$id" == VersionStore.Cli* || "$id" == VersionStore.AspNetCore ]] && continue
  rm -rf "$WORK/unzip" && mkdir -p "$WORK/unzip" && unzip -q "$pkg" "lib/*" "runtimes/*" -d "$WORK/unzip" 2>/dev/null || true
  cmp -s <(cd "$WORK/unzip/lib/net10.0" && ls *.dll) <(cd "$WORK/unzip/runtimes/linux-x64/lib/net10.0" 2>/dev/null && ls *.dll) \
    && python3 "$REPO/build/readytorun-check.py" "$WORK/unzip/runtimes/linux-x64/lib/net10.0/"*.dll | sed "s|$WORK/unzip/|$id: |" \
    || { echo "[pack-check] package $id lacks its linux-x64 ReadyToRun image" >&2; exit 1; }
done

# A restored copy of this version from an earlier run must not stand in for the packages just built.
NUGET_CACHE="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
for pkg in "$FEED"/*.nupkg; do
  id="$(basename "$pkg" ".$VERSION.nupkg" | tr '[:upper:]' '[:lower:]')"
  rm -rf "$NUGET_CACHE/$id/$VERSION"
done

# ---------------------------------------------------------------- consumer app from the README snippet
APP="$WORK/consumer"
mkdir -p "$APP"
cat >"$APP/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$FEED" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
EOF
cat >"$APP/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="VersionStore" Version="$VERSION" />
    <PackageReference Include="VersionStore.RocksDb" Version="$VERSION" />
    <PackageReference Include="VersionStore.Workflows" Version="$VERSION" />
  </ItemGroup>
</Project>
EOF
# The first ```csharp block after the "## API in a glance" heading, verbatim.
awk '/^## API in a glance/{s=1} s&&/^```csharp/{c=1;next} c&&/^```/{exit} c{print}' "$REPO/README.md" >"$APP/Program.cs"
[[ -s "$APP/Program.cs" ]] || { echo "[pack-check] README.md has no csharp block under '## API in a glance'" >&2; exit 1; }
cp "$REPO"/samples/WorkflowRollback/workflows/support-bot-v1.*.yml "$APP/"
# Beside the snippet, build/pack-check/ReadyToRunReport.cs reports at exit where each VersionStore assembly was loaded
# from, its ReadyToRun header and how many of its methods ran precompiled vs. jitted (build/ReadyToRun.targets).
cp "$REPO/build/pack-check/ReadyToRunReport.cs" "$APP/"
log "consumer app: README snippet ($(wc -l <"$APP/Program.cs") lines) by PackageReference $VERSION"
if ! (cd "$APP" && dotnet run -c Release) | tee "$WORK/consumer.log"; then
  echo "[pack-check] the README snippet failed as a PackageReference app" >&2; exit 1
fi
# A consumer on linux-x64 must run the precompiled images of runtimes/linux-x64 (picked through its deps.json); on other
# platforms it loads the IL of lib/ from the root of its output, as before.
if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  for a in VersionStore VersionStore.RocksDb VersionStore.Workflows; do
    grep -Eq "^r2r-report: $a runtimes/linux-x64/lib/net10.0/$a\.dll native-header [1-9][0-9]* precompiled [1-9][0-9]* " "$WORK/consumer.log" \
      || { echo "[pack-check] the consumer app did not run $a's ReadyToRun image from runtimes/linux-x64" >&2; exit 1; }
  done
  log "ok: on linux-x64 the consumer app runs the packages' ReadyToRun images"
fi

# ---------------------------------------------------------------- the tool
log "dotnet tool install VersionStore.Cli $VERSION from the feed"
dotnet tool install --tool-path "$WORK/tools" --add-source "$FEED" --version "$VERSION" VersionStore.Cli >"$WORK/tool.log" 2>&1 \
  || { cat "$WORK/tool.log" >&2; echo "[pack-check] tool install FAILED" >&2; exit 1; }
VSTORE="$WORK/tools/vstore"
log "installed tool: $(du -sh "$WORK/tools" | cut -f1) on disk"
S="$WORK/tool-store"
set -x
"$VSTORE" --version
"$VSTORE" init --store "$S"
"$VSTORE" commit support-bot --branch main --from "$APP/support-bot-v1.4.0.yml" -m "v1.4.0" --author ci --store "$S"
"$VSTORE" tag support-bot v1.4.0 main --store "$S"
"$VSTORE" commit support-bot --branch main --from "$APP/support-bot-v1.5.0.yml" -m "v1.5.0" --author ci --store "$S"
"$VSTORE" rollback support-bot --branch main --to v1.4.0 --reason "pack-check" --actor ci --store "$S"
"$VSTORE" log support-bot main --store "$S"
set +x
log "ok: packages, README snippet as a consumer app, and the tool from the feed"
