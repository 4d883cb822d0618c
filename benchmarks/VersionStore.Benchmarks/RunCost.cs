using System.Globalization;

namespace VersionStore.Benchmarks;

/// <summary>
/// What a run of operations cost the whole process beyond its wall time: garbage collections, bytes allocated, GC pause
/// time, and CPU time per thread group (read from <c>/proc/self/task/*/schedstat</c>: nanoseconds each thread ran, grouped
/// by thread name without digits (<c>.NET TP Worker</c>, <c>rocksdb:low</c>, the main thread, ...), so CPU that is not the
/// caller's own shows whose it is) and the JIT compilation that happened meanwhile (tiered compilation still promoting
/// methods: a run that is not warm yet). Start with <see cref="Start"/>, end with <see cref="Print"/>.
/// </summary>
internal sealed class RunCost
{
    private readonly int[] _collections = new int[3];
    private readonly long _allocated;
    private readonly TimeSpan _paused;
    private readonly TimeSpan _jitTime;
    private readonly long _jitMethods;
    private readonly Dictionary<int, (string Name, long Ns)> _threads;
    private (int[] Collections, long Allocated, TimeSpan Paused, TimeSpan JitTime, long JitMethods, Dictionary<int, (string Name, long Ns)> Threads)? _end;

    private RunCost()
    {
        // The threads first: the first read of /proc compiles the file-system enumeration, which is not the run's JIT.
        _threads = Threads();
        for (var g = 0; g < 3; g++) _collections[g] = GC.CollectionCount(g);
        _allocated = GC.GetTotalAllocatedBytes(precise: true);
        _paused = GC.GetTotalPauseDuration();
        _jitTime = System.Runtime.JitInfo.GetCompilationTime();
        _jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
    }

    /// <summary>Takes the starting counters.</summary>
    public static RunCost Start() => new();

    /// <summary>
    /// Takes the ending counters now (the JIT counters first: reading /proc compiles nothing new by then), so what the
    /// caller does before <see cref="Print"/> (sorting, formatting) is not counted. Without it, <see cref="Print"/> ends the run.
    /// </summary>
    public void Stop()
    {
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var collections = new int[3];
        for (var g = 0; g < 3; g++) collections[g] = GC.CollectionCount(g);
        _end = (collections, GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration(), jitTime, jitMethods, Threads());
    }

    /// <summary>
    /// Prints, as probe table rows, the cost per operation of the <paramref name="operations"/> run since <see cref="Start"/>
    /// (with a history column when <paramref name="history"/> is given: the latency table's layout).
    /// </summary>
    public void Print(string what, string? history, int operations)
    {
        var (h, end) = history is null ? ("", "") : ($" {history} |", " |");
        if (_end is null) Stop();
        var stop = _end!.Value;
        var gcs = new int[3];
        for (var g = 0; g < 3; g++) gcs[g] = stop.Collections[g] - _collections[g];
        var allocated = stop.Allocated - _allocated;
        var paused = stop.Paused - _paused;
        var jitTime = stop.JitTime - _jitTime;
        var jitMethods = stop.JitMethods - _jitMethods;
        var byGroup = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (tid, (name, ns)) in stop.Threads)
        {
            var before = _threads.TryGetValue(tid, out var t) && t.Name == name ? t.Ns : 0;
            var group = Group(name);
            byGroup[group] = byGroup.GetValueOrDefault(group) + (ns - before);
        }
        var total = byGroup.Values.Sum();
        var split = string.Join(", ", byGroup.Where(g => g.Value * 100 >= total).OrderByDescending(g => g.Value)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Value / 1000.0 / operations:N0}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| GCs per 1,000 {what} (gen0 / gen1 / gen2); GC pause per op; allocated per op |{h} {gcs[0] * 1000.0 / operations:N1} / {gcs[1] * 1000.0 / operations:N1} / {gcs[2] * 1000.0 / operations:N1} | {paused.TotalMicroseconds / operations:N1} µs | {allocated / (double)operations / 1024:N1} KiB |{end}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| CPU µs per {what} by thread (schedstat; threads with ≥ 1%); JIT during the run |{h} {total / 1000.0 / operations:N0} total: {split} | {jitMethods} methods compiled | {jitTime.TotalMilliseconds:N1} ms compiling |{end}"));
    }

    /// <summary>
    /// Runs <paramref name="op"/> until tiered compilation has settled — no method compiled during the last 200 runs and
    /// the last second (the runtime promotes hot methods to optimized code in the background, 100 ms after the last new method)
    /// — bounded by 3,000 runs or 30 s; returns the runs made. Without it the first probe in a process measures
    /// half-optimized code and the JIT thread beside it. <c>VSTORE_BENCH_JIT_SETTLE=0</c> turns it off (the probes' older
    /// behaviour: only their fixed warm-up).
    /// </summary>
    public static async Task<int> SettleJitAsync(Func<Task> op)
    {
        if (Environment.GetEnvironmentVariable("VSTORE_BENCH_JIT_SETTLE") == "0") return 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var quietSince = started.Elapsed;
        var quietRuns = 0;
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var runs = 0;
        while (runs < 3_000 && started.Elapsed < TimeSpan.FromSeconds(30))
        {
            await op();
            runs++;
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                quietRuns = 0;
                quietSince = started.Elapsed;
            }
            else if (++quietRuns >= 200 && started.Elapsed - quietSince >= TimeSpan.FromSeconds(1)) break;
        }
        return runs;
    }

    /// <summary>Thread name without digits and trailing separators ("rocksdb:low0" → "rocksdb:low").</summary>
    private static string Group(string name)
    {
        var trimmed = new string([.. name.Where(c => !char.IsAsciiDigit(c))]).TrimEnd(' ', '#', '-', '_', ':');
        return trimmed.Length == 0 ? "(unnamed)" : trimmed;
    }

    /// <summary>Every thread of the process: its name and the nanoseconds it ran. Empty where /proc is not there.</summary>
    private static Dictionary<int, (string, long)> Threads()
    {
        var result = new Dictionary<int, (string, long)>();
        if (!Directory.Exists("/proc/self/task")) return result;
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out var tid)) continue;
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                var sched = File.ReadAllText(Path.Combine(dir, "schedstat"));
                var ns = long.Parse(sched.AsSpan(0, sched.IndexOf(' ')), CultureInfo.InvariantCulture);
                result[tid] = (name, ns);
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return result;
    }
}
