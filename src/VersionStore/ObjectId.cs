using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace VersionStore;

/// <summary>
/// The identity of an immutable object: the SHA-256 of its canonical encoding (see <c>docs/FORMAT.md</c>).
/// A 32-byte value type with no heap allocation; formats as 64 lowercase hex digits.
/// </summary>
public readonly struct ObjectId : IEquatable<ObjectId>, IComparable<ObjectId>, ISpanFormattable
{
    /// <summary>Number of bytes in an id.</summary>
    public const int Size = 32;

    /// <summary>Number of hex digits in a full id.</summary>
    public const int HexLength = 64;

    /// <summary>Shortest prefix accepted when resolving an abbreviated id.</summary>
    public const int MinAbbreviationLength = 4;

    // Stored big-endian so that ordinal comparison of the fields equals byte-wise comparison.
    private readonly ulong _a, _b, _c, _d;

    /// <summary>The all-zero id; never the hash of a real object. Used as "no value" in audit records.</summary>
    public static ObjectId Zero => default;

    /// <summary>Creates an id from exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public ObjectId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new ArgumentException($"An object id is {Size} bytes; got {bytes.Length}.", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>True for <see cref="Zero"/>.</summary>
    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>Computes the id of an already-encoded object: SHA-256 of <paramref name="encodedObject"/>. Allocation-free.</summary>
    /// <remarks>
    /// On Linux the digest is taken from OpenSSL's SHA-256 functions directly where that library passes a known-answer
    /// check and is not in FIPS mode (no per-call EVP context set-up: ~0.5–1 µs less per node-sized object); otherwise
    /// by .NET's SHA-256. The id is the same either way.
    /// </remarks>
    public static ObjectId Compute(ReadOnlySpan<byte> encodedObject)
    {
        Span<byte> hash = stackalloc byte[Size];
        Internal.ObjectHash.Compute(encodedObject, hash);
        return new ObjectId(hash);
    }

    /// <summary>Writes the 32 bytes of this id to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size) throw new ArgumentException("Destination too small.", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>Returns the 32 bytes as a new array.</summary>
    public byte[] ToByteArray()
    {
        var result = new byte[Size];
        WriteTo(result);
        return result;
    }

    /// <summary>Parses 64 hex digits (either case).</summary>
    /// <exception cref="FormatException">The text is not 64 hex digits.</exception>
    public static ObjectId Parse(ReadOnlySpan<char> hex)
        => TryParse(hex, out var id) ? id : throw new FormatException($"'{hex}' is not a {HexLength}-digit hex object id.");

    /// <summary>Tries to parse 64 hex digits (either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out ObjectId id)
    {
        id = default;
        if (hex.Length != HexLength) return false;
        // Word by word through a table (Internal/IdHex): precompiled in the ReadyToRun image, where Convert's vector
        // path would JIT on a fresh process's first parse.
        ref var text = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(hex);
        if (!BitConverter.IsLittleEndian)
        {
            Span<byte> bytes = stackalloc byte[Size];
            if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
                return false;
            id = new ObjectId(bytes);
            return true;
        }
        if (!Internal.IdHex.TryReadWord(ref text, out var a)
            || !Internal.IdHex.TryReadWord(ref System.Runtime.CompilerServices.Unsafe.Add(ref text, 16), out var b)
            || !Internal.IdHex.TryReadWord(ref System.Runtime.CompilerServices.Unsafe.Add(ref text, 32), out var c)
            || !Internal.IdHex.TryReadWord(ref System.Runtime.CompilerServices.Unsafe.Add(ref text, 48), out var d))
            return false;
        id = new ObjectId(a, b, c, d);
        return true;
    }

    private ObjectId(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    /// <summary>True when <paramref name="hexPrefix"/> (any length, either case) is a prefix of this id's hex form.</summary>
    public bool StartsWith(ReadOnlySpan<char> hexPrefix)
    {
        if (hexPrefix.Length > HexLength) return false;
        Span<char> mine = stackalloc char[HexLength];
        TryFormat(mine, out _, default, null);
        return mine[..hexPrefix.Length].Equals(hexPrefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when <paramref name="text"/> is 1–64 hex digits, the form of an (abbreviated) id.</summary>
    public static bool IsHexPrefix(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > HexLength) return false;
        foreach (var c in text)
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    /// <summary>The first <paramref name="length"/> hex digits.</summary>
    public string ToString(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, HexLength);
        return ToString()[..length];
    }

    /// <summary>64 lowercase hex digits.</summary>
    public override string ToString()
    {
        // Formatted on the stack and copied: string.Create<ObjectId> is a generic instantiation over this struct that JITs
        // in a fresh process (a 128-byte copy costs less than that ever saves).
        Span<char> text = stackalloc char[HexLength];
        TryFormat(text, out _, default, null);
        return new string(text);
    }

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < HexLength) { charsWritten = 0; return false; }
        if (!BitConverter.IsLittleEndian)
        {
            Span<byte> bytes = stackalloc byte[Size];
            WriteTo(bytes);
            Convert.TryToHexStringLower(bytes, destination, out charsWritten);
            return true;
        }
        // Word by word through a table (Internal/IdHex), as in TryParse.
        ref var text = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        Internal.IdHex.WriteWord(_a, ref text);
        Internal.IdHex.WriteWord(_b, ref System.Runtime.CompilerServices.Unsafe.Add(ref text, 16));
        Internal.IdHex.WriteWord(_c, ref System.Runtime.CompilerServices.Unsafe.Add(ref text, 32));
        Internal.IdHex.WriteWord(_d, ref System.Runtime.CompilerServices.Unsafe.Add(ref text, 48));
        charsWritten = HexLength;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(ObjectId other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is ObjectId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    /// <inheritdoc />
    public int CompareTo(ObjectId other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);
    /// <summary>Inequality.</summary>
    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);
    /// <summary>Byte-wise ordering.</summary>
    public static bool operator <(ObjectId left, ObjectId right) => left.CompareTo(right) < 0;
    /// <summary>Byte-wise ordering.</summary>
    public static bool operator >(ObjectId left, ObjectId right) => left.CompareTo(right) > 0;
    /// <summary>Byte-wise ordering.</summary>
    public static bool operator <=(ObjectId left, ObjectId right) => left.CompareTo(right) <= 0;
    /// <summary>Byte-wise ordering.</summary>
    public static bool operator >=(ObjectId left, ObjectId right) => left.CompareTo(right) >= 0;
}
