using GitRepository = LibGit2Sharp.Repository;

namespace VersionStore.Benchmarks;

/// <summary>A generated history held three ways: an in-memory VersionStore, a git repository (CLI) and LibGit2Sharp.</summary>
public sealed class HistoryFixture : IDisposable
{
    private HistoryFixture(HistoryPlan plan, RepositoryStore store, VersionStore.Repository repository, ObjectId[] ids, string gitPath, string[] shas)
    {
        Plan = plan;
        Store = store;
        Repository = repository;
        Ids = ids;
        GitPath = gitPath;
        Shas = shas;
        Git = new GitRepository(gitPath);
    }

    /// <summary>The DAG.</summary>
    public HistoryPlan Plan { get; }
    /// <summary>The VersionStore store (in memory).</summary>
    public RepositoryStore Store { get; }
    /// <summary>The repository whose <c>main</c> is the tip and <c>side</c> the side commit.</summary>
    public VersionStore.Repository Repository { get; }
    /// <summary>VersionStore ids by commit index.</summary>
    public ObjectId[] Ids { get; }
    /// <summary>The git repository folder.</summary>
    public string GitPath { get; }
    /// <summary>Git SHA-1s by commit index.</summary>
    public string[] Shas { get; }
    /// <summary>The git repository opened with LibGit2Sharp.</summary>
    public GitRepository Git { get; }

    /// <summary>Generates (or, for git, loads from the cache) a history.</summary>
    public static async Task<HistoryFixture> CreateAsync(HistoryShape shape, int count)
    {
        var plan = HistoryPlan.Create(shape, count);
        var objects = new InMemoryObjectStore();
        var store = new RepositoryStore(objects, new InMemoryRefStore(), new VersionStoreOptions { DecodedObjectCacheSize = 1024 });
        var emptyTree = ObjectCodec.EncodeTree([]);
        var emptyTreeId = ObjectId.Compute(emptyTree);
        await objects.WriteAsync([new EncodedObject(emptyTreeId, emptyTree)]);
        var ids = await plan.WriteAsync(objects, _ => emptyTreeId);
        var repo = store.GetRepository("history");
        await repo.UpdateRefAsync(RefName.Branch("main"), ids[plan.Tip], null, "bench", "bench");
        await repo.UpdateRefAsync(RefName.Branch("side"), ids[plan.Side], null, "bench", "bench");
        // Load the commit graph once (a long-running process has it loaded).
        await repo.MergeBasesAsync(ids[plan.Tip], ids[plan.Side]);
        var (gitPath, shas) = plan.BuildGitRepository(BenchData.CacheDirectory);
        return new HistoryFixture(plan, store, repo, ids, gitPath, shas);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Git.Dispose();
        Store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>Keeps the most recently used histories (benchmark cases of one size run together), so each is generated once per run.</summary>
public static class HistoryFixtures
{
    private static readonly List<(HistoryShape Shape, int Count, HistoryFixture Fixture)> Cache = [];

    /// <summary>The history of this shape and size.</summary>
    public static HistoryFixture Get(HistoryShape shape, int count)
    {
        var i = Cache.FindIndex(c => c.Shape == shape && c.Count == count);
        if (i >= 0) return Cache[i].Fixture;
        if (Cache.Count >= 2)
        {
            Cache[0].Fixture.Dispose();
            Cache.RemoveAt(0);
            GC.Collect();
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        var fixture = HistoryFixture.CreateAsync(shape, count).GetAwaiter().GetResult();
        Console.WriteLine($"// history {shape} {count}: {fixture.Plan.Count} commits generated and loaded in {started.Elapsed.TotalSeconds:N1} s");
        Cache.Add((shape, count, fixture));
        return fixture;
    }
}
