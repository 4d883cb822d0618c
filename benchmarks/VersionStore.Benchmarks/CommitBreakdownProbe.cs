using System.Globalization;
using VersionStore.Internal;

namespace VersionStore.Benchmarks;

/// <summary>
/// Where a commit's time goes (<c>commit-breakdown</c> mode; docs/BENCHMARKS.md, "Commit: what separates it from the
/// floor"). Replays the steps of <c>Repository.CommitAsync</c> on the embedded store one by one — the same internal
/// calls in the same order, on the same 200-node workflow and 1–5 node edits as <see cref="CommitIngestBenchmarks"/> —
/// with a timestamp between steps, and beside it runs the real <c>CommitAsync</c> and the RocksDB write variants
/// (objects only; objects + write times; + ref CAS and audit entry) on stores of their own, so each item's cost is
/// the mean of many commits in one process. Times are the calling thread's CPU time (user + kernel, so the WAL
/// write's system call counts; RocksDB's background flushes do not), which the other processes of a shared machine
/// inflate far less than wall time.
/// </summary>
public static partial class CommitBreakdownProbe
{
    private static readonly string[] Steps =
    [
        "fixture: next edit (1–5 revised node JSONs; in every benchmark method)",
        "SnapshotChanges built from the edit",
        "ref read (the branch head, RocksDB Get)",
        "parent commit (decoded-commit cache)",
        "TreeWriter.ApplyAsync (blobs + changed trees: encode + SHA-256)",
        "  of which: SHA-256 of the new blobs and trees alone",
        "commit object: encode + SHA-256",
        "audit entry: encode + SHA-256",
        "RocksDB write: objects + write times + ref CAS (Get) + audit, one batch",
        "bookkeeping: decoded cache, written-tree memory, commit-graph add",
    ];

    /// <summary>Runs the probe and prints a Markdown table of mean µs per commit.</summary>
    public static async Task RunAsync(bool quick)
    {
        var commits = quick ? 2_000 : 20_000;
        var warmup = commits / 10;
        Console.WriteLine($"# commit breakdown ({commits:N0} commits after {warmup:N0} warmup; per item the fastest of {Rounds} rounds' means, thread CPU time, {DateTimeOffset.UtcNow:u}, load {LoadAverage()})");

        var staged = await StagedAsync(commits, warmup);
        var whole = await WholeCommitAsync(commits, warmup, syncWrites: false);
        var writes = WriteVariants(commits, warmup);

        Console.WriteLine("| item | µs per commit |");
        Console.WriteLine("|---|---:|");
        for (var i = 0; i < Steps.Length; i++) Console.WriteLine($"| {Steps[i]} | {staged[i]:N2} |");
        var sum = staged.Sum() - staged[5];
        Console.WriteLine($"| **sum of the steps** | **{sum:N2}** |");
        Console.WriteLine($"| **`CommitAsync` (the real call, fixture included)** | **{whole:N2}** |");
        Console.WriteLine($"| `CommitAsync` − steps (validation, activity, metrics, async machinery) | {whole - sum:N2} |");
        foreach (var (name, us) in writes) Console.WriteLine($"| raw write: {name} | {us:N2} |");
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static async Task<double[]> StagedAsync(int commits, int warmup)
    {
        var fixture = new WorkflowFixture();
        using var temp = new TempDirectory("breakdown");
        var backend = RocksDbBackend.Open(temp.Sub("vstore"));
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions(), ownedBackend: backend);
        var repo = store.GetRepository("line-daigen");
        await repo.CommitAsync("main", SnapshotChanges.FromEntries(fixture.Entries), new CommitOptions { Author = "bench", Message = "edit nodes" });
        var refName = RefName.Branch("main");
        var perRound = commits / Rounds;
        var best = Enumerable.Repeat(double.MaxValue, Steps.Length).ToArray();
        var ticks = new long[Steps.Length];
        var clock = TimeProvider.System;
        for (var n = 0; n < warmup + commits; n++)
        {
            if (n >= warmup && (n - warmup) % perRound == 0 && n > warmup)
            {
                for (var i = 0; i < Steps.Length; i++) best[i] = Math.Min(best[i], ticks[i] / 1e3 / perRound);
                Array.Clear(ticks);
            }
            var t = new long[Steps.Length + 1];
            t[0] = ThreadCpu.Now();
            var edit = fixture.NextEdit();
            t[1] = ThreadCpu.Now();
            var changes = new SnapshotChanges();
            foreach (var (path, content) in edit) changes.Put(path, content);
            t[2] = ThreadCpu.Now();
            var state = await backend.TryGetRefAsync(repo.Name, refName);
            t[3] = ThreadCpu.Now();
            var parent = await repo.Reader.GetCommitAsync(state!.Target!.Value, default);
            t[4] = ThreadCpu.Now();
            var writer = new TreeWriter(repo.Reader, store.Objects, store.Options);
            var tree = await writer.ApplyAsync(parent.Tree, changes, default);
            t[5] = ThreadCpu.Now();
            foreach (var o in writer.NewObjects) ObjectId.Compute(o.Data.Span);
            t[6] = ThreadCpu.Now();
            var now = clock.GetUtcNow();
            var encoded = ObjectCodec.EncodeCommit(tree, [parent.Id], parent.Generation + 1, now, "bench", "edit nodes", []);
            var id = ObjectId.Compute(encoded);
            var commit = new Commit(id, tree, [parent.Id], parent.Generation + 1, ObjectCodec.FromUnixMicroseconds(ObjectCodec.ToUnixMicroseconds(now)), "bench", "edit nodes", []);
            t[7] = ThreadCpu.Now();
            var entry = new AuditEntry(refName, state.Sequence + 1, state.Target, id, "commit", "bench", now, "edit nodes", state.AuditHash, null);
            t[8] = ThreadCpu.Now();
            var batch = writer.NewObjects;
            batch.Add(new EncodedObject(id, encoded));
            if (!await backend.WriteObjectsAndTryUpdateRefAsync(batch, new RefUpdate(repo.Name, state, entry))) throw new InvalidOperationException("lost a race nobody runs");
            t[9] = ThreadCpu.Now();
            repo.Reader.Remember(id, commit);
            writer.RememberNewTrees();
            repo.Graph.Add(commit);
            t[10] = ThreadCpu.Now();
            if (n < warmup) continue;
            for (var i = 0; i < Steps.Length; i++) ticks[i] += t[i + 1] - t[i];
        }
        for (var i = 0; i < Steps.Length; i++) best[i] = Math.Min(best[i], ticks[i] / 1e3 / perRound);
        return best;
    }

