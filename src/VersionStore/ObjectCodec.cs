using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// The canonical, deterministic, versioned binary encoding of blobs, trees and commits, exactly as
/// specified in <c>docs/FORMAT.md</c>. An object's id is the SHA-256 of its encoding. Decoding is strict:
/// anything a correct encoder could not have produced (wrong format byte, unsorted or duplicate entries,
/// non-minimal varints, invalid UTF-8, trailing bytes) is rejected with <see cref="CorruptObjectException"/>.
/// </summary>
internal static class ObjectCodec
{
    /// <summary>The format byte written first in every object.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Bytes before an object's payload: format byte and kind byte.</summary>
    public const int HeaderSize = 2;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---------- blob ----------

    /// <summary>Encoded length of a blob with <paramref name="dataLength"/> content bytes.</summary>
    public static int GetBlobLength(int dataLength) => HeaderSize + dataLength;

    /// <summary>Writes the encoding of a blob into <paramref name="destination"/>; returns bytes written.</summary>
    public static int WriteBlob(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        destination[0] = FormatVersion;
        destination[1] = (byte)ObjectKind.Blob;
        data.CopyTo(destination[HeaderSize..]);
        return HeaderSize + data.Length;
    }

    /// <summary>Encodes a blob into a new array (the bytes a store keeps).</summary>
    public static byte[] EncodeBlob(ReadOnlySpan<byte> data)
    {
        var result = GC.AllocateUninitializedArray<byte>(GetBlobLength(data.Length));
        WriteBlob(data, result);
        return result;
    }

    /// <summary>The id a blob with this content would have, computed without heap allocation and without copying the content.</summary>
    public static ObjectId HashBlob(ReadOnlySpan<byte> data)
    {
        if (data.Length <= 1024)
        {
            Span<byte> buffer = stackalloc byte[HeaderSize + 1024];
            var length = WriteBlob(data, buffer);
            return ObjectId.Compute(buffer[..length]);
        }
        // Larger content: hash header and content in two steps instead of copying them into one buffer.
        ReadOnlySpan<byte> header = [FormatVersion, (byte)ObjectKind.Blob];
        Span<byte> id = stackalloc byte[ObjectId.Size];
        Internal.ObjectHash.Compute(header, data, id);
        return new ObjectId(id);
    }

    // ---------- tree ----------

    /// <summary>Encoded length of a tree with these (sorted) entries.</summary>
    public static int GetTreeLength(ReadOnlySpan<TreeEntry> entries)
    {
        var length = HeaderSize + VarInt.Size((ulong)entries.Length);
        foreach (var e in entries)
        {
            var n = Encoding.UTF8.GetByteCount(e.Name);
            length += VarInt.Size((ulong)n) + n + 1 + ObjectId.Size;
        }
        return length;
    }

