namespace VersionStore.Internal;

/// <summary>Unsigned LEB128 varints; decoding rejects non-minimal forms so that every value has one encoding.</summary>
internal static class VarInt
{
    public const int MaxSize = 10;

    public static int Size(ulong value)
    {
        var n = 1;
        while (value >= 0x80) { value >>= 7; n++; }
        return n;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int read)
    {
        value = 0;
        read = 0;
        var shift = 0;
        while (read < source.Length && read < MaxSize)
        {
            var b = source[read++];
            if (read == MaxSize && b > 1) return false; // overflow beyond 64 bits
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return !(b == 0 && read > 1); // a trailing zero byte means a longer-than-needed form
            shift += 7;
        }
        return false;
    }
}
