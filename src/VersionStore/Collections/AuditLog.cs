namespace VersionStore;

/// <summary>
/// The audit log (reflog) of a <see cref="Repository"/> (<see cref="Repository.Audit"/>): every ref change with its
/// actor, time, reason and details, hash-chained per ref. Enumerating yields every ref's entries.
/// </summary>
public sealed class AuditLog : IAsyncEnumerable<AuditEntry>
{
    private readonly Repository _repository;

    internal AuditLog(Repository repository) => _repository = repository;

    /// <summary>The entries of one ref, newest first (same as <see cref="Repository.AuditAsync"/>).</summary>
    public IAsyncEnumerable<AuditEntry> ForRefAsync(RefName name, CancellationToken cancellationToken = default)
        => _repository.AuditAsync(name, cancellationToken);

    /// <summary>Checks one ref's hash chain (same as <see cref="Repository.VerifyAuditAsync"/>).</summary>
    public Task<AuditVerification> VerifyAsync(RefName name, CancellationToken cancellationToken = default)
        => _repository.VerifyAuditAsync(name, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<AuditEntry> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => _repository.AuditAsync(null, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