    /// <summary>Encodes a tree. Entries must be sorted by <see cref="CompareNames"/>, unique, and validly named.</summary>
    /// <exception cref="ArgumentException">Entries unsorted, duplicated, badly named or of a kind other than blob/tree.</exception>
    public static byte[] EncodeTree(ReadOnlySpan<TreeEntry> entries)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            var problem = EntryNames.ValidateName(entries[i].Name);
            if (problem is not null) throw new ArgumentException($"Tree entry '{InvalidNameException.Sanitize(entries[i].Name)}': {problem}.", nameof(entries));
            if (entries[i].Kind is not (ObjectKind.Blob or ObjectKind.Tree)) throw new ArgumentException("A tree entry is a blob or a tree.", nameof(entries));
            if (i > 0 && EntryNames.Compare(entries[i - 1].Name, entries[i].Name) >= 0)
                throw new ArgumentException("Tree entries must be sorted by name and unique.", nameof(entries));
        }
        return EncodeValidTree(entries);
    }

    /// <summary>
    /// <see cref="EncodeTree"/> for entries the caller knows to be valid, sorted and unique (decoded from a verified
    /// tree, or named through <see cref="EntryNames.SplitPath"/> and merged in order): no per-entry re-validation,
    /// and each name is UTF-8-counted once.
    /// </summary>
    internal static byte[] EncodeValidTree(ReadOnlySpan<TreeEntry> entries)
    {
        // A valid name is at most 255 UTF-8 bytes, so one byte count per entry fits in a ushort.
        var counts = entries.Length <= 256 ? stackalloc ushort[entries.Length] : new ushort[entries.Length];
        var length = HeaderSize + VarInt.Size((ulong)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var n = Encoding.UTF8.GetByteCount(entries[i].Name);
            counts[i] = (ushort)n;
            length += (n < 0x80 ? 1 : 2) + n + 1 + ObjectId.Size;
        }
        var result = GC.AllocateUninitializedArray<byte>(length);
        var span = result.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)ObjectKind.Tree;
        var pos = HeaderSize + VarInt.Write(span[HeaderSize..], (ulong)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            pos += VarInt.Write(span[pos..], counts[i]);
            pos += Encoding.UTF8.GetBytes(e.Name, span[pos..]);
            span[pos++] = (byte)e.Kind;
            e.Id.WriteTo(span[pos..]);
            pos += ObjectId.Size;
        }
        System.Diagnostics.Debug.Assert(pos == length);
        return result;
    }

    /// <summary>The order tree entries are kept in: Unicode code point order (equal to UTF-8 byte order).</summary>
    public static int CompareNames(string a, string b) => EntryNames.Compare(a, b);

    /// <summary>Decodes a tree.</summary>
    /// <exception cref="CorruptObjectException">The bytes are not a canonical tree.</exception>
    public static Tree DecodeTree(ObjectId id, ReadOnlySpan<byte> encoded)
    {
        ExpectHeader(id, encoded, ObjectKind.Tree);
        var reader = new Reader(id, encoded[HeaderSize..]);
        var count = reader.ReadCount(encoded.Length);
        var entries = new TreeEntry[count];
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString(EntryNames.MaxNameBytes);
            var problem = EntryNames.ValidateName(name);
            if (problem is not null) throw new CorruptObjectException(id, $"tree entry {i}: {problem}");
            var kind = (ObjectKind)reader.ReadByte();
            if (kind is not (ObjectKind.Blob or ObjectKind.Tree)) throw new CorruptObjectException(id, $"tree entry '{name}' has kind byte {(byte)kind}");
            var entryId = reader.ReadId();
            if (i > 0 && EntryNames.Compare(entries[i - 1].Name, name) >= 0) throw new CorruptObjectException(id, "tree entries are not sorted and unique");
            entries[i] = new TreeEntry(name, kind, entryId);
        }
        reader.ExpectEnd();
        return new Tree(id, entries);
    }

    /// <summary>Bytes no entry name may hold: NUL and the other C0 controls, '/', DEL (the C1 controls are checked apart).</summary>
    private static readonly System.Buffers.SearchValues<byte> ForbiddenNameBytes = System.Buffers.SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, (byte)'/', 0x7F]);

    /// <summary>
    /// Reads a tree's entries without turning their names into strings, for snapshot verification (which needs each
    /// entry's kind and id, and a name only to report a failure). Accepts only what <see cref="DecodeTree"/> accepts —
    /// header, minimal varints, a count the object can hold, names of 1–255 bytes of well-formed UTF-8 with no control
    /// character, '/', '.' or '..', sorted and unique by code point (= by UTF-8 bytes), a blob or tree kind, a whole id,
    /// no trailing bytes — and returns false at the first departure, for the caller to get the exact error from
    /// <see cref="DecodeTree"/>. Appends to <paramref name="entries"/>.
    /// </summary>
    public static bool TryReadTreeEntries(ReadOnlySpan<byte> encoded, List<RawTreeEntry> entries)
    {
        if (encoded.Length < HeaderSize || encoded[0] != FormatVersion || encoded[1] != (byte)ObjectKind.Tree) return false;
        var pos = HeaderSize;
        if (!VarInt.TryRead(encoded[pos..], out var count, out var read) || count > (ulong)encoded.Length) return false;
        pos += read;
        var previous = ReadOnlySpan<byte>.Empty;
        for (ulong i = 0; i < count; i++)
        {
            if (!VarInt.TryRead(encoded[pos..], out var n, out read) || n == 0 || n > EntryNames.MaxNameBytes) return false;
            pos += read;
            if (n > (ulong)(encoded.Length - pos)) return false;
            var name = encoded.Slice(pos, (int)n);
            if (!IsValidName(name) || (i > 0 && previous.SequenceCompareTo(name) >= 0)) return false;
            var nameStart = pos;
            pos += (int)n;
            if (encoded.Length - pos < 1 + ObjectId.Size) return false;
            var kind = (ObjectKind)encoded[pos++];
            if (kind is not (ObjectKind.Blob or ObjectKind.Tree)) return false;
            entries.Add(new RawTreeEntry(nameStart, (int)n, kind, new ObjectId(encoded.Slice(pos, ObjectId.Size))));
            pos += ObjectId.Size;
            previous = name;
        }
        return pos == encoded.Length;
    }

    /// <summary><see cref="EntryNames.ValidateName"/> on the UTF-8 bytes of a name (at most 255 of them).</summary>
    private static bool IsValidName(ReadOnlySpan<byte> name)
    {
        if (name.IndexOfAny(ForbiddenNameBytes) >= 0 || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) return false;
        if (!System.Text.Unicode.Utf8.IsValid(name)) return false;
        // C1 controls U+0080–U+009F are C2 80 … C2 9F; in well-formed UTF-8, C2 is always a lead byte.
        for (var at = name.IndexOf((byte)0xC2); at >= 0; )
        {
            if (name[at + 1] <= 0x9F) return false;
            var next = name[(at + 1)..].IndexOf((byte)0xC2);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return true;
    }

    // ---------- commit ----------

    /// <summary>Encodes a commit (see docs/FORMAT.md for the field order).</summary>
    /// <exception cref="ArgumentException">A field breaks a rule (generation below 1, bad trailer key, NUL in text).</exception>
    public static byte[] EncodeCommit(ObjectId tree, ReadOnlySpan<ObjectId> parents, long generation, DateTimeOffset timestamp,
        string author, string message, IReadOnlyList<Trailer> trailers)
    {
        var length = GetCommitLength(parents.Length, generation, author, message, trailers);
        var result = GC.AllocateUninitializedArray<byte>(length);
        WriteCommitUnchecked(result, tree, parents, generation, timestamp, author, message, trailers);
        return result;
    }

    /// <summary>
    /// Writes the encoding of a commit (exactly the bytes of <see cref="EncodeCommit"/>) into <paramref name="destination"/>
    /// without heap allocation.
    /// </summary>
    /// <returns>False (and <paramref name="bytesWritten"/> 0) when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentException">A field breaks a rule (generation below 1, bad trailer key, NUL in text).</exception>
    public static bool TryWriteCommit(Span<byte> destination, ObjectId tree, ReadOnlySpan<ObjectId> parents, long generation, DateTimeOffset timestamp,
        string author, string message, IReadOnlyList<Trailer> trailers, out int bytesWritten)
    {
        var length = GetCommitLength(parents.Length, generation, author, message, trailers);
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }
        bytesWritten = WriteCommitUnchecked(destination, tree, parents, generation, timestamp, author, message, trailers);
        return true;
    }

    /// <summary>The id the commit with these fields would have, computed without heap allocation (up to 1 KiB encoded; larger commits rent a buffer).</summary>
    /// <exception cref="ArgumentException">A field breaks a rule (generation below 1, bad trailer key, NUL in text).</exception>
    public static ObjectId HashCommit(ObjectId tree, ReadOnlySpan<ObjectId> parents, long generation, DateTimeOffset timestamp,
        string author, string message, IReadOnlyList<Trailer> trailers)
    {
        var length = GetCommitLength(parents.Length, generation, author, message, trailers);
        if (length <= 1024)
        {
            Span<byte> buffer = stackalloc byte[1024];
            var written = WriteCommitUnchecked(buffer, tree, parents, generation, timestamp, author, message, trailers);
            return ObjectId.Compute(buffer[..written]);
        }
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = WriteCommitUnchecked(rented, tree, parents, generation, timestamp, author, message, trailers);
            return ObjectId.Compute(rented.AsSpan(0, written));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Validates the fields of a commit and returns its encoded length.</summary>
    private static int GetCommitLength(int parentCount, long generation, string author, string message, IReadOnlyList<Trailer> trailers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        var length = HeaderSize + ObjectId.Size + VarInt.Size((ulong)parentCount) + parentCount * ObjectId.Size
            + VarInt.Size((ulong)generation) + 8 + VarInt.Size((ulong)trailers.Count);
        length += ValidatedStringSize(author, nameof(author));
        length += ValidatedStringSize(message, nameof(message));
        for (var i = 0; i < trailers.Count; i++)
        {
            var t = trailers[i];
            ValidateTrailerKey(t.Key);
            length += StringSize(t.Key) + ValidatedStringSize(t.Value, nameof(trailers));
        }
        return length;
    }

    /// <summary>Writes a commit whose fields <see cref="GetCommitLength"/> accepted into a large enough destination.</summary>
    private static int WriteCommitUnchecked(Span<byte> span, ObjectId tree, ReadOnlySpan<ObjectId> parents, long generation, DateTimeOffset timestamp,
        string author, string message, IReadOnlyList<Trailer> trailers)
    {
        span[0] = FormatVersion;
        span[1] = (byte)ObjectKind.Commit;
        var pos = HeaderSize;
        tree.WriteTo(span[pos..]);
        pos += ObjectId.Size;
        pos += VarInt.Write(span[pos..], (ulong)parents.Length);
        foreach (var p in parents)
        {
            p.WriteTo(span[pos..]);
            pos += ObjectId.Size;
        }
        pos += VarInt.Write(span[pos..], (ulong)generation);
        BinaryPrimitives.WriteInt64LittleEndian(span[pos..], ToUnixMicroseconds(timestamp));
        pos += 8;
        pos += WriteString(span[pos..], author);
        pos += WriteString(span[pos..], message);
        pos += VarInt.Write(span[pos..], (ulong)trailers.Count);
        for (var i = 0; i < trailers.Count; i++)
        {
            var t = trailers[i];
            pos += WriteString(span[pos..], t.Key);
            pos += WriteString(span[pos..], t.Value);
        }
        return pos;
    }

    /// <summary>Decodes a commit.</summary>
    /// <exception cref="CorruptObjectException">The bytes are not a canonical commit.</exception>
    public static Commit DecodeCommit(ObjectId id, ReadOnlySpan<byte> encoded)
    {
        ExpectHeader(id, encoded, ObjectKind.Commit);
        var reader = new Reader(id, encoded[HeaderSize..]);
        var tree = reader.ReadId();
        var parentCount = reader.ReadCount(encoded.Length / ObjectId.Size);
        var parents = new ObjectId[parentCount];
        for (var i = 0; i < parentCount; i++)
        {
            parents[i] = reader.ReadId();
            // A plain loop, not Span<ObjectId>.Contains: that generic instantiation over this library's struct is not in
            // any ReadyToRun image and would JIT on the first commit a process decodes.
            for (var j = 0; j < i; j++)
                if (parents[j] == parents[i]) throw new CorruptObjectException(id, $"parent {parents[i]} is listed twice");
        }
        var rawGeneration = reader.ReadVarInt();
        if (rawGeneration is < 1 or > MaxGeneration) throw new CorruptObjectException(id, $"generation {rawGeneration} is outside 1..{MaxGeneration}");
        var generation = (long)rawGeneration;
        if (parentCount == 0 && generation != 1) throw new CorruptObjectException(id, "a root commit has generation 1");
        if (parentCount > 0 && generation < 2) throw new CorruptObjectException(id, "a commit with parents has generation at least 2");
        var micros = reader.ReadInt64();
        if (micros is < MinTimestampMicroseconds or > MaxTimestampMicroseconds)
            throw new CorruptObjectException(id, $"timestamp {micros} µs is outside the representable range (years 0001-9999)");
        var timestamp = FromUnixMicroseconds(micros);
        var author = reader.ReadString(int.MaxValue);
        var message = reader.ReadString(int.MaxValue);
        var trailerCount = reader.ReadCount(encoded.Length);
        var trailers = new Trailer[trailerCount];
        for (var i = 0; i < trailerCount; i++)
        {
            var key = reader.ReadString(64);
            var value = reader.ReadString(int.MaxValue);
            if (TrailerKeyProblem(key) is { } problem) throw new CorruptObjectException(id, problem);
            trailers[i] = new Trailer(key, value);
        }
        reader.ExpectEnd();
        return new Commit(id, tree, parents, generation, timestamp, author, message, trailers);
    }

    // ---------- common ----------

    /// <summary>Reads and checks the header; returns the kind.</summary>
    /// <exception cref="CorruptObjectException">Too short, unknown format byte or unknown kind.</exception>
    public static ObjectKind ReadKind(ObjectId id, ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < HeaderSize) throw new CorruptObjectException(id, $"{encoded.Length} bytes is shorter than the header");
        if (encoded[0] != FormatVersion) throw new CorruptObjectException(id, $"unknown format byte {encoded[0]}");
        var kind = (ObjectKind)encoded[1];
        if (kind is not (ObjectKind.Blob or ObjectKind.Tree or ObjectKind.Commit)) throw new CorruptObjectException(id, $"unknown kind byte {encoded[1]}");
        return kind;
    }

    /// <summary>Checks that <paramref name="encoded"/> hashes to <paramref name="id"/> and has a valid header.</summary>
    /// <exception cref="CorruptObjectException">It does not.</exception>
    public static ObjectKind Verify(ObjectId id, ReadOnlySpan<byte> encoded)
    {
        var actual = ObjectId.Compute(encoded);
        if (actual != id) throw new CorruptObjectException(id, $"content hashes to {actual.ToString(12)}");
        return ReadKind(id, encoded);
    }

    /// <summary>Largest generation number a commit may carry (2^62 - 1; see docs/FORMAT.md, "Limits").</summary>
    public const ulong MaxGeneration = (1UL << 62) - 1;

    /// <summary>Earliest commit timestamp, in microseconds since the Unix epoch: 0001-01-01T00:00:00Z.</summary>
    public const long MinTimestampMicroseconds = -62_135_596_800_000_000;

    /// <summary>Latest commit timestamp, in microseconds since the Unix epoch: 9999-12-31T23:59:59.999999Z.</summary>
    public const long MaxTimestampMicroseconds = 253_402_300_799_999_999;

    internal static long ToUnixMicroseconds(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static DateTimeOffset FromUnixMicroseconds(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    internal static void ValidateTrailerKey(string key)
    {
        if (TrailerKeyProblem(key) is { } problem) throw new ArgumentException(problem, nameof(key));
    }

    private static string? TrailerKeyProblem(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 64) return "a trailer key is 1–64 characters";
        foreach (var c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return $"a trailer key may contain only letters, digits and '-' ('{InvalidNameException.Sanitize(key)}')";
        return null;
    }

    /// <summary>Checks that <paramref name="text"/> may be stored (no NUL, well-formed UTF-16) and returns its encoded size (length varint + UTF-8 bytes).</summary>
    private static int ValidatedStringSize(string text, string parameter)
    {
        ArgumentNullException.ThrowIfNull(text, parameter);
        var chars = text.AsSpan();
        if (chars.Contains('\0')) throw new ArgumentException("Text may not contain NUL.", parameter);
        int n;
        // No surrogates: well-formed by construction. (Searched as ushort: the char overload allocates on .NET 10.)
        if (!MemoryMarshal.Cast<char, ushort>(chars).ContainsAnyInRange((ushort)0xD800, (ushort)0xDFFF)) n = Encoding.UTF8.GetByteCount(chars);
        else
        {
            try { n = StrictUtf8.GetByteCount(text); }
            catch (EncoderFallbackException e) { throw new ArgumentException("Text is not valid UTF-16 (lone surrogate).", parameter, e); }
        }
        return VarInt.Size((ulong)n) + n;
    }

    private static void ExpectHeader(ObjectId id, ReadOnlySpan<byte> encoded, ObjectKind expected)
    {
        var kind = ReadKind(id, encoded);
        if (kind != expected) throw new UnexpectedObjectKindException(id, expected, kind);
    }

    private static int StringSize(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        return VarInt.Size((ulong)n) + n;
    }

    private static int WriteString(Span<byte> destination, string s)
    {
        if (s.Length <= 42)
        {
            // At most 126 UTF-8 bytes: the length varint is one byte, so the text can be written first, the length after.
            var written = Encoding.UTF8.GetBytes(s, destination[1..]);
            destination[0] = (byte)written;
            return 1 + written;
        }
        var n = Encoding.UTF8.GetByteCount(s);
        var pos = VarInt.Write(destination, (ulong)n);
        return pos + Encoding.UTF8.GetBytes(s, destination[pos..]);
    }

    private ref struct Reader(ObjectId id, ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public byte ReadByte()
        {
            if (_pos >= _data.Length) throw Truncated();
            return _data[_pos++];
        }

        public ulong ReadVarInt()
        {
            if (!VarInt.TryRead(_data[_pos..], out var value, out var read)) throw new CorruptObjectException(id, "truncated or non-minimal varint");
            _pos += read;
            return value;
        }

        public int ReadCount(int max)
        {
            var n = ReadVarInt();
            if (n > (ulong)max) throw new CorruptObjectException(id, $"count {n} exceeds what the object can hold");
            return (int)n;
        }

        public long ReadInt64()
        {
            if (_data.Length - _pos < 8) throw Truncated();
            var v = BinaryPrimitives.ReadInt64LittleEndian(_data[_pos..]);
            _pos += 8;
            return v;
        }

        public ObjectId ReadId()
        {
            if (_data.Length - _pos < ObjectId.Size) throw Truncated();
            var v = new ObjectId(_data.Slice(_pos, ObjectId.Size));
            _pos += ObjectId.Size;
            return v;
        }

        public string ReadString(int maxBytes)
        {
            var n = ReadVarInt();
            if (n > (ulong)(_data.Length - _pos)) throw Truncated();
            if (n > (ulong)maxBytes) throw new CorruptObjectException(id, $"string of {n} bytes exceeds {maxBytes}");
            string s;
            try { s = StrictUtf8.GetString(_data.Slice(_pos, (int)n)); }
            catch (DecoderFallbackException e) { throw new CorruptObjectException(id, "invalid UTF-8", e); }
            if (s.Contains('\0')) throw new CorruptObjectException(id, "NUL in text");
            _pos += (int)n;
            return s;
        }

        public readonly void ExpectEnd()
        {
            if (_pos != _data.Length) throw new CorruptObjectException(id, $"{_data.Length - _pos} trailing bytes");
        }

        private readonly CorruptObjectException Truncated() => new(id, "truncated");
    }
}