    /// <summary>Mean µs of the real <c>CommitAsync</c> (fixture edit included, as in the benchmark).</summary>
    internal static async Task<double> WholeCommitAsync(int commits, int warmup, bool syncWrites)
    {
        var fixture = new WorkflowFixture();
        using var temp = new TempDirectory("breakdown-whole");
        var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = temp.Sub("vstore"), SyncWrites = syncWrites });
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions(), ownedBackend: backend);
        var repo = store.GetRepository("line-daigen");
        var options = new CommitOptions { Author = "bench", Message = "edit nodes" };
        await repo.CommitAsync("main", SnapshotChanges.FromEntries(fixture.Entries), options);
        long started = 0;
        TimeSpan pauses = default;
        int gen0 = 0, gen1 = 0, gen2 = 0;
        long allocated = 0;
        var perRound = commits / Rounds;
        var best = double.MaxValue;
        long roundStarted = 0;
        for (var n = 0; n < warmup + commits; n++)
        {
            if (n >= warmup && (n - warmup) % perRound == 0)
            {
                var now = ThreadCpu.Now();
                if (n > warmup) best = Math.Min(best, (now - roundStarted) / 1e3 / perRound);
                roundStarted = now;
            }
            if (n == warmup)
            {
                started = ThreadCpu.Now();
                pauses = GC.GetTotalPauseDuration();
                (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                allocated = GC.GetAllocatedBytesForCurrentThread();
            }
            var changes = new SnapshotChanges();
            foreach (var (path, content) in fixture.NextEdit()) changes.Put(path, content);
            await repo.CommitAsync("main", changes, options);
        }
        var end = ThreadCpu.Now();
        best = Math.Min(best, (end - roundStarted) / 1e3 / perRound);
        var cpu = (end - started) / 1e3 / commits;
        Console.WriteLine($"CommitAsync (sync writes: {syncWrites}): {cpu:N2} µs CPU per commit (best round {best:N2}); {(GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)commits:N0} B allocated per commit; "
            + $"GC pauses {(GC.GetTotalPauseDuration() - pauses).TotalMicroseconds / commits:N2} µs per commit (gen0/1/2 collections: {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2})");
        var last = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine($"last GC: generation {last.Generation}, heap {last.HeapSizeBytes / 1e6:N1} MB, promoted {last.PromotedBytes / 1e6:N1} MB, pause {last.PauseDurations[0].TotalMilliseconds:N1} ms, compacted {last.Compacted}, concurrent {last.Concurrent}");
        return best;
    }

    /// <summary>The same objects written three ways, each into a fresh store: what each part of the one batch costs.</summary>
    private static List<(string, double)> WriteVariants(int commits, int warmup)
    {
        // Objects of real commits (blobs, trees, commit), captured once from a commit run so every variant writes the same bytes.
        var fixture = new WorkflowFixture();
        using var source = new TempDirectory("breakdown-source");
        var sourceBackend = RocksDbBackend.Open(source.Sub("vstore"));
        var sourceStore = new RepositoryStore(sourceBackend, sourceBackend, new VersionStoreOptions(), ownedBackend: sourceBackend);
        var sourceRepo = sourceStore.GetRepository("line-daigen");
        var first = sourceRepo.CommitAsync("main", SnapshotChanges.FromEntries(fixture.Entries)).GetAwaiter().GetResult();
        var batches = new List<List<EncodedObject>>(warmup + commits);
        var parentTree = first.Commit.Tree;
        var parentId = first.Commit.Id;
        for (var n = 0; n < warmup + commits; n++)
        {
            var changes = new SnapshotChanges();
            foreach (var (path, content) in fixture.NextEdit()) changes.Put(path, content);
            var writer = new TreeWriter(sourceRepo.Reader, sourceStore.Objects, sourceStore.Options);
            parentTree = writer.ApplyAsync(parentTree, changes, default).AsTask().GetAwaiter().GetResult();
            var encoded = ObjectCodec.EncodeCommit(parentTree, [parentId], n + 2, DateTimeOffset.UnixEpoch.AddSeconds(n), "bench", "edit nodes", []);
            parentId = ObjectId.Compute(encoded);
            writer.NewObjects.Add(new EncodedObject(parentId, encoded));
            batches.Add(writer.NewObjects);
            sourceBackend.WriteAsync(writer.NewObjects).AsTask().GetAwaiter().GetResult(); // a base tree may have to be read back
            writer.RememberNewTrees();
        }
        sourceStore.DisposeAsync().AsTask().GetAwaiter().GetResult();

        var result = new List<(string, double)>();
        var repoName = new RepositoryName("line-daigen");
        var refName = RefName.Branch("main");
        result.Add(("objects only: one raw batch on the backend's database, no write times, no locks (what `CpuFloor` writes)", Time(b =>
        {
            var objects = b.Database.GetColumnFamily(VersionStore.RocksDb.Internal.KeyLayout.ObjectsFamily);
            using var batch = new VersionStore.RocksDb.Internal.Native.WriteBatch();
            Span<byte> key = stackalloc byte[ObjectId.Size];
            foreach (var o in batches[Index])
            {
                o.Id.WriteTo(key);
                batch.Put(key, o.Data.Span, objects);
            }
            b.Database.Write(batch, RawWrite);
        })));
        result.Add(($"objects + write times (`IObjectStore.WriteAsync`), mean {batches.Average(b => b.Count):N1} objects, {batches.Average(b => b.Sum(o => o.Data.Length)):N0} B", Time(b => b.WriteAsync(batches[Index], default).AsTask().GetAwaiter().GetResult())));
        result.Add(("the same with 1 MiB memtables (`WriteBufferSizeBytes`; default 16 MiB)", Time(b => b.WriteAsync(batches[Index], default).AsTask().GetAwaiter().GetResult(), 1 << 20)));
        result.Add(("ref CAS + audit entry alone (`TryUpdateRefAsync`)", Time(b =>
        {
            var state = b.TryGetRefAsync(repoName, refName).AsTask().GetAwaiter().GetResult();
            var entry = new AuditEntry(refName, (state?.Sequence ?? 0) + 1, state?.Target, batches[Index][^1].Id, "commit", "bench", DateTimeOffset.UnixEpoch, "edit nodes", state?.AuditHash ?? ObjectId.Zero, null);
            b.TryUpdateRefAsync(new RefUpdate(repoName, state, entry)).AsTask().GetAwaiter().GetResult();
        })));
        result.Add(("objects + write times + ref CAS + audit, one batch (`WriteObjectsAndTryUpdateRefAsync`, ref read included)", Time(b =>
        {
            var state = b.TryGetRefAsync(repoName, refName).AsTask().GetAwaiter().GetResult();
            var entry = new AuditEntry(refName, (state?.Sequence ?? 0) + 1, state?.Target, batches[Index][^1].Id, "commit", "bench", DateTimeOffset.UnixEpoch, "edit nodes", state?.AuditHash ?? ObjectId.Zero, null);
            b.WriteObjectsAndTryUpdateRefAsync(batches[Index], new RefUpdate(repoName, state, entry)).AsTask().GetAwaiter().GetResult();
        })));
        return result;

        double Time(Action<RocksDbBackend> write, long writeBufferBytes = 16L << 20)
        {
            using var temp = new TempDirectory("breakdown-write");
            using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = temp.Sub("vstore"), WriteBufferSizeBytes = writeBufferBytes });
            var perRound = commits / Rounds;
            var best = double.MaxValue;
            long started = 0;
            for (Index = 0; Index < batches.Count; Index++)
            {
                if (Index >= warmup && (Index - warmup) % perRound == 0)
                {
                    var now = ThreadCpu.Now();
                    if (Index > warmup) best = Math.Min(best, (now - started) / 1e3 / perRound);
                    started = now;
                }
                write(backend);
            }
            return Math.Min(best, (ThreadCpu.Now() - started) / 1e3 / perRound);
        }
    }

    [ThreadStatic] private static int Index;

    private static readonly VersionStore.RocksDb.Internal.Native.WriteOptions RawWrite = new(); // no fsync, as the backend's default

    /// <summary>Each measurement is split into this many rounds and the fastest round's mean is reported: the other processes of a shared machine only ever add time.</summary>
    private const int Rounds = 5;

    /// <summary>CPU time of the calling thread in nanoseconds (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, Linux).</summary>
    private static unsafe partial class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        public static long Now()
        {
            long* ts = stackalloc long[2];
            if (clock_gettime(ClockThreadCpuTimeId, ts) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
            return ts[0] * 1_000_000_000 + ts[1];
        }

        [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = false)]
        private static partial int clock_gettime(int clock, long* timespec);
    }
}
