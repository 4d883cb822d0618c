namespace VersionStore;

/// <summary>
/// Settles a conflicting entry of a three-way merge. Resolvers are chosen per entry path
/// (<see cref="MergeOptions.Resolvers"/>); built-ins are in <see cref="MergeResolvers"/>.
/// </summary>
public interface IMergeResolver
{
    /// <summary>Returns how to settle <paramref name="conflict"/>, or <see cref="MergeResolution.Unresolved"/> to leave it a conflict.</summary>
    ValueTask<MergeResolution> ResolveAsync(EntryMergeInput conflict, CancellationToken cancellationToken);
}

/// <summary>The three versions of one conflicting entry. A null id (and null content) means "absent on that side".</summary>
/// <param name="Path">Slash-separated entry path.</param>
/// <param name="Kind">Why it conflicts.</param>
/// <param name="BaseId">Blob id in the merge base.</param>
/// <param name="OursId">Blob id on our side (the branch merged into).</param>
/// <param name="TheirsId">Blob id on their side (the revision merged from).</param>
/// <param name="Base">Content in the merge base.</param>
/// <param name="Ours">Our content.</param>
/// <param name="Theirs">Their content.</param>
public sealed record EntryMergeInput(string Path, MergeConflictKind Kind, ObjectId? BaseId, ObjectId? OursId, ObjectId? TheirsId,
    ReadOnlyMemory<byte>? Base, ReadOnlyMemory<byte>? Ours, ReadOnlyMemory<byte>? Theirs);

/// <summary>How one conflicting entry was settled.</summary>
public enum MergeResolutionKind
{
    /// <summary>Not settled: the entry stays a conflict.</summary>
    Unresolved,
    /// <summary>Keep our version (absent when ours is absent).</summary>
    Ours,
    /// <summary>Take their version (absent when theirs is absent).</summary>
    Theirs,
    /// <summary>New content (see <see cref="MergeResolution.Content"/>).</summary>
    Content,
    /// <summary>Remove the entry.</summary>
    Delete,
}

/// <summary>A resolver's answer for one entry.</summary>
public readonly record struct MergeResolution(MergeResolutionKind Kind, ReadOnlyMemory<byte> Content)
{
    /// <summary>Leave the entry a conflict.</summary>
    public static MergeResolution Unresolved => new(MergeResolutionKind.Unresolved, default);

    /// <summary>Keep ours.</summary>
    public static MergeResolution TakeOurs => new(MergeResolutionKind.Ours, default);

    /// <summary>Take theirs.</summary>
    public static MergeResolution TakeTheirs => new(MergeResolutionKind.Theirs, default);

    /// <summary>Remove the entry.</summary>
    public static MergeResolution Delete => new(MergeResolutionKind.Delete, default);

    /// <summary>Write <paramref name="content"/> as the merged entry.</summary>
    public static MergeResolution WithContent(ReadOnlyMemory<byte> content) => new(MergeResolutionKind.Content, content);
}

/// <summary>Built-in resolvers.</summary>
public static class MergeResolvers
{
    /// <summary>Always keeps our version of a conflicting entry (like git's <c>-X ours</c>, per entry).</summary>
    public static IMergeResolver Ours { get; } = new Fixed(MergeResolution.TakeOurs);

    /// <summary>Always takes their version of a conflicting entry.</summary>
    public static IMergeResolver Theirs { get; } = new Fixed(MergeResolution.TakeTheirs);

    /// <summary>
    /// Merges JSON objects field by field (recursively): fields changed on one side only take that side, fields
    /// changed alike on both are fine, and a field changed differently on both sides leaves the entry a conflict.
    /// Arrays and scalars are compared whole. An entry added on both sides merges against an empty object;
    /// modify/delete and non-object JSON stay conflicts. Output is compact UTF-8 JSON in our field order, with
    /// their new fields appended.
    /// </summary>
    public static IMergeResolver Json { get; } = new Merging.JsonMergeResolver();

    /// <summary>The resolver for a CLI strategy name: <c>ours</c>, <c>theirs</c> or <c>json</c>; null otherwise.</summary>
    public static IMergeResolver? FromName(string name) => name.ToLowerInvariant() switch
    {
        "ours" => Ours,
        "theirs" => Theirs,
        "json" => Json,
        _ => null,
    };

    private sealed class Fixed(MergeResolution answer) : IMergeResolver
    {
        public ValueTask<MergeResolution> ResolveAsync(EntryMergeInput conflict, CancellationToken cancellationToken) => ValueTask.FromResult(answer);
    }
}
