using System.Buffers.Binary;
using System.Text;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// One record of the audit log (reflog): a ref change, who made it, when and why. Entries of a ref form a
/// hash chain — each names the hash of the one before — so any edit or removal of a past entry is detected
/// by <c>Repository.VerifyAuditAsync</c>.
/// </summary>
public sealed class AuditEntry
{
    private const byte RecordMarker = 0x41; // 'A'

    /// <summary>Creates an entry and computes its hash.</summary>
    public AuditEntry(RefName @ref, long sequence, ObjectId? old, ObjectId? @new, string operation, string actor,
        DateTimeOffset time, string? reason, ObjectId previousHash, IReadOnlyList<Trailer>? details = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentNullException.ThrowIfNull(actor);
        Ref = @ref;
        Sequence = sequence;
        Old = old;
        New = @new;
        Operation = operation;
        Actor = actor;
        Time = ObjectCodec.FromUnixMicroseconds(ObjectCodec.ToUnixMicroseconds(time));
        Reason = string.IsNullOrEmpty(reason) ? null : reason;
        PreviousHash = previousHash;
        Details = details ?? [];
        foreach (var d in Details) ObjectCodec.ValidateTrailerKey(d.Key);
        Encoded = EncodeBody();
        Hash = ObjectId.Compute(Encoded.Span);
    }

