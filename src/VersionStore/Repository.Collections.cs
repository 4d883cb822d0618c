namespace VersionStore;

public sealed partial class Repository
{
    /// <summary>The repository's branches (<c>refs/heads/…</c>): enumerate, look up, create, delete.</summary>
    public BranchCollection Branches => new(this);

    /// <summary>The repository's tags (<c>refs/tags/…</c>): enumerate, look up, create (immutable unless forced), delete.</summary>
    public TagCollection Tags => new(this);

    /// <summary>Every ref of the repository (branches, tags, channels): enumerate, look up, compare-and-swap.</summary>
    public RefCollection Refs => new(this);

    /// <summary>The repository's commits, queried by reachability (<see cref="CommitCollection.QueryAsync"/>).</summary>
    public CommitCollection Commits => new(this);

    /// <summary>The repository's audit log (reflog) across refs, per ref, and its hash-chain check.</summary>
    public AuditLog Audit => new(this);
}
