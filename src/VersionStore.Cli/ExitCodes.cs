namespace VersionStore.Cli;

/// <summary>
/// Process exit codes of <c>vstore</c>. 0 and 1 are answers (1 = "no" for <c>is-ancestor</c> and
/// <c>merge-base</c>, like git); every failure uses a code of its own, so scripts can tell them apart.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success (or "yes").</summary>
    public const int Success = 0;

    /// <summary>A negative answer: not an ancestor, no merge base. Never an error.</summary>
    public const int No = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or conflicting arguments.</summary>
    public const int Usage = 2;

    /// <summary>Something named does not exist, or input is invalid (unknown revision, bad name, missing path, no store).</summary>
    public const int NotFoundOrInvalid = 3;

    /// <summary>A conflict: a stale expected head, a concurrent writer, an existing branch or unforced tag.</summary>
    public const int Conflict = 4;

    /// <summary>The storage backend could not be opened or failed (for example the store is locked by another process).</summary>
    public const int BackendUnavailable = 5;

    /// <summary>Stored data is corrupt or incomplete (a failed verification, a broken audit chain, a missing object).</summary>
    public const int Corrupt = 6;

    /// <summary>
    /// The shared ref store (Redis) lost state this machine remembers (restarted without its data): writes are refused
    /// until <c>vstore restore-heads</c> (docs/OPERATIONS.md, "Ref store lost its state"); retrying does not help.
    /// </summary>
    public const int RefStoreStateLost = 7;

    /// <summary>An unexpected internal error (a bug); the message says what happened.</summary>
    public const int InternalError = 70;

    /// <summary>Cancelled (Ctrl-C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