    /// <summary>The ref that changed.</summary>
    public RefName Ref { get; }
    /// <summary>Position in this ref's log, from 1.</summary>
    public long Sequence { get; }
    /// <summary>Target before the change (null: the ref did not exist).</summary>
    public ObjectId? Old { get; }
    /// <summary>Target after the change (null: the ref was deleted).</summary>
    public ObjectId? New { get; }
    /// <summary>What happened: <c>commit</c>, <c>branch</c>, <c>tag</c>, <c>rollback.revert</c>, <c>rollback.reset</c>, <c>delete</c>, …</summary>
    public string Operation { get; }
    /// <summary>Who did it.</summary>
    public string Actor { get; }
    /// <summary>When (UTC, microsecond precision).</summary>
    public DateTimeOffset Time { get; }
    /// <summary>Why, when given.</summary>
    public string? Reason { get; }
    /// <summary>Hash of the previous entry of this ref (<see cref="ObjectId.Zero"/> for the first).</summary>
    public ObjectId PreviousHash { get; }
    /// <summary>Extra evidence (for example the health signals behind an automatic rollback).</summary>
    public IReadOnlyList<Trailer> Details { get; }
    /// <summary>SHA-256 of <see cref="Encoded"/>.</summary>
    public ObjectId Hash { get; }
    /// <summary>The canonical encoding a backend stores (docs/FORMAT.md, "Audit entry").</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>Decodes a stored entry and recomputes its hash.</summary>
    /// <exception cref="CorruptObjectException">The bytes are not an audit entry.</exception>
    public static AuditEntry Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (bytes.Length < 2 || bytes[0] != ObjectCodec.FormatVersion || bytes[1] != RecordMarker) throw new FormatException("bad header");
            var pos = 2;
            var refName = RefName.Parse(ReadString(bytes, ref pos));
            var seq = (long)ReadVar(bytes, ref pos);
            var old = ReadOptionalId(bytes, ref pos);
            var @new = ReadOptionalId(bytes, ref pos);
            var operation = ReadString(bytes, ref pos);
            var actor = ReadString(bytes, ref pos);
            var micros = BinaryPrimitives.ReadInt64LittleEndian(bytes[pos..]);
            pos += 8;
            var reason = ReadString(bytes, ref pos);
            var prev = new ObjectId(bytes.Slice(pos, ObjectId.Size));
            pos += ObjectId.Size;
            var n = (int)ReadVar(bytes, ref pos);
            if (n > bytes.Length) throw new FormatException("detail count");
            var details = new Trailer[n];
            for (var i = 0; i < n; i++) details[i] = new Trailer(ReadString(bytes, ref pos), ReadString(bytes, ref pos));
            if (pos != bytes.Length) throw new FormatException("trailing bytes");
            var entry = new AuditEntry(refName, seq, old, @new, operation, actor, ObjectCodec.FromUnixMicroseconds(micros), reason, prev, details);
            if (!entry.Encoded.Span.SequenceEqual(bytes)) throw new FormatException("not canonical");
            return entry;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException or VersionStoreException)
        {
            throw new CorruptObjectException(null, "stored audit entry is malformed: " + e.Message, e);
        }
    }

    private byte[] EncodeBody()
    {
        var length = 2 + StringSize(Ref.FullName) + VarInt.Size((ulong)Sequence) + OptionalIdSize(Old) + OptionalIdSize(New)
            + StringSize(Operation) + StringSize(Actor) + 8 + StringSize(Reason ?? "") + ObjectId.Size + VarInt.Size((ulong)Details.Count);
        for (var i = 0; i < Details.Count; i++) length += StringSize(Details[i].Key) + StringSize(Details[i].Value);

        var result = GC.AllocateUninitializedArray<byte>(length);
        var span = result.AsSpan();
        span[0] = ObjectCodec.FormatVersion;
        span[1] = RecordMarker;
        var pos = 2;
        pos += WriteString(span[pos..], Ref.FullName);
        pos += VarInt.Write(span[pos..], (ulong)Sequence);
        pos += WriteOptionalId(span[pos..], Old);
        pos += WriteOptionalId(span[pos..], New);
        pos += WriteString(span[pos..], Operation);
        pos += WriteString(span[pos..], Actor);
        BinaryPrimitives.WriteInt64LittleEndian(span[pos..], ObjectCodec.ToUnixMicroseconds(Time));
        pos += 8;
        pos += WriteString(span[pos..], Reason ?? "");
        PreviousHash.WriteTo(span[pos..]);
        pos += ObjectId.Size;
        pos += VarInt.Write(span[pos..], (ulong)Details.Count);
        for (var i = 0; i < Details.Count; i++)
        {
            pos += WriteString(span[pos..], Details[i].Key);
            pos += WriteString(span[pos..], Details[i].Value);
        }
        System.Diagnostics.Debug.Assert(pos == length);
        return result;
    }

    // Encoding.UTF8 (not strict): text is checked by the callers; the stored bytes must stay as they always were.
    private static int StringSize(string v)
    {
        var n = Encoding.UTF8.GetByteCount(v);
        return VarInt.Size((ulong)n) + n;
    }

    private static int WriteString(Span<byte> destination, string v)
    {
        var n = Encoding.UTF8.GetByteCount(v);
        var pos = VarInt.Write(destination, (ulong)n);
        return pos + Encoding.UTF8.GetBytes(v, destination[pos..]);
    }

    private static int OptionalIdSize(ObjectId? id) => id is null ? 1 : 1 + ObjectId.Size;

    private static int WriteOptionalId(Span<byte> destination, ObjectId? id)
    {
        if (id is not { } v)
        {
            destination[0] = 0;
            return 1;
        }
        destination[0] = 1;
        v.WriteTo(destination[1..]);
        return 1 + ObjectId.Size;
    }

    private static ulong ReadVar(ReadOnlySpan<byte> bytes, ref int pos)
    {
        if (!VarInt.TryRead(bytes[pos..], out var v, out var read)) throw new FormatException("varint");
        pos += read;
        return v;
    }

    private static string ReadString(ReadOnlySpan<byte> bytes, ref int pos)
    {
        var n = (int)ReadVar(bytes, ref pos);
        var s = Encoding.UTF8.GetString(bytes.Slice(pos, n));
        pos += n;
        return s;
    }

    private static ObjectId? ReadOptionalId(ReadOnlySpan<byte> bytes, ref int pos)
    {
        var flag = bytes[pos++];
        if (flag == 0) return null;
        if (flag != 1) throw new FormatException("flag");
        var id = new ObjectId(bytes.Slice(pos, ObjectId.Size));
        pos += ObjectId.Size;
        return id;
    }

    /// <inheritdoc />
    public override string ToString()
        => $"{Ref.ShortName}@{{{Sequence}}} {Operation} {Old?.ToString(12) ?? "(none)"} -> {New?.ToString(12) ?? "(none)"} by {Actor} at {Time:O}{(Reason is null ? "" : ": " + Reason)}";
}
