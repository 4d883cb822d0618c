using BenchmarkDotNet.Running;
using VersionStore.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- [--quick] [BenchmarkDotNet args, e.g. --filter '*Hashing*']
//   dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- latency [--quick]   (p50/p99 Stopwatch probes)
//   dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- gc-space             (GC space goal, RocksDB and S3)
var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
BenchSettings.Quick = quick;

if (rest.Length > 0 && rest[0] == "latency")
{
    await LatencyProbes.RunAsync(quick);
    return;
}

if (rest.Length > 0 && rest[0] == "gc-space")
{
    await GcSpaceProbe.RunAsync();
    return;
}

if (rest.Length == 0) rest = ["--filter", "*"];
BenchmarkSwitcher.FromAssembly(typeof(BenchSettings).Assembly).Run(rest, BenchSettings.CreateConfig(quick));
