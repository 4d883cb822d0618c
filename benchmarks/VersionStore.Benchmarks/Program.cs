using BenchmarkDotNet.Running;
using VersionStore.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- [--quick] [BenchmarkDotNet args, e.g. --filter '*Hashing*']
//   dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- latency [--quick]   (p50/p99 Stopwatch probes)
//   dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- gc-space             (GC space goal, RocksDB and S3)
//   ... -- commit-breakdown [--quick]  (where a commit's µs go: docs/BENCHMARKS.md)
//   ... -- rollback-profile [N]   (where a cold-verification rollback spends its time, phase by phase)
//   ... -- scale-sim [REPOS] [OBJECTS]   (docs/SCALE.md)
//   ... -- ingest-probe [ROUNDS] [PER-ROUND]   (CommitIngestBenchmarks interleaved, min/median per case and the per-round ratio)
//   ... -- pack-codec-probe [ROUNDS] [headline]   (PackCodecBenchmarks interleaved, min/median per case: noise-robust ratios)
//   ... -- hex-probe [ROUNDS]   (ObjectId parse/format, own table code beside Convert's, alternating)
//   ... -- fresh-build STORE N | open-probe STORE [ro] | open-loop STORE [ro] | graph-probe STORE | walk-probe STORE   (benchmarks/fresh-process.sh: bulk-loaded history, open time)
var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
BenchSettings.Quick = quick;

if (rest.Length > 0 && rest[0] == "latency")
{
    await LatencyProbes.RunAsync(quick, rest.Contains("rollback"));
    return;
}

if (rest.Length > 0 && rest[0] == "rollback-profile")
{
    await RollbackProfile.RunAsync(rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000);
    return;
}

if (rest.Length > 0 && rest[0] == "rocksdb-read-probe")
{
    await RocksDbReadProbe.RunAsync(300);
    return;
}

if (rest.Length > 0 && rest[0] == "batch-gets")
{
    await BatchGetProbe.RunAsync(quick);
    return;
}

if (rest.Length > 0 && rest[0] == "commit-breakdown")
{
    await CommitBreakdownProbe.RunAsync(quick);
    return;
}

if (rest.Length >= 1 && rest[0] == "ingest-probe")
{
    CommitIngestProbe.Run(rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 30,
        rest.Length > 2 ? int.Parse(rest[2], System.Globalization.CultureInfo.InvariantCulture) : 20);
    return;
}

if (rest.Length >= 1 && rest[0] == "pack-codec-probe")
{
    PackCodecProbe.Run(rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 400, rest.Contains("headline"));
    return;
}

if (rest.Length > 0 && rest[0] == "gc-space")
{
    await GcSpaceProbe.RunAsync();
    return;
}

if (rest.Length == 3 && rest[0] == "fresh-build")
{
    await FreshProcessHistory.BuildAsync(rest[1], int.Parse(rest[2], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (rest.Length >= 1 && rest[0] == "scale-sim")
{
    await ScaleSimulator.RunAsync(rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000,
        rest.Length > 2 ? long.Parse(rest[2], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000);
    return;
}

if (rest.Length >= 2 && rest[0] == "open-loop")
{
    FreshProcessHistory.ProbeOpenLoop(rest[1], rest.Length > 2 && rest[2] == "ro");
    return;
}

if (rest.Length >= 1 && rest[0] == "hex-probe")
{
    HexProbe.Run(rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 9);
    return;
}

if (rest.Length >= 2 && rest[0] == "walk-probe")
{
    await FreshProcessHistory.ProbeWalkPhasesAsync(rest[1], rest.Length > 2 && rest[2] == "jit");
    return;
}

if (rest.Length == 2 && rest[0] == "graph-probe")
{
    FreshProcessHistory.ProbeGraphFile(rest[1]);
    return;
}

if (rest.Length >= 2 && rest[0] == "open-probe")
{
    await FreshProcessHistory.ProbeOpenAsync(rest[1], rest.Length > 2 && rest[2] == "ro");
    return;
}

if (rest.Length == 0) rest = ["--filter", "*"];
BenchmarkSwitcher.FromAssembly(typeof(BenchSettings).Assembly).Run(rest, BenchSettings.CreateConfig(quick));
