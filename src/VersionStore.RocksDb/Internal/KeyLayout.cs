using System.Buffers.Binary;
using System.Text;

namespace VersionStore.RocksDb.Internal;

/// <summary>
/// The keys of the database (docs/FORMAT-rocksdb.md). Every key derives from a validated
/// <see cref="RepositoryName"/> and <see cref="RefName"/>, neither of which can contain a 0x00 byte, so the
/// 0x00 terminator after each name makes keys unambiguous: the key space of repository <c>wf</c> is
/// <c>"wf" 00 …</c>, which no key of <c>wf-1</c> (<c>"wf-1" 00 …</c>) or <c>wf.1</c> begins with.
/// </summary>
internal static class KeyLayout
{
    /// <summary>Terminates each name in a key.</summary>
    public const byte Separator = 0x00;

    /// <summary>Key (default column family) of the layout version.</summary>
    public static readonly byte[] FormatKey = "versionstore.format"u8.ToArray();

    /// <summary>Key (default column family) of the remembered marker of the shared ref store (fail-static head cache), UTF-8.</summary>
    public static readonly byte[] RefStoreEpochKey = "versionstore.refstore-epoch"u8.ToArray();

    /// <summary>Longest remembered ref store marker, in bytes.</summary>
    public const int MaxRefStoreEpochBytes = 256;

    /// <summary>The layout version this code writes (docs/FORMAT-rocksdb.md). It also reads <see cref="LegacyFormatVersion"/>, and a
    /// read-write open of such a store upgrades it to this version before anything else is written.</summary>
    public const byte FormatVersion = 2;

    /// <summary>Layout version 1: one write-time entry per object (key = the 32 id bytes). Still read; never written.</summary>
    public const byte LegacyFormatVersion = 1;

    /// <summary>Column family of objects: key = the 32 id bytes, value = canonical encoding.</summary>
    public const string ObjectsFamily = "objects";
    /// <summary>Column family of ref states: key = repo 00 ref 00, value = <see cref="RefState.Encode"/>.</summary>
    public const string RefsFamily = "refs";
    /// <summary>Column family of audit entries: key = repo 00 ref 00 sequence (8 bytes, big-endian), value = <see cref="AuditEntry.Encoded"/>.</summary>
    public const string AuditFamily = "audit";
    /// <summary>Column family of remembered heads (fail-static cache): key = repo 00 ref 00, value = ref state + seen-at.</summary>
    public const string HeadsFamily = "heads";
    /// <summary>
    /// Column family of recent write times. Layout 2: one <em>batch record</em> per write batch, key = <see cref="WriteRecordKey"/>
    /// (16 bytes: unix microseconds, big-endian, then a disambiguator), value = the concatenated 32-byte ids of the batch's
    /// objects. Layout 1 (still read): one entry per object, key = the 32 id bytes, value = unix microseconds (8 bytes,
    /// little-endian). The key length tells the two apart. Trimmed by garbage collection; an object no entry names was
    /// written long ago.
    /// </summary>
    public const string WrittenFamily = "written";

    /// <summary>Length of a batch record's key (layout 2).</summary>
    public const int WriteRecordKeySize = 16;

    /// <summary>Length of a legacy per-object write-time key (layout 1): the object id.</summary>
    public const int LegacyWrittenKeySize = 32;

    /// <summary>Length of a legacy per-object write-time value (layout 1): int64 little-endian unix microseconds.</summary>
    public const int LegacyWrittenValueSize = 8;

    /// <summary>Most ids in one batch record; a larger batch writes several records (same time, consecutive disambiguators) in the same write batch.</summary>
    public const int MaxIdsPerWriteRecord = 4096;

