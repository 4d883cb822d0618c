using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Attributes;
using LibGit2Sharp;
using GitCommit = LibGit2Sharp.Commit;

namespace VersionStore.Benchmarks;

/// <summary>
/// Full runs of the ancestry classes use 1 warmup + 5 iterations (instead of 3 + 10): LibGit2Sharp walks at 1e6
/// commits take seconds per operation (merge-base tip/side ≈ 12 s), and an iteration is then a single operation, so
/// 3 + 10 would cost minutes per case. Quick runs are unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AncestryJobAttribute() : BenchmarkDotNet.Attributes.JobMutatorConfigBaseAttribute(BenchSettings.Quick
    ? BenchmarkDotNet.Jobs.Job.Default
    : BenchmarkDotNet.Jobs.Job.Default.WithWarmupCount(1).WithIterationCount(5));

/// <summary>
/// Goal "is-ancestor": <c>IsAncestorAsync</c> on generated histories against the git CLI
/// (<c>git merge-base --is-ancestor</c>, commit-graph written; baseline) and LibGit2Sharp (merge base equals the ancestor).
/// Queries: <c>positive</c> (main-line commit halfway down, tip); <c>negative</c> (tip, that commit: cut by generation
/// numbers); <c>concurrent</c> (a commit on another line at about the same depth — branchy: a feature commit;
/// linear: the side commit forked from the root, the worst case — against the halfway commit).
/// Goal: negative ≤ 10 µs at 1M commits.
/// </summary>
[MemoryDiagnoser]
[AncestryJob]
public class IsAncestorBenchmarks
{
    private HistoryFixture _h = null!;
    private ObjectId _ancestor, _descendant;
    private string _ancestorSha = "", _descendantSha = "";
    private GitCommit _gitAncestor = null!, _gitDescendant = null!;
    private bool _expected;

    public static IEnumerable<int> Sizes => BenchSettings.AncestrySizes;

    // Priority -1: the size is the outermost loop, so each history is generated once per class (the fixture cache holds two).
    [ParamsSource(nameof(Sizes), Priority = -1)]
    public int Commits { get; set; }

    [Params(HistoryShape.Linear, HistoryShape.Branchy)]
    public HistoryShape Shape { get; set; }

    [Params("positive", "negative", "concurrent")]
    public string Query { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _h = HistoryFixtures.Get(Shape, Commits);
        var p = _h.Plan;
        (int a, int d, _expected) = Query switch
        {
            "positive" => (p.Mid, p.Tip, true),
            "negative" => (p.Tip, p.Mid, false),
            _ => (p.MidFeature, p.Mid, false),
        };
        (_ancestor, _descendant) = (_h.Ids[a], _h.Ids[d]);
        (_ancestorSha, _descendantSha) = (_h.Shas[a], _h.Shas[d]);
        _gitAncestor = _h.Git.Lookup<GitCommit>(_ancestorSha);
        _gitDescendant = _h.Git.Lookup<GitCommit>(_descendantSha);
        if (VersionStore().GetAwaiter().GetResult() != _expected || GitCli() != _expected || LibGit2Sharp() != _expected)
            throw new InvalidOperationException($"is-ancestor {Query} disagrees with the plan");
    }

    /// <summary>Peer: the git CLI with a commit-graph (process start included: that is what a caller pays).</summary>
    [Benchmark(Baseline = true)]
    public bool GitCli() => HistoryPlan.Git(_h.GitPath, true, "merge-base", "--is-ancestor", _ancestorSha, _descendantSha).ExitCode == 0;

    /// <summary>LibGit2Sharp: the ancestor is its own merge base with the descendant.</summary>
    [Benchmark]
    public bool LibGit2Sharp() => _h.Git.ObjectDatabase.FindMergeBase(_gitAncestor, _gitDescendant)?.Sha == _ancestorSha;

    /// <summary>VersionStore: <c>IsAncestorAsync</c> over the commit-graph index.</summary>
    [Benchmark]
    public Task<bool> VersionStore() => _h.Repository.IsAncestorAsync(_ancestor, _descendant);
}

