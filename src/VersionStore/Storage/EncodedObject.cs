namespace VersionStore;

/// <summary>An object in its canonical encoding, with its id (the SHA-256 of <see cref="Data"/>).</summary>
/// <param name="Id">The object's id.</param>
/// <param name="Data">The canonical encoding (docs/FORMAT.md).</param>
public readonly record struct EncodedObject(ObjectId Id, ReadOnlyMemory<byte> Data)
{
    /// <summary>The kind byte of the encoding.</summary>
    public ObjectKind Kind => (ObjectKind)Data.Span[1];
}
