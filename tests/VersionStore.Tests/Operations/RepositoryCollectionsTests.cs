namespace VersionStore.Tests.Operations;

/// <summary>The libgit2sharp-style collections answer exactly what the flat verbs they forward to answer.</summary>
public sealed class RepositoryCollectionsTests
{
    private static async Task<Repository> HistoryAsync()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("support-bot");
        for (var i = 1; i <= 4; i++)
            await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", $"{{\"v\":{i}}}"), new CommitOptions { Author = "ana", Message = $"v{i}" });
        await repo.CreateTagAsync("v1.0.0", "main~2");
        await repo.Tags.AddAsync("v2.0.0", "main", actor: "bob");
        await repo.Branches.AddAsync("draft", "main~1", actor: "bob");
        return repo;
    }

    [Fact]
    public async Task Branches_tags_and_refs_enumerate_what_ListRefs_lists()
    {
        var repo = await HistoryAsync();
        Assert.Equal(["refs/heads/draft", "refs/heads/main"], await repo.Branches.Select(r => r.Name.FullName).ToListAsync());
        Assert.Equal(["refs/tags/v1.0.0", "refs/tags/v2.0.0"], await repo.Tags.Select(r => r.Name.FullName).ToListAsync());
        Assert.Equal(await repo.ListRefsAsync().ToListAsync(), await repo.Refs.ToListAsync());
        Assert.Equal(await repo.ResolveAsync("main~1"), (await repo.Branches.TryGetAsync("draft"))!.Target);
        Assert.Null(await repo.Tags.TryGetAsync("v9"));
    }

    [Fact]
    public async Task Removing_a_branch_through_the_collection_is_audited()
    {
        var repo = await HistoryAsync();
        await repo.Branches.RemoveAsync("draft", actor: "carol", reason: "merged");
        Assert.Null(await repo.Branches.TryGetAsync("draft"));
        var last = await repo.Audit.ForRefAsync(RefName.Branch("draft")).FirstAsync();
        Assert.Equal(("delete", "carol", "merged"), (last.Operation, last.Actor, last.Reason));
        Assert.True((await repo.Audit.VerifyAsync(RefName.Branch("draft"))).Intact);
    }

    [Fact]
    public async Task Commits_QueryAsync_filters_by_reachability_like_log()
    {
        var repo = await HistoryAsync();
        var filter = new LogOptions { IncludeReachableFrom = ["main"], ExcludeReachableFrom = ["v1.0.0"] };
        var queried = await repo.Commits.QueryAsync(filter).Select(c => c.Subject).ToListAsync();
        Assert.Equal(["v4", "v3"], queried);
        Assert.Equal(await repo.LogAsync(filter).Select(c => c.Id).ToListAsync(), await repo.Commits.QueryAsync(filter).Select(c => c.Id).ToListAsync());
        Assert.Equal("v2", (await repo.Commits.GetAsync("v1.0.0")).Subject);
    }

    [Fact]
    public async Task The_audit_log_enumerates_every_refs_entries()
    {
        var repo = await HistoryAsync();
        Assert.Equal(await repo.AuditAsync().CountAsync(), await repo.Audit.CountAsync());
        Assert.Contains(await repo.Audit.ToListAsync(), e => e.Ref == RefName.Tag("v2.0.0") && e.Actor == "bob");
    }
}
