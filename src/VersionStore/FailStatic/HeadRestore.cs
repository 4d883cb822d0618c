namespace VersionStore;

/// <summary>What <see cref="RepositoryStore.RestoreHeadsAsync"/> did with one remembered ref.</summary>
public enum HeadRestoreOutcome
{
    /// <summary>The ref store lacked the ref: the remembered state was re-published (create-if-absent), with an audit entry.</summary>
    Restored = 1,

    /// <summary>The ref store holds the remembered state or a newer one: nothing to do.</summary>
    Present = 2,

    /// <summary>
    /// The ref store holds another state of the ref (someone re-created or moved it since the loss): kept, never
    /// overwritten. Reconcile by hand (the remembered commit is still in the object store: branch or merge it).
    /// </summary>
    Kept = 3,

    /// <summary>The remembered commit is in no object tier: not re-published (a ref never points at a missing commit).</summary>
    CommitMissing = 4,
}

/// <summary>One remembered ref and what the restore did with it.</summary>
/// <param name="Repository">The repository.</param>
/// <param name="Ref">The ref.</param>
/// <param name="Remembered">The state this machine remembered (and when it saw it).</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Current">The ref store's state of the ref afterwards (null when it has none).</param>
public sealed record HeadRestoreResult(RepositoryName Repository, RefName Ref, RememberedHead Remembered, HeadRestoreOutcome Outcome, RefState? Current);

/// <summary>The outcome of <see cref="RepositoryStore.RestoreHeadsAsync"/>.</summary>
/// <param name="Refs">Every remembered ref of the repositories restored, in order of repository and ref name.</param>
/// <param name="Epoch">The store marker the ref store holds afterwards, or null when it keeps none.</param>
/// <param name="EpochWritten">True when the ref store held no marker and the restore wrote it.</param>
public sealed record HeadRestoreReport(IReadOnlyList<HeadRestoreResult> Refs, string? Epoch, bool EpochWritten)
{
    /// <summary>True when every remembered ref is in the ref store again (<see cref="HeadRestoreOutcome.Restored"/> or <see cref="HeadRestoreOutcome.Present"/>).</summary>
    public bool Complete => Refs.All(r => r.Outcome is HeadRestoreOutcome.Restored or HeadRestoreOutcome.Present);
}
