using System.Buffers.Binary;

namespace VersionStore;

/// <summary>
/// What a ref holds: its target (null once deleted — the state is kept as a tombstone so the audit chain
/// continues), the sequence number of its newest audit entry, and that entry's hash. Comparing whole states
/// in a compare-and-swap rules out ABA races: a ref moved away and back has a different sequence.
/// </summary>
/// <param name="Target">The commit the ref points to, or null when deleted.</param>
/// <param name="Sequence">Sequence number of the newest audit entry (1 for the first).</param>
/// <param name="AuditHash">Hash of the newest audit entry.</param>
public sealed record RefState(ObjectId? Target, long Sequence, ObjectId AuditHash)
{
    /// <summary>Encoded length: format byte, flag, target, sequence, hash.</summary>
    public const int EncodedSize = 2 + ObjectId.Size + 8 + ObjectId.Size;

    /// <summary>Encodes the state for a backend to store (docs/FORMAT.md, "Ref state").</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize];
        bytes[0] = ObjectCodec.FormatVersion;
        bytes[1] = Target is null ? (byte)0 : (byte)1;
        (Target ?? ObjectId.Zero).WriteTo(bytes.AsSpan(2));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2 + ObjectId.Size), Sequence);
        AuditHash.WriteTo(bytes.AsSpan(2 + ObjectId.Size + 8));
        return bytes;
    }

    /// <summary>Decodes a stored state.</summary>
    /// <exception cref="CorruptObjectException">The bytes are not a ref state.</exception>
    public static RefState Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != EncodedSize || bytes[0] != ObjectCodec.FormatVersion || bytes[1] > 1)
            throw new CorruptObjectException(null, $"stored ref state is malformed ({bytes.Length} bytes)");
        var target = bytes[1] == 1 ? new ObjectId(bytes.Slice(2, ObjectId.Size)) : (ObjectId?)null;
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes[(2 + ObjectId.Size)..]);
        if (sequence < 1) throw new CorruptObjectException(null, "stored ref state has a sequence below 1");
        return new RefState(target, sequence, new ObjectId(bytes.Slice(2 + ObjectId.Size + 8, ObjectId.Size)));
    }
}
