using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace VersionStore.Benchmarks;

/// <summary>
/// Group commit: 1, 2, 4 or 8 writers committing at the same time on one embedded RocksDB store, each to its own
/// repository (so no compare-and-swap conflicts), with the WAL written without fsync (the default) or fsynced before
/// every acknowledgement (<see cref="RocksDbBackendOptions.SyncWrites"/>). Each writer is a dedicated thread making
/// <see cref="CommitsPerWriter"/> commits of the 200-node workflow (1–5 nodes changed, as in
/// <see cref="CommitIngestBenchmarks"/>); Mean is one invocation (Writers × CommitsPerWriter commits), and the
/// <c>Commits/s</c> column divides it out.
/// RocksDB already coalesces concurrent writes into one WAL append (and one fsync) per write group; this benchmark
/// shows how much of that reaches the commit rate.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ColumnConfig))]
public class ConcurrentCommitBenchmarks
{
    /// <summary>Commits each writer makes per benchmark invocation.</summary>
    public const int CommitsPerWriter = 32;

    private const int MaxWriters = 8;

    private TempDirectory _temp = null!;
    private RepositoryStore _store = null!;
    private readonly WorkflowFixture[] _fixtures = new WorkflowFixture[MaxWriters];
    private readonly Repository[] _repos = new Repository[MaxWriters];
    private readonly CommitOptions _options = new() { Author = "bench", Message = "edit nodes" };

    /// <summary>Concurrent committers.</summary>
    [Params(1, 2, 4, 8)]
    public int Writers { get; set; }

    /// <summary>fsync the WAL before acknowledging each write (<see cref="RocksDbBackendOptions.SyncWrites"/>).</summary>
    [Params(false, true)]
    public bool SyncWrites { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _temp = new TempDirectory("concurrent-commit");
        var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = _temp.Sub("vstore"), SyncWrites = SyncWrites });
        _store = new RepositoryStore(backend, backend, new VersionStoreOptions(), ownedBackend: backend);
        for (var i = 0; i < MaxWriters; i++)
        {
            _fixtures[i] = new WorkflowFixture();
            _repos[i] = _store.GetRepository($"writer-{i}");
            _repos[i].CommitAsync("main", SnapshotChanges.FromEntries(_fixtures[i].Entries), _options).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _temp.Dispose();
    }

    /// <summary><see cref="Writers"/> threads, each committing <see cref="CommitsPerWriter"/> times to its own repository.</summary>
    [Benchmark]
    public void Commits()
    {
        var threads = new Thread[Writers];
        using var start = new ManualResetEventSlim();
        for (var w = 0; w < Writers; w++)
        {
            var (repo, fixture) = (_repos[w], _fixtures[w]);
            threads[w] = new Thread(() =>
            {
                start.Wait();
                for (var n = 0; n < CommitsPerWriter; n++)
                {
                    var changes = new SnapshotChanges();
                    foreach (var (path, content) in fixture.NextEdit()) changes.Put(path, content);
                    // The embedded store completes synchronously: no thread-pool hop, so writers block in RocksDB as callers would.
                    repo.CommitAsync("main", changes, _options).GetAwaiter().GetResult();
                }
            }) { IsBackground = true };
            threads[w].Start();
        }
        start.Set();
        foreach (var t in threads) t.Join();
    }

    private sealed class ColumnConfig : ManualConfig
    {
        public ColumnConfig() => AddColumn(new CommitsPerSecondColumn());
    }

    /// <summary>Commits per second of one invocation: Writers × <see cref="CommitsPerWriter"/> / Mean.</summary>
    private sealed class CommitsPerSecondColumn() : ComputedColumn("CommitsPerSecond", "Commits/s", ColumnCategory.Custom, 0, UnitType.Dimensionless,
        "commits per second, all writers together (Writers × CommitsPerWriter / Mean)")
    {
        protected override string Compute(BenchmarkCase benchmarkCase, BenchmarkDotNet.Mathematics.Statistics stats)
            => ((int)benchmarkCase.Parameters["Writers"] * CommitsPerWriter / (stats.Mean / 1e9)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }
}
