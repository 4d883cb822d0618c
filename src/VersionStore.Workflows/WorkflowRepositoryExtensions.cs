namespace VersionStore.Workflows;

/// <summary>Commit, check out and diff Dify workflows in a <see cref="Repository"/>.</summary>
public static class WorkflowRepositoryExtensions
{
    /// <summary>
    /// Commits <paramref name="document"/> as the whole snapshot of <paramref name="branch"/> (one entry per node
    /// and edge, see <see cref="WorkflowPaths"/>). Entries equal to the previous version's are shared, not stored again.
    /// </summary>
    /// <exception cref="InvalidWorkflowException">The document is invalid.</exception>
    public static Task<CommitResult> CommitWorkflowAsync(this Repository repository, string branch, WorkflowDocument document,
        CommitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(document);
        return repository.CommitAsync(branch, SnapshotChanges.FromEntries(document.ToEntries()), options, cancellationToken);
    }

    /// <summary>Reads the workflow stored at <paramref name="revision"/>.</summary>
    /// <exception cref="InvalidWorkflowException">The snapshot is not a workflow written by <see cref="CommitWorkflowAsync"/>.</exception>
    public static async Task<WorkflowDocument> CheckoutWorkflowAsync(this Repository repository, string revision,
        WorkflowCodecOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var snapshot = await repository.CheckoutAsync(revision, cancellationToken).ConfigureAwait(false);
        var entries = await snapshot.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        return WorkflowDocument.FromEntries(entries, options);
    }

    /// <summary>The node/edge/settings changes between two revisions, with node titles and types.</summary>
    public static async Task<IReadOnlyList<WorkflowChange>> DiffWorkflowAsync(this Repository repository, string from, string to,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var changes = await repository.DiffAsync(from, to, cancellationToken).ConfigureAwait(false);
        if (changes.Count == 0) return [];
        var before = await repository.CheckoutWorkflowAsync(from, null, cancellationToken).ConfigureAwait(false);
        var after = await repository.CheckoutWorkflowAsync(to, null, cancellationToken).ConfigureAwait(false);
        return WorkflowDiff.Describe(changes, before, after);
    }
}
