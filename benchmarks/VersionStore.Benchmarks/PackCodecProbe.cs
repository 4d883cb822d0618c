using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace VersionStore.Benchmarks;

/// <summary>
/// A noise-robust companion of <see cref="PackCodecBenchmarks"/> for a shared machine: the same benchmark methods, run
/// <em>interleaved</em> (each round runs every case once, so a change of machine load reaches all cases alike), and
/// reported as the minimum and median of the rounds with each case's ratio to its category's raw K4os baseline.
/// </summary>
public static partial class PackCodecProbe
{
    /// <summary>CPU time of the whole process (every thread: a hash job on another core counts), from
    /// <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>; nanosecond resolution where <see cref="Process.TotalProcessorTime"/> has clock ticks.</summary>
    private static double ProcessCpuMicroseconds()
    {
        const int ClockProcessCpuTimeId = 2;
        return ClockGetTime(ClockProcessCpuTimeId, out var t) == 0 ? t.Seconds * 1e6 + t.Nanoseconds / 1e3 : double.NaN;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Runs <paramref name="rounds"/> timed rounds after a warm-up and prints a Markdown table; with
    /// <paramref name="headlineOnly"/>, only the two baselines and the pack cases (encode: also on one core; the others are
    /// the cases every version of the class has, so that a comparison with an older build interleaves the same work: the other cases hash hundreds of KB
    /// between two runs of a baseline, and change its cache state).</summary>
    public static void Run(int rounds, bool headlineOnly = false)
    {
        var bench = new PackCodecBenchmarks();
        bench.Setup();
        try
        {
            (string Category, string Name, Func<long> Run)[] cases =
            [
                ("encode", nameof(bench.RawK4osEncode), bench.RawK4osEncode),
                ("encode", nameof(bench.RawK4osAndPackHashes), bench.RawK4osAndPackHashes),
                ("encode", nameof(bench.PackEncode), bench.PackEncode),
                ("encode", nameof(bench.PackEncodeOneCore), bench.PackEncodeOneCore),
                ("decode", nameof(bench.RawK4osDecode), bench.RawK4osDecode),
                ("decode", nameof(bench.PackDecode), bench.PackDecode),
                ("decode", nameof(bench.PackDecodeVerified), bench.PackDecodeVerified),
                ("decode", nameof(bench.PackColdReads), bench.PackColdReads),
            ];
            if (headlineOnly) cases = [.. cases.Where(c => c.Name is nameof(bench.RawK4osEncode) or nameof(bench.PackEncode) or nameof(bench.PackEncodeOneCore) or nameof(bench.RawK4osDecode) or nameof(bench.PackDecode))];
            for (var r = 0; r < 50; r++) // past tiered JIT's promotion of every case
                foreach (var c in cases) c.Run();
            var samples = cases.Select(_ => new double[rounds]).ToArray();
            var cpu = new double[cases.Length];
            for (var r = 0; r < rounds; r++)
                for (var i = 0; i < cases.Length; i++)
                {
                    var cpuStart = ProcessCpuMicroseconds();
                    var start = Stopwatch.GetTimestamp();
                    cases[i].Run();
                    samples[i][r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    cpu[i] += ProcessCpuMicroseconds() - cpuStart;
                }
            foreach (var s in samples) Array.Sort(s);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"pack codec probe: {rounds} interleaved rounds{(headlineOnly ? " (headline cases)" : "")}, {Environment.ProcessorCount} processor(s) available, load {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine();
            Console.WriteLine("| category | case | min | median | ratio (min) | ratio (median) | process CPU (mean) | CPU ratio |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            for (var i = 0; i < cases.Length; i++)
            {
                var baseline = Array.FindIndex(cases, c => c.Category == cases[i].Category);
                double Min(int k) => samples[k][0];
                double Median(int k) => samples[k][rounds / 2];
                Console.WriteLine(string.Format(inv, "| {0} | {1} | {2:F1} µs | {3:F1} µs | {4:F2} | {5:F2} | {6:F1} µs | {7:F2} |", cases[i].Category, cases[i].Name,
                    Min(i), Median(i), Min(i) / Min(baseline), Median(i) / Median(baseline), cpu[i] / rounds, cpu[i] / cpu[baseline]));
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
