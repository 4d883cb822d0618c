using System.Diagnostics;
using System.Globalization;

namespace VersionStore.Benchmarks;

/// <summary>
/// <c>rollback-profile [N]</c>: where a cold-verification rollback spends its time, phase by phase, on the embedded
/// RocksDB rollback history of N commits (default 1,000): the whole rollback (cold and cached), the snapshot
/// verification alone, and its parts measured apart — the batched reads, SHA-256 over the closure, tree decoding.
/// Medians and p99 of 500 runs each (after 50 warm-up runs), in µs.
/// </summary>
internal static class RollbackProfile
{
    private const int Samples = 500;

    /// <summary>With <c>VSTORE_PROFILE_JIT=1</c>: which methods the JIT compiles in each phase's warm-up and measured runs.</summary>
    private static JitListener? s_jit;

    public static async Task RunAsync(int commits)
    {
        using var jit = s_jit = Environment.GetEnvironmentVariable("VSTORE_PROFILE_JIT") == "1" ? new JitListener() : null;
        await using (var cold = await RollbackHistory.OpenAsync(commits, RollbackBenchmarks.Options("cold")))
            await ProfileColdAsync(cold, commits);
        await using var cached = await RollbackHistory.OpenAsync(commits, RollbackBenchmarks.Options("cached"));
        await Measure("rollback, cached verification (everything but the closure)", async () => await cached.RollbackOnceAsync());
        jit?.Print(15);
    }

    private static async Task ProfileColdAsync(RollbackHistory cold, int commits)
    {
        var repo = cold.Repository;
        var backend = (RocksDbBackend)cold.Store.Objects;
        var target = await repo.GetCommitAsync(cold.TargetA);

        var (levels, bytes, trees) = await ClosureAsync(backend, target.Tree);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# rollback profile: {commits:N0} commits, closure {bytes.Count} objects ({trees.Count} trees) in {levels.Count} levels [{string.Join(", ", levels.Select(l => l.Length))}], {bytes.Sum(b => b.Length):N0} bytes; store {cold.Shape}; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}"));
        Console.WriteLine("| phase | p50 µs | p90 µs | p99 µs | CPU µs per op (process, all threads; mean) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");

        await Measure("RocksDB multi-get per level (the verifier's reads)", async () =>
        {
            foreach (var l in levels) await backend.TryReadManyAsync(l);
        });
        await Measure("RocksDB single gets, one per closure object (the peer)", async () =>
        {
            foreach (var l in levels) foreach (var id in l) await backend.TryReadAsync(id);
        });
        await Measure("ObjectReader.TryReadManyVerifiedAsync per level (reads + SHA-256)", async () =>
        {
            foreach (var l in levels) await cold.Store.ObjectReader.TryReadManyVerifiedAsync(l, CancellationToken.None);
        });
        Measure("SHA-256 over the closure, one core", () =>
        {
            foreach (var b in bytes) ObjectId.Compute(b);
        });
        {
            // The verifier's hasher: OpenSSL's SHA-256 called directly where it passes its known-answer check.
            var hash = new byte[32];
            Measure("SHA-256 over the closure, one core, OpenSSL called directly (the verifier's hasher)", () =>
            {
                foreach (var b in bytes) VersionStore.Internal.DirectSha256.TryHash(b, hash);
            });
        }
        Measure("DecodeTree of the closure's trees", () =>
        {
            foreach (var (id, d) in trees) ObjectCodec.DecodeTree(id, d);
        });

        await Measure("VerifySnapshotAsync (cold)", async () => await repo.VerifySnapshotAsync(target.Tree, CancellationToken.None), cost: "verifications");
        // Last: each rollback writes a commit, and the flushes it causes run on RocksDB's threads (counted in process CPU).
        await Measure("rollback, cold verification (whole operation)", async () => await cold.RollbackOnceAsync(), cost: "rollbacks");

        // For a sampling profiler (perf record with DOTNET_PerfMapEnabled=1): the verification alone, in a loop.
        if (int.TryParse(Environment.GetEnvironmentVariable("VSTORE_PROFILE_LOOP"), out var loop))
        {
            var started = Stopwatch.StartNew();
            for (var i = 0; i < loop; i++) await repo.VerifySnapshotAsync(target.Tree, CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {loop} verifications in a loop: {started.Elapsed.TotalMilliseconds / loop * 1000:N1} µs each"));
        }
    }

    /// <summary>The closure of <paramref name="root"/> level by level, as the verifier reads it: ids per level, every object's bytes, the trees.</summary>
    internal static async Task<(List<ObjectId[]> Levels, List<byte[]> Bytes, List<(ObjectId Id, byte[] Data)> Trees)> ClosureAsync(RocksDbBackend backend, ObjectId root)
    {
        var levels = new List<ObjectId[]>();
        var bytes = new List<byte[]>();
        var trees = new List<(ObjectId Id, byte[] Data)>();
        var level = new[] { root };
        var seen = new HashSet<ObjectId>(level);
        while (level.Length > 0)
        {
            levels.Add(level);
            var data = await backend.TryReadManyAsync(level);
            var next = new List<ObjectId>();
            for (var i = 0; i < level.Length; i++)
            {
                var d = data[i]!.Value.ToArray();
                bytes.Add(d);
                if (ObjectCodec.ReadKind(level[i], d) != ObjectKind.Tree) continue;
                trees.Add((level[i], d));
                foreach (var e in ObjectCodec.DecodeTree(level[i], d).Entries)
                    if (seen.Add(e.Id)) next.Add(e.Id);
            }
            level = [.. next];
        }
        return (levels, bytes, trees);
    }

    /// <summary>Times <paramref name="op"/>; with <paramref name="cost"/> (what one op is, plural) also prints its GC and per-thread CPU cost (<see cref="RunCost"/>).</summary>
    private static async Task Measure(string phase, Func<Task> op, string? cost = null)
    {
        await RunCost.SettleJitAsync(op);
        for (var i = 0; i < Samples / 10; i++) await op();
        s_jit?.EndPhase(phase + ": warm-up");
        var t = new double[Samples];
        var cpu = ProcessCpu();
        var costs = RunCost.Start();
        for (var i = 0; i < Samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await op();
            t[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var cpuPerOp = (ProcessCpu() - cpu) / Samples;
        costs.Stop();
        Print(phase, t, cpuPerOp);
        if (cost is not null) costs.Print(cost, null, Samples);
        s_jit?.EndPhase(phase + ": measured");
    }

    private static void Measure(string phase, Action op)
    {
        for (var i = 0; i < Samples / 10; i++) op();
        var t = new double[Samples];
        var cpu = ProcessCpu();
        for (var i = 0; i < Samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            op();
            t[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Print(phase, t, (ProcessCpu() - cpu) / Samples);
    }

    private static double ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMicroseconds;
    }

    private static void Print(string phase, double[] t, double cpuPerOp)
    {
        Array.Sort(t);
        double P(double q) => t[Math.Min(t.Length - 1, (int)Math.Ceiling(q * t.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {phase} | {P(0.5):N1} | {P(0.9):N1} | {P(0.99):N1} | {cpuPerOp:N1} |"));
    }
}
