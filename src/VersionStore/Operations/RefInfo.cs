namespace VersionStore;

/// <summary>A ref and what it points to.</summary>
/// <param name="Name">The ref.</param>
/// <param name="Target">The commit it points to.</param>
/// <param name="Sequence">Number of audit entries recorded for it.</param>
public sealed record RefInfo(RefName Name, ObjectId Target, long Sequence);

/// <summary>The result of checking a ref's audit hash chain.</summary>
/// <param name="Ref">The ref checked.</param>
/// <param name="Entries">Entries checked.</param>
/// <param name="Intact">True when the chain is complete and every hash matches.</param>
/// <param name="Problem">The first problem found, if any.</param>
public sealed record AuditVerification(RefName Ref, long Entries, bool Intact, string? Problem);

/// <summary>The result of <see cref="Repository.VerifyAsync"/> (fsck).</summary>
/// <param name="Repository">The repository checked.</param>
/// <param name="RefsChecked">Refs checked.</param>
/// <param name="ObjectsChecked">Objects read and verified against their ids.</param>
/// <param name="Problems">Every problem found (empty when healthy).</param>
public sealed record VerifyReport(RepositoryName Repository, int RefsChecked, int ObjectsChecked, IReadOnlyList<string> Problems)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsHealthy => Problems.Count == 0;
}
