using System.Diagnostics;
using System.Globalization;

namespace VersionStore.Benchmarks;

/// <summary>
/// A noise-robust companion of <see cref="CommitIngestBenchmarks"/> for a shared machine: the same benchmark methods run
/// <em>interleaved</em> — each round makes a block of commits with every case in turn, so a change of machine load reaches
/// all cases alike — and reported per case as the minimum and median over the rounds of the mean time per commit, with
/// the ratio to LibGit2Sharp (goal ≤ 0.02, i.e. ≥ 50× its rate) and the store's share of the floors' rates.
/// </summary>
public static class CommitIngestProbe
{
    /// <summary>Runs <paramref name="rounds"/> rounds of <paramref name="perRound"/> commits per case after a warm-up and
    /// prints a Markdown table.</summary>
    public static void Run(int rounds, int perRound)
    {
        var bench = new CommitIngestBenchmarks();
        bench.Setup();
        try
        {
            (string Name, Action Run)[] cases =
            [
                (nameof(bench.LibGit2Sharp), bench.LibGit2Sharp),
                (nameof(bench.VersionStoreRocksDb), () => bench.VersionStoreRocksDb().GetAwaiter().GetResult()),
                (nameof(bench.CpuFloor), bench.CpuFloor),
                (nameof(bench.CpuFloorWithRefAndAudit), bench.CpuFloorWithRefAndAudit),
            ];
            for (var r = 0; r < 200; r++) // past tiered JIT's promotion of every case
                foreach (var c in cases) c.Run();
            var samples = cases.Select(_ => new double[rounds]).ToArray();
            for (var r = 0; r < rounds; r++)
                for (var i = 0; i < cases.Length; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    for (var k = 0; k < perRound; k++) cases[i].Run();
                    samples[i][r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perRound;
                }
            // Per-round ratios (same round, same load) as well as ratios of the sorted figures.
            var perRoundRatio = Enumerable.Range(0, rounds).Select(r => samples[1][r] / samples[0][r]).Order().ToArray();
            foreach (var s in samples) Array.Sort(s);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"commit ingest probe: {rounds} interleaved rounds of {perRound} commits per case, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z, load {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine();
            Console.WriteLine("| case | min µs per commit | median µs per commit | ratio to LibGit2Sharp (min) | ratio (median) | × LibGit2Sharp's rate (median) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            for (var i = 0; i < cases.Length; i++)
                Console.WriteLine(string.Format(inv, "| {0} | {1:F1} | {2:F1} | {3:F4} | {4:F4} | {5:F1}× |", cases[i].Name, samples[i][0], samples[i][rounds / 2],
                    samples[i][0] / samples[0][0], samples[i][rounds / 2] / samples[0][rounds / 2], samples[0][rounds / 2] / samples[i][rounds / 2]));
            Console.WriteLine();
            Console.WriteLine(string.Format(inv, "VersionStore / LibGit2Sharp within the same round: min {0:F4}, median {1:F4} ({2:F1}× its rate), max {3:F4}",
                perRoundRatio[0], perRoundRatio[rounds / 2], 1 / perRoundRatio[rounds / 2], perRoundRatio[^1]));
            Console.WriteLine(string.Format(inv, "VersionStore's rate as a share of CpuFloor's (median): {0:F2}; of CpuFloorWithRefAndAudit's: {1:F2}",
                samples[2][rounds / 2] / samples[1][rounds / 2], samples[3][rounds / 2] / samples[1][rounds / 2]));
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
