namespace VersionStore;

/// <summary>One named entry of a <see cref="Tree"/>: a blob or a nested tree.</summary>
/// <param name="Name">The entry name: a single path component (no '/').</param>
/// <param name="Kind"><see cref="ObjectKind.Blob"/> or <see cref="ObjectKind.Tree"/>.</param>
/// <param name="Id">The id of the entry's object.</param>
public readonly record struct TreeEntry(string Name, ObjectKind Kind, ObjectId Id);
