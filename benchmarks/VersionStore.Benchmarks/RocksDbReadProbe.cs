using System.Diagnostics;
using System.Globalization;

namespace VersionStore.Benchmarks;

/// <summary>
/// <c>rocksdb-read-probe</c>: the cost per key of reading a cold rollback's closure from RocksDB, with the row cache
/// (the default, <see cref="RocksDbBackendOptions.RowCacheSizeBytes"/>) and without. Each configuration gets a fresh database holding every object of the 1,000-commit rollback history
/// (flushed and compacted into SST files) plus 2,000 objects left in the memtable; the closure's levels are then read
/// by multi-get and by a loop of single gets, all configurations interleaved round by round.
/// </summary>
internal static class RocksDbReadProbe
{
    public static async Task RunAsync(int rounds)
    {
        List<ObjectId[]> levels;
        var all = new List<EncodedObject>();
        await using (var h = await RollbackHistory.OpenAsync(1_000, RollbackBenchmarks.Options("cold")))
        {
            var backend = (RocksDbBackend)h.Store.Objects;
            var target = await h.Repository.GetCommitAsync(h.TargetA);
            levels = (await RollbackProfile.ClosureAsync(backend, target.Tree)).Levels;
            await foreach (var o in backend.ListObjectsAsync()) all.Add(new EncodedObject(o.Id, (await backend.TryReadAsync(o.Id))!.Value.ToArray()));
        }
        var rng = new Random(11);
        var dbs = new List<(string Name, RocksDbBackend Db, TempDirectory Dir)>();
        // Random 300-byte objects (same sequence as before: one generator, drawn in order).
        List<EncodedObject> RandomObjects(int count)
        {
            var objects = new List<EncodedObject>(count);
            for (var i = 0; i < count; i++)
            {
                var bytes = new byte[300];
                rng.NextBytes(bytes);
                objects.Add(new EncodedObject(ObjectId.Compute(bytes), bytes));
            }
            return objects;
        }
        foreach (var (c, rowCache, level0) in new[] { ("row cache 32 MiB (default)", 32L << 20, 0), ("no row cache", 0L, 0), ("row cache, 3 level-0 files above", 32L << 20, 3), ("no row cache, 3 level-0 files above", 0L, 3) })
        {
            var dir = new TempDirectory("rdprobe");
            var db = RocksDbBackend.Open(new RocksDbBackendOptions { Path = dir.Path, RowCacheSizeBytes = rowCache });
            for (var i = 0; i < all.Count; i += 1000) await db.WriteAsync(all.GetRange(i, Math.Min(1000, all.Count - i)));
            await db.CompactAsync();
            for (var f = 0; f < level0; f++)
            {
                await db.WriteAsync(RandomObjects(500));
                db.FlushMemtables();
            }
            await db.WriteAsync(RandomObjects(2000));
            dbs.Add(($"{c} (level-0 files: {db.ObjectLevel0Files})", db, dir));
        }
        var keys = levels.Sum(l => l.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# rocksdb-read-probe: {all.Count:N0} objects stored, closure {keys} keys in {levels.Count} levels; {rounds} rounds; load {File.ReadAllText("/proc/loadavg").Trim()}"));
        var multi = dbs.Select(_ => new List<double>()).ToArray();
        var single = dbs.Select(_ => new List<double>()).ToArray();
        var multiCpu = new double[dbs.Count];
        var singleCpu = new double[dbs.Count];
        for (var r = 0; r < rounds; r++)
        {
            for (var d = 0; d < dbs.Count; d++)
            {
                var db = dbs[d].Db;
                var cpu = ThreadCpu();
                var start = Stopwatch.GetTimestamp();
                foreach (var l in levels) await db.TryReadManyAsync(l);
                multi[d].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                multiCpu[d] += ThreadCpu() - cpu;
                cpu = ThreadCpu();
                start = Stopwatch.GetTimestamp();
                foreach (var l in levels) foreach (var id in l) await db.TryReadAsync(id);
                single[d].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                singleCpu[d] += ThreadCpu() - cpu;
            }
        }
        Console.WriteLine("| config | multi-get p50 µs | multi-get min µs | multi-get CPU µs (mean) | µs per key (multi p50) | single gets p50 µs | single gets CPU µs (mean) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        for (var d = 0; d < dbs.Count; d++)
        {
            multi[d].Sort();
            single[d].Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {dbs[d].Name} | {multi[d][multi[d].Count / 2]:N1} | {multi[d][0]:N1} | {multiCpu[d] / rounds:N1} | {multi[d][multi[d].Count / 2] / keys:N2} | {single[d][single[d].Count / 2]:N1} | {singleCpu[d] / rounds:N1} |"));
        }
        foreach (var (_, db, dir) in dbs)
        {
            db.Dispose();
            dir.Dispose();
        }
    }

    /// <summary>CPU time of the calling thread, µs (the probe's reads run on it: RocksDB's reads are synchronous).</summary>
    private static double ThreadCpu()
    {
        var ts = default(Timespec);
        _ = clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, ref ts);
        return ts.Seconds * 1e6 + ts.Nanoseconds / 1e3;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, ref Timespec ts);
}
