using System.Globalization;
using System.Text;

namespace VersionStore;

/// <summary>The commit-graph crash workload: commits land while the persisted commit graph is appended to.</summary>
internal static class GraphWorkload
{
    public const string Repository = "g";

    /// <summary>Commits until killed; prints "ACK step id" after each commit.</summary>
    public static async Task<int> RunAsync(string dbPath, string graphPath)
    {
        using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = dbPath });
        var options = new VersionStoreOptions { CommitGraphPath = graphPath, CommitGraphAppendBatch = 8 };
        await using var store = new RepositoryStore(backend, backend, options);
        var repository = store.GetRepository(Repository);
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        await stdout.WriteLineAsync("READY");
        var step = 0;
        if (await repository.TryResolveAsync("main") is not null)
            await foreach (var _ in repository.LogAsync("main")) step++;
        var root = step == 0 ? (ObjectId?)null : await repository.ResolveAsync("main~" + (step - 1).ToString(CultureInfo.InvariantCulture));
        while (true)
        {
            step++;
            var result = await repository.CommitAsync("main",
                new SnapshotChanges().Put("nodes/n" + (step % 50).ToString(CultureInfo.InvariantCulture), "{\"step\":" + step.ToString(CultureInfo.InvariantCulture) + "}"),
                new CommitOptions { Author = "crash", Message = "step " + step.ToString(CultureInfo.InvariantCulture) });
            if (step == 1) await repository.CreateBranchAsync("side", "main", "crash");
            if (step % 40 == 0 && root is { } r && !await repository.IsAncestorAsync(r, result.Commit.Id))
                throw new InvalidOperationException("the root is not an ancestor of the head");
            root ??= result.Commit.Id;
            await stdout.WriteLineAsync($"ACK {step} {result.Commit.Id}");
        }
    }
}