    /// <summary>
    /// Writes a batch record's key: <paramref name="micros"/> (unix microseconds, ≥ 0) as 8 bytes big-endian, so records sort by
    /// time, then <paramref name="disambiguator"/> as 8 bytes big-endian, so two batches of the same microsecond never share a key.
    /// </summary>
    public static void WriteRecordKey(Span<byte> key, long micros, long disambiguator)
    {
        BinaryPrimitives.WriteInt64BigEndian(key, micros);
        BinaryPrimitives.WriteInt64BigEndian(key[8..], disambiguator);
    }

    /// <summary>The time of a batch record's key, or null when the key is not one this code writes (wrong length, negative time).</summary>
    public static long? RecordMicros(ReadOnlySpan<byte> key)
    {
        if (key.Length != WriteRecordKeySize) return null;
        var micros = BinaryPrimitives.ReadInt64BigEndian(key);
        return micros < 0 ? null : micros;
    }

    /// <summary><c>repo 00</c>: the prefix of every key of one repository.</summary>
    public static byte[] RepositoryPrefix(RepositoryName repository)
    {
        var name = Name(repository);
        var key = new byte[name.Length + 1];
        name.CopyTo(key, 0);
        return key;
    }

    /// <summary>The exclusive upper bound of <paramref name="prefix"/>'s key range (its last byte, a separator, plus one).</summary>
    public static byte[] UpperBound(byte[] prefix)
    {
        var bound = (byte[])prefix.Clone();
        bound[^1] = Separator + 1;
        return bound;
    }

    /// <summary><c>repo 00 ref 00</c>: the key of a ref state, and the prefix of its audit keys.</summary>
    public static byte[] Ref(RepositoryName repository, RefName name)
    {
        var repo = Name(repository);
        var refBytes = Name(name);
        var key = new byte[repo.Length + 1 + refBytes.Length + 1];
        repo.CopyTo(key, 0);
        refBytes.CopyTo(key, repo.Length + 1);
        return key;
    }

    /// <summary><c>repo 00 ref 00 sequence</c>, sequence big-endian so keys sort by sequence.</summary>
    public static byte[] Audit(byte[] refKey, long sequence)
    {
        var key = new byte[refKey.Length + 8];
        refKey.CopyTo(key, 0);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(refKey.Length), sequence);
        return key;
    }

    /// <summary>Reads the sequence at the end of an audit key.</summary>
    public static long AuditSequence(ReadOnlySpan<byte> auditKey) => BinaryPrimitives.ReadInt64BigEndian(auditKey[^8..]);

    /// <summary>The repository name a refs key starts with (up to its first separator), or null when malformed.</summary>
    public static string? RepositoryOf(ReadOnlySpan<byte> key)
    {
        var end = key.IndexOf(Separator);
        return end <= 0 ? null : Encoding.ASCII.GetString(key[..end]);
    }

    /// <summary>The ref name of a refs key whose repository prefix is <paramref name="prefixLength"/> bytes, or null when malformed.</summary>
    public static string? RefOf(ReadOnlySpan<byte> key, int prefixLength)
    {
        if (key.Length < prefixLength + 2 || key[^1] != Separator) return null;
        var name = key[prefixLength..^1];
        return name.IndexOf(Separator) >= 0 ? null : Encoding.UTF8.GetString(name);
    }

    private static byte[] Name(RepositoryName repository)
    {
        // default(RepositoryName) has a null value: never let it become an empty prefix that spans every repository.
        if (repository.Value is null) throw new InvalidNameException(null, "repository", "a repository name cannot be empty");
        var bytes = Encoding.ASCII.GetBytes(repository.Value);
        return bytes.AsSpan().IndexOf(Separator) >= 0 ? throw new InvalidNameException(repository.Value, "repository", "contains a NUL character") : bytes;
    }

    private static byte[] Name(RefName name)
    {
        if (name.FullName is null) throw new InvalidNameException(null, "ref", "a ref name cannot be empty");
        var bytes = Encoding.UTF8.GetBytes(name.FullName);
        return bytes.AsSpan().IndexOf(Separator) >= 0 ? throw new InvalidNameException(name.FullName, "ref", "contains a NUL character") : bytes;
    }
}
