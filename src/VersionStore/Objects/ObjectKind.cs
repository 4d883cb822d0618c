namespace VersionStore;

/// <summary>The kinds of immutable object; the value is the kind byte of the encoding (docs/FORMAT.md).</summary>
public enum ObjectKind : byte
{
    /// <summary>Opaque bytes: one snapshot entry's content (a workflow node, its edges, settings).</summary>
    Blob = 1,
    /// <summary>A sorted set of named entries, each a blob or a nested tree: a snapshot or a folder of it.</summary>
    Tree = 2,
    /// <summary>A version: tree, parents, author, time, message, trailers, generation (the VersionMeta record).</summary>
    Commit = 3,
}
