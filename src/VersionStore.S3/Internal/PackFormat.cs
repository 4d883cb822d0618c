namespace VersionStore.S3.Internal;

/// <summary>Constants of the pack and pack-index formats (docs/FORMAT-packs.md).</summary>
internal static class PackFormat
{
    /// <summary>"VSPK": first four bytes of a pack.</summary>
    public static ReadOnlySpan<byte> PackMagic => "VSPK"u8;

    /// <summary>"VSPX": last four bytes of a pack (end of the footer).</summary>
    public static ReadOnlySpan<byte> FooterMagic => "VSPX"u8;

    /// <summary>"VSPI": first four bytes of a pack index.</summary>
    public static ReadOnlySpan<byte> IndexMagic => "VSPI"u8;

    public const byte Version = 1;

    /// <summary>Magic (4), version (1), reserved zero (3).</summary>
    public const int PackHeaderSize = 8;

    /// <summary>Index offset u64, index length u32, magic (4).</summary>
    public const int PackFooterSize = 16;

    /// <summary>Magic (4), version (1), reserved (3), data end u64, entry count u32, reserved u32.</summary>
    public const int IndexHeaderSize = 24;

    /// <summary>Id (32), offset u64, stored length u32, length u32, codec u8.</summary>
    public const int IndexEntrySize = 32 + 8 + 4 + 4 + 1;

    /// <summary>SHA-256 of every index byte before it.</summary>
    public const int IndexTrailerSize = 32;

    public static int IndexLength(int entryCount) => IndexHeaderSize + entryCount * IndexEntrySize + IndexTrailerSize;
}

/// <summary>How one object's bytes are stored in a pack.</summary>
internal enum PackEntryCodec : byte
{
    /// <summary>The bytes as they are (used when LZ4 would not make them smaller, e.g. empty or incompressible data).</summary>
    Raw = 0,

    /// <summary>One LZ4 block (no frame), decoded length given by the index.</summary>
    Lz4Block = 1,
}

/// <summary>Where one object lives inside a pack.</summary>
/// <param name="Id">The object's id.</param>
/// <param name="Offset">Offset of the stored bytes from the start of the pack.</param>
/// <param name="StoredLength">Length of the stored (possibly compressed) bytes.</param>
/// <param name="Length">Length of the object's encoding once decoded.</param>
/// <param name="Codec">How the stored bytes are encoded.</param>
internal readonly record struct PackEntry(ObjectId Id, long Offset, int StoredLength, int Length, PackEntryCodec Codec);
