namespace VersionStore;

/// <summary>A key/value line attached to a commit, such as <c>Rollback-Of</c> or <c>Reason</c>.</summary>
/// <param name="Key">The trailer key: letters, digits and '-', 1–64 characters.</param>
/// <param name="Value">The value (any text without a NUL).</param>
public sealed record Trailer(string Key, string Value);

/// <summary>
/// An immutable commit — the VersionMeta record of one version: its snapshot tree, ordered parents
/// (none for a root, two or more for a merge), author, UTC timestamp, message, trailers, and generation
/// number (1 + the largest parent generation; 1 for a root).
/// </summary>
public sealed class Commit
{
    internal Commit(ObjectId id, ObjectId tree, ObjectId[] parents, long generation, DateTimeOffset timestamp,
        string author, string message, Trailer[] trailers)
    {
        Id = id;
        Tree = tree;
        Parents = parents;
        Generation = generation;
        Timestamp = timestamp;
        Author = author;
        Message = message;
        Trailers = trailers;
    }

    /// <summary>This commit's id.</summary>
    public ObjectId Id { get; }

    /// <summary>The snapshot's root tree.</summary>
    public ObjectId Tree { get; }

    /// <summary>Ordered parents: the first is the line this commit continues.</summary>
    public IReadOnlyList<ObjectId> Parents { get; }

    /// <summary>1 + max generation of the parents (1 for a root). Any ancestor has a strictly smaller generation.</summary>
    public long Generation { get; }

    /// <summary>When the commit was made (UTC, microsecond precision).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Who made it.</summary>
    public string Author { get; }

    /// <summary>The message.</summary>
    public string Message { get; }

    /// <summary>Key/value trailers in the order given.</summary>
    public IReadOnlyList<Trailer> Trailers { get; }

    /// <summary>The value of the first trailer named <paramref name="key"/> (case-insensitive), or null.</summary>
    public string? GetTrailer(string key)
    {
        foreach (var t in Trailers)
            if (string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase)) return t.Value;
        return null;
    }

    /// <summary>The first line of the message.</summary>
    public string Subject => Message.Split('\n', 2)[0];

    /// <inheritdoc />
    public override string ToString() => $"{Id.ToString(12)} {Subject}";
}
