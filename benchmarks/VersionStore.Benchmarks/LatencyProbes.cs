using System.Diagnostics;

namespace VersionStore.Benchmarks;

/// <summary>
/// Per-operation latency percentiles measured with a Stopwatch (BenchmarkDotNet reports iteration means, so
/// its P95/P99 columns are percentiles of means, not of single operations).
/// </summary>
public static class LatencyProbes
{
    /// <summary>Runs every probe (only the rollback probes with <paramref name="rollbackOnly"/>) and prints one line per measurement.</summary>
    public static async Task RunAsync(bool quick, bool rollbackOnly = false)
    {
        var samples = quick ? 300 : 3000;
        Console.WriteLine($"# latency probes ({(quick ? "quick" : "full")}, {samples} samples after {samples / 10} warmup, {DateTimeOffset.UtcNow:u})");
        Console.WriteLine("| probe | history | p50 | p90 | p99 | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var size in BenchSettings.HistorySizes)
        {
            foreach (var verification in new[] { "cached", "cold" })
            {
                await using var h = await RollbackHistory.OpenAsync(size, RollbackBenchmarks.Options(verification));
                Console.WriteLine($"| store shape before the {verification} rollbacks (objects family) | {size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} | {h.Shape} | | | |");
                var settled = await RunCost.SettleJitAsync(async () => await h.RollbackOnceAsync());
                if (settled % 2 == 1)
                {
                    // An even number leaves main on the snapshot the fixed warm-up leaves it on (the fresh-target probe below
                    // commits an edit that can recreate the other one).
                    await h.RollbackOnceAsync();
                    settled++;
                }
                Console.WriteLine($"| warm-up until the JIT settled ({verification}; VSTORE_BENCH_JIT_SETTLE=0: none) | {size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} | {settled} rollbacks | | | |");
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var cpuAfter = cpuBefore;
                var cost = RunCost.Start();
                var times = await MeasureAsync(samples, async () => await h.RollbackOnceAsync(), measured: () =>
                {
                    // The run ends here, before the samples are sorted and printed (code compiled for that is not a rollback's).
                    cpuAfter = Process.GetCurrentProcess().TotalProcessorTime;
                    cost.Stop();
                });
                var cpu = (cpuAfter - cpuBefore).TotalMicroseconds / (samples + samples / 10);
                Print($"rollback (revert, RocksDB, {verification} verification)", size, times);
                // CPU time of the process per rollback (all threads): what a loaded machine cannot inflate the way it inflates wall time.
                Console.WriteLine($"| rollback CPU time per operation ({verification}; process, all threads) | {size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} | {cpu:N1} µs (mean) | | | |");
                // Whose CPU that is (thread groups), and the garbage collector's share of it.
                cost.Print($"rollbacks ({verification})", size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), samples + samples / 10);
                var effective = await MeasureAsync(samples, async () =>
                {
                    var r = await h.RollbackOnceAsync();
                    // Trigger-to-visible as the result reports it: from request to the new head being readable.
                    return r.Elapsed;
                });
                Print($"rollback elapsed as reported (RollbackResult.Elapsed, {verification})", size, effective);
            }
            // A target never verified in this process, one edit away from the snapshot the previous rollback verified
            // (default TTL): only what the edit changed is read; the subtrees it shares were verified a moment ago.
            await using (var h = await RollbackHistory.OpenAsync(size, RollbackBenchmarks.Options("cached")))
            {
                await h.PrepareFreshTargetAsync();
                await h.RollbackToFreshTargetAsync(); // the first one reads the whole snapshot: not a sample
                var objects = 0L;
                var times = await MeasureAsync(samples, h.PrepareFreshTargetAsync, async () => objects += (await h.RollbackToFreshTargetAsync()).Verification.ObjectsVerified);
                Print("rollback (revert, RocksDB, cold target one edit from a verified snapshot)", size, times);
                Console.WriteLine($"| objects read per rollback (cold target one edit from a verified snapshot) | {size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} | {objects / (double)(samples + samples / 10):N1} (mean) | | | |");
            }
        }

        if (rollbackOnly) return;

        // Release guard: threshold-crossing sample to rollback visible (each operation after an untimed re-publish).
        var guardSamples = quick ? 100 : 1000;
        foreach (var verification in new[] { "cached", "cold" })
        {
            var g = new GuardLatencyBenchmarks { Verification = verification };
            await g.Setup();
            try
            {
                Print($"channel rollback + ref read (Repository.RollbackAsync, {verification})", 0, await MeasureAsync(guardSamples, g.SetupRollback, g.RepositoryRollback));
                Print($"guard: crossing sample to rollback visible (library, {verification})", 0, await MeasureAsync(guardSamples, g.SetupGuard, g.GuardLibrary));
                Print($"guard: crossing sample to rollback visible (HTTP, {verification})", 0, await MeasureAsync(guardSamples, g.SetupHttp, g.GuardHttp));
            }
            finally
            {
                await g.Cleanup();
            }
        }
    }

    private static async Task<double[]> MeasureAsync(int samples, Action setup, Func<Task<bool>> op)
    {
        for (var i = 0; i < samples / 10; i++)
        {
            setup();
            await op();
        }
        var result = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            setup();
            var t = Stopwatch.GetTimestamp();
            await op();
            result[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(result);
        return result;
    }

    private static async Task<double[]> MeasureAsync(int samples, Func<Task> setup, Func<Task> op)
    {
        for (var i = 0; i < samples / 10; i++)
        {
            await setup();
            await op();
        }
        var result = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            await setup();
            var t = Stopwatch.GetTimestamp();
            await op();
            result[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(result);
        return result;
    }

    private static async Task<double[]> MeasureAsync(int samples, Func<Task> op, Action? measured = null)
    {
        for (var i = 0; i < samples / 10; i++) await op();
        var result = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await op();
            result[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        measured?.Invoke();
        Array.Sort(result);
        return result;
    }

    private static async Task<double[]> MeasureAsync(int samples, Func<Task<TimeSpan>> op)
    {
        for (var i = 0; i < samples / 10; i++) await op();
        var result = new double[samples];
        for (var i = 0; i < samples; i++) result[i] = (await op()).TotalMicroseconds;
        Array.Sort(result);
        return result;
    }

    private static void Print(string probe, int size, double[] sorted)
    {
        static string Us(double v) => v >= 1000 ? $"{v / 1000:N3} ms" : $"{v:N1} µs";
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine($"| {probe} | {(size == 0 ? "—" : size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} | {Us(P(0.50))} | {Us(P(0.90))} | {Us(P(0.99))} | {Us(sorted[^1])} |");
    }
}
