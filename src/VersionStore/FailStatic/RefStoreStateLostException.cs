namespace VersionStore;

/// <summary>
/// The shared ref store (Redis) lost state this machine remembers — it was restarted without its data, flushed, restored
/// from an older backup, or replaced: its store marker (<see cref="IRefStoreEpoch"/>) is missing or different, or a head
/// remembered in the <see cref="IHeadCache"/> is missing or older there. Writes are refused (a commit would otherwise
/// start the branch over and silently drop acknowledged history); reads are served from the remembered heads, marked
/// stale. Recovery: <see cref="RepositoryStore.RestoreHeadsAsync"/> (<c>vstore restore-heads</c>) re-publishes the
/// remembered heads and re-writes the marker (docs/OPERATIONS.md, "Ref store lost its state").
/// </summary>
/// <remarks>
/// A <see cref="BackendUnavailableException"/>, so code that treats the ref store as unavailable (fail fast, fail-static
/// reads) keeps doing so; unlike an outage it does not end by itself — retrying is pointless until the heads are restored.
/// </remarks>
public sealed class RefStoreStateLostException : BackendUnavailableException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="backend">The ref store (e.g. "Redis").</param>
    /// <param name="problem">What was found lost, e.g. "ref refs/heads/main is missing there, though this machine saw it at 3f2a… (seq 4)".</param>
    /// <param name="repository">The repository of the refused operation, if any.</param>
    /// <param name="refName">The full name of the ref of the refused operation, if any.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public RefStoreStateLostException(string backend, string problem, string? repository, string? refName = null, Exception? inner = null)
        : base(backend, inner, Format(backend, problem, repository, refName))
    {
        Problem = problem;
        Repository = repository;
        Ref = refName;
    }

    /// <summary>What was found lost (the message without the advice).</summary>
    public string Problem { get; }

    private static string Format(string backend, string problem, string? repository, string? refName)
    {
        var what = refName is null ? "writing" : $"writing {refName}";
        var where = repository is null ? "" : $" of '{repository}'";
        var restore = repository is null ? "--all" : repository;
        return $"{backend} lost its state: {problem}; {what}{where} is refused so acknowledged history is not reset. "
            + $"Check {backend} (restarted without its data?), then run 'vstore restore-heads {restore}' (RepositoryStore.RestoreHeadsAsync) "
            + "on a machine that remembers the heads (docs/OPERATIONS.md, \"Ref store lost its state\").";
    }
}
