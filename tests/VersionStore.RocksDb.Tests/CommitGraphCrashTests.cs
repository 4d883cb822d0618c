using System.Diagnostics;
using System.Globalization;
using VersionStore.Conformance;
using VersionStore.Graph;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// The persisted commit graph under <c>kill -9</c>: a child process (VersionStore.RocksDb.CrashHelper, mode
/// <c>graph</c>) lands commits while appending to the commit-graph file every 8 commits; the test kills it with
/// SIGKILL at a seeded random point, three times over the same store (each run resumes the history), then checks
/// in a fresh store that every answer served with the file — whole-history log, is-ancestor, merge-base, main~N —
/// equals the answer of a store that has no file and loads every commit from RocksDB.
/// </summary>
public sealed class CommitGraphCrashTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _dir = new("graph-crash");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Answers_served_from_the_commit_graph_equal_a_full_walk_after_SIGKILL_while_commits_land()
    {
        var dbPath = _dir.Combine("db");
        var graphPath = _dir.Combine("commit-graph.vscg");
        var random = new Random(11);
        var acknowledged = 0;
        for (var run = 0; run < 3; run++)
        {
            var target = acknowledged + 300 + random.Next(300);
            using var child = StartHelper(dbPath, graphPath);
            using var timeout = new CancellationTokenSource(Guard);
            try
            {
                Assert.Equal("READY", await child.StandardOutput.ReadLineAsync(timeout.Token));
                while (acknowledged < target)
                {
                    var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                        ?? throw new Xunit.Sdk.XunitException($"helper exited early: {await child.StandardError.ReadToEndAsync(timeout.Token)}");
                    Assert.StartsWith("ACK ", line);
                    acknowledged = int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
                }
                // Let it run on for a random moment, so the kill lands anywhere (also inside an append).
                await Task.Delay(random.Next(0, 40), timeout.Token);
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(CancellationToken.None);
            }
            while (await child.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
                if (rest.StartsWith("ACK ", StringComparison.Ordinal)) acknowledged = int.Parse(rest.Split(' ')[1], CultureInfo.InvariantCulture);
        }
        Assert.True(new FileInfo(graphPath).Length > 1000, "the commit-graph file was written");

        // Also a torn tail of our own making: the last bytes of the file cut off. When the file ends in an append block
        // the cut drops that block only and the file still serves the walks; when the last write was a rewrite (the
        // file is only its base) the cut damages the base, and the file is discarded — never answered from — so the
        // walks read commits instead (the answers must still be equal; the read bound does not apply).
        await AssertSameAnswersAsync(dbPath, graphPath, acknowledged);
        var endsInBlock = new CommitGraphFile(graphPath).Load(new IgnoringSink(), out _, out var blockRecords) == CommitGraphFile.LoadState.Valid
            && blockRecords > 0;
        using (var f = new FileStream(graphPath, FileMode.Open)) f.SetLength(f.Length - 37);
        await AssertSameAnswersAsync(dbPath, graphPath, acknowledged, boundReads: endsInBlock);
    }

    private sealed class IgnoringSink : CommitGraphFile.ISink
    {
        public void BeginBlock(int count) { }
        public void Add(ObjectId id, int generation, long micros, ReadOnlySpan<byte> parents) { }
        public void EndBlock() { }
    }

    private static async Task AssertSameAnswersAsync(string dbPath, string graphPath, int acknowledged, bool boundReads = true)
    {
        using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = dbPath, ReadOnly = true });
        var counting = new CountingObjectStore(backend);
        await using var withFile = new RepositoryStore(counting, backend, new VersionStoreOptions { CommitGraphPath = graphPath, DecodedObjectCacheSize = 0 });
        await using var without = new RepositoryStore(backend, backend, new VersionStoreOptions { DecodedObjectCacheSize = 0 });
        var a = withFile.GetRepository(GraphWorkload.Repository);
        var b = without.GetRepository(GraphWorkload.Repository);

        var head = await b.ResolveAsync("main");
        var depth = 0;
        await foreach (var _ in b.LogAsync("main")) depth++;
        Assert.InRange(depth, acknowledged, acknowledged + 1);
        var root = await b.ResolveAsync("main~" + (depth - 1).ToString(CultureInfo.InvariantCulture));

        // Whole-history answers through the file read few objects: the file serves the walk.
        var readsBefore = counting.Reads;
        Assert.Equal(await b.IsAncestorAsync("side", "main"), await a.IsAncestorAsync("side", "main"));
        Assert.Equal(await b.IsAncestorAsync(root, head), await a.IsAncestorAsync(root, head));
        Assert.False(await a.IsAncestorAsync(head, root));
        Assert.Equal(await b.MergeBasesAsync("main", "side"), await a.MergeBasesAsync("main", "side"));
        foreach (var n in new[] { 1, 7, depth / 2, depth - 1 })
        {
            var rev = "main~" + n.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(await b.ResolveAsync(rev), await a.ResolveAsync(rev));
        }
        if (boundReads) Assert.True(counting.Reads - readsBefore < 300 + 20, $"{counting.Reads - readsBefore} object reads for walks over {depth} commits");

        var logA = new List<ObjectId>();
        await foreach (var c in a.LogAsync("main")) logA.Add(c.Id);
        var logB = new List<ObjectId>();
        await foreach (var c in b.LogAsync("main")) logB.Add(c.Id);
        Assert.Equal(logB, logA);
    }

    private sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
    {
        private int _reads;
        public int Reads => Volatile.Read(ref _reads);

        public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.TryReadAsync(id, cancellationToken);
        }

        public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => inner.ContainsAsync(id, cancellationToken);
        public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default) => inner.WriteAsync(objects, cancellationToken);
        public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) => inner.FindByPrefixAsync(hexPrefix, limit, cancellationToken);
    }

    private static Process StartHelper(string dbPath, string graphPath)
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "VersionStore.RocksDb.CrashHelper.dll");
        Assert.True(File.Exists(helper), $"crash helper not built next to the tests: {helper}");
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { helper, "graph", dbPath, graphPath }) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash helper");
    }
}
