namespace VersionStore.Internal;

/// <summary>
/// One entry of an encoded tree as <see cref="ObjectCodec.TryReadTreeEntries"/> reads it: where its name lies in the
/// encoding (UTF-8, not decoded), its kind and its id.
/// </summary>
internal readonly record struct RawTreeEntry(int NameStart, int NameLength, ObjectKind Kind, ObjectId Id);
