namespace VersionStore;

/// <summary>Trailer keys VersionStore writes itself.</summary>
public static class WellKnownTrailers
{
    /// <summary>On a revert-mode rollback commit: the id of the commit whose snapshot was restored.</summary>
    public const string RollbackOf = "Rollback-Of";
    /// <summary>On a rollback commit: the head that was rolled back from.</summary>
    public const string RollbackFrom = "Rollback-From";
    /// <summary>The operator's reason.</summary>
    public const string Reason = "Reason";
    /// <summary>Who asked for the operation, when not the author.</summary>
    public const string Actor = "Actor";
}
