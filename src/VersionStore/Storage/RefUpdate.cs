namespace VersionStore;

/// <summary>One compare-and-swap of a ref with the audit entry that records it.</summary>
/// <param name="Repository">The repository.</param>
/// <param name="Expected">The state the ref must hold now (null: it must never have existed).</param>
/// <param name="Entry">The audit entry to append; it names the ref and the new target.</param>
public sealed record RefUpdate(RepositoryName Repository, RefState? Expected, AuditEntry Entry)
{
    /// <summary>The ref being updated.</summary>
    public RefName Ref => Entry.Ref;

    /// <summary>The state the ref holds after the update.</summary>
    public RefState NewState => new(Entry.New, Entry.Sequence, Entry.Hash);
}
