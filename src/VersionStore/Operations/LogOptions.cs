namespace VersionStore;

/// <summary>The order in which <see cref="Repository.LogAsync(LogOptions, CancellationToken)"/> returns commits.</summary>
public enum LogOrder
{
    /// <summary>Children before parents, by generation number, newest generation first (default).</summary>
    Topological,
    /// <summary>Newest timestamp first, but never a parent before its child (robust to clock skew).</summary>
    Date,
}

/// <summary>A history query, in the spirit of LibGit2Sharp's <c>CommitFilter</c>.</summary>
public sealed class LogOptions
{
    /// <summary>Revisions whose ancestry is listed (default: none — give at least one).</summary>
    public IReadOnlyList<string> IncludeReachableFrom { get; init; } = [];

    /// <summary>Revisions whose ancestry is left out (the <c>a</c> of <c>a..b</c>).</summary>
    public IReadOnlyList<string> ExcludeReachableFrom { get; init; } = [];

    /// <summary>Follow only first parents.</summary>
    public bool FirstParentOnly { get; init; }

    /// <summary>Order of results.</summary>
    public LogOrder Order { get; init; } = LogOrder.Topological;

    /// <summary>Stop after this many commits.</summary>
    public int? MaxCount { get; init; }

    /// <summary>Parses <c>rev</c>, <c>a..b</c> or <c>^a b</c>-free forms used by the CLI.</summary>
    public static LogOptions FromRange(string range, bool firstParentOnly = false, int? maxCount = null)
    {
        var i = range.IndexOf("..", StringComparison.Ordinal);
        if (i < 0) return new LogOptions { IncludeReachableFrom = [range], FirstParentOnly = firstParentOnly, MaxCount = maxCount };
        var a = range[..i];
        var b = range[(i + 2)..];
        if (a.Length == 0 || b.Length == 0) throw new InvalidRequestException($"Range '{range}' needs a revision on both sides of '..'.");
        return new LogOptions { IncludeReachableFrom = [b], ExcludeReachableFrom = [a], FirstParentOnly = firstParentOnly, MaxCount = maxCount };
    }
}
