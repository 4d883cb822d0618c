namespace VersionStore.Benchmarks;

/// <summary>Per-operation latency percentiles measured with a Stopwatch (BenchmarkDotNet reports iteration means).</summary>
public static class LatencyProbes
{
    /// <summary>Runs every probe and prints p50/p99 lines.</summary>
    public static Task RunAsync(bool quick)
    {
        Console.WriteLine($"latency probes (quick={quick}): none yet");
        return Task.CompletedTask;
    }
}