/// <summary>
/// Goal "merge-base": <c>MergeBasesAsync</c> against <c>git merge-base</c> (commit-graph; baseline) and LibGit2Sharp.
/// Queries: <c>tip-side</c> (the tip and a branch forked from the root: the whole history is walked) and
/// <c>concurrent</c> (the halfway commit and a commit of another line near it).
/// Goals at 1M: ≥ 10× git, ≥ 100× LibGit2Sharp.
/// </summary>
[MemoryDiagnoser]
[AncestryJob]
public class MergeBaseBenchmarks
{
    private HistoryFixture _h = null!;
    private ObjectId _left, _right;
    private string _leftSha = "", _rightSha = "", _expectedSha = "";
    private GitCommit _gitLeft = null!, _gitRight = null!;

    public static IEnumerable<int> Sizes => BenchSettings.AncestrySizes;

    // Priority -1: the size is the outermost loop, so each history is generated once per class (the fixture cache holds two).
    [ParamsSource(nameof(Sizes), Priority = -1)]
    public int Commits { get; set; }

    [Params(HistoryShape.Linear, HistoryShape.Branchy)]
    public HistoryShape Shape { get; set; }

    [Params("tip-side", "concurrent")]
    public string Query { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _h = HistoryFixtures.Get(Shape, Commits);
        var p = _h.Plan;
        var (l, r) = Query == "tip-side" ? (p.Tip, p.Side) : (p.Mid, p.MidFeature);
        (_left, _right) = (_h.Ids[l], _h.Ids[r]);
        (_leftSha, _rightSha) = (_h.Shas[l], _h.Shas[r]);
        _gitLeft = _h.Git.Lookup<GitCommit>(_leftSha);
        _gitRight = _h.Git.Lookup<GitCommit>(_rightSha);
        _expectedSha = GitCli();
        var ours = VersionStore().GetAwaiter().GetResult();
        var expectedIndex = Array.IndexOf(_h.Shas, _expectedSha);
        if (ours.Count != 1 || ours[0] != _h.Ids[expectedIndex] || LibGit2Sharp() != _expectedSha)
            throw new InvalidOperationException($"merge-base {Query} disagrees with git");
    }

    /// <summary>Peer: <c>git merge-base</c> with a commit-graph (process start included).</summary>
    [Benchmark(Baseline = true)]
    public string GitCli() => HistoryPlan.Git(_h.GitPath, "merge-base", _leftSha, _rightSha).Trim();

    /// <summary>LibGit2Sharp <c>FindMergeBase</c>.</summary>
    [Benchmark]
    public string? LibGit2Sharp() => _h.Git.ObjectDatabase.FindMergeBase(_gitLeft, _gitRight)?.Sha;

    /// <summary>VersionStore <c>MergeBasesAsync</c>.</summary>
    [Benchmark]
    public Task<IReadOnlyList<ObjectId>> VersionStore() => _h.Repository.MergeBasesAsync(_left, _right);
}

/// <summary>
/// "log": the first 100 commits of <c>main</c> at depth 1e6 (1e5 in quick mode), linear history, against
/// <c>git log -n 100</c> (baseline) and LibGit2Sharp <c>Commits.QueryBy(...).Take(100)</c>.
/// </summary>
[MemoryDiagnoser]
[AncestryJob]
public class LogBenchmarks
{
    private HistoryFixture _h = null!;
    private readonly LogOptions _options = new() { IncludeReachableFrom = ["main"], MaxCount = 100 };

    public static IEnumerable<int> Depths => BenchSettings.Quick ? [100_000] : [1_000_000];

    [ParamsSource(nameof(Depths))]
    public int Commits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _h = HistoryFixtures.Get(HistoryShape.Linear, Commits);
        if (VersionStore().GetAwaiter().GetResult() != 100 || GitCli() != 100 || LibGit2Sharp() != 100)
            throw new InvalidOperationException("log did not return 100 commits");
    }

    /// <summary>Peer: <c>git log -n 100 --format=%H main</c>.</summary>
    [Benchmark(Baseline = true)]
    public int GitCli() => HistoryPlan.Git(_h.GitPath, "log", "-n", "100", "--format=%H", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>LibGit2Sharp, default (time) order.</summary>
    [Benchmark]
    public int LibGit2Sharp() => _h.Git.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = _h.Git.Branches["main"] }).Take(100).Count();

    /// <summary>VersionStore <c>LogAsync</c> (topological order), first 100.</summary>
    [Benchmark]
    public async Task<int> VersionStore()
    {
        var n = 0;
        await foreach (var _ in _h.Repository.LogAsync(_options)) n++;
        return n;
    }
}
