using System.Buffers.Binary;
using CsCheck;

namespace VersionStore.Tests.Encoding;

/// <summary>
/// The fast encoders (commit, tree, audit entry) and the allocation-free commit writer produce exactly the bytes of a
/// plain reference encoder written from docs/FORMAT.md, over random input (CsCheck, fixed seed).
/// </summary>
public sealed class EncoderEquivalenceTests
{
    private static readonly Gen<ObjectId> Id = Gen.Byte.Array[32].Select(b => new ObjectId(b));

    // Short and long (the 42-character boundary of the one-byte length fast path), ASCII and multi-byte, surrogate pairs.
    private static readonly Gen<string> Text = Gen.OneOf(
            Gen.String,
            Gen.Char['a', 'z'].Array[0, 200].Select(c => new string(c)),
            Gen.OneOfConst("é", "ノード", "😀", "a", "\n").Array[38, 46].Select(string.Concat))
        .Where(s => !s.Contains('\0') && IsWellFormed(s));

    private static readonly Gen<Trailer[]> Trailers =
        Gen.Select(Gen.Char['a', 'z'].Array[1, 64].Select(c => new string(c)), Text).Array[0, 4].Select(t => t.Select(x => new Trailer(x.Item1, x.Item2)).ToArray());

    [Fact]
    public void EncodeCommit_TryWriteCommit_and_HashCommit_agree_with_the_reference_encoding()
        => Gen.Select(Id, Id.Array[0, 3], Gen.Long[1, long.MaxValue / 2], Gen.Long[-1_000_000_000_000L, 4_000_000_000_000_000L], Text, Text, Trailers)
            .Sample(x =>
            {
                var (tree, parents, generation, micros, author, message, trailers) = x;
                var when = DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
                var expected = ReferenceCommit(tree, parents, generation, when, author, message, trailers);

                Assert.Equal(expected, ObjectCodec.EncodeCommit(tree, parents, generation, when, author, message, trailers));

                var buffer = new byte[expected.Length + 7];
                Assert.True(ObjectCodec.TryWriteCommit(buffer, tree, parents, generation, when, author, message, trailers, out var written));
                Assert.Equal(expected, buffer[..written]);
                Assert.False(ObjectCodec.TryWriteCommit(buffer.AsSpan(0, expected.Length - 1), tree, parents, generation, when, author, message, trailers, out written));
                Assert.Equal(0, written);

                Assert.Equal(ObjectId.Compute(expected), ObjectCodec.HashCommit(tree, parents, generation, when, author, message, trailers));
            }, seed: CodecPropertyTests.Seed, iter: 400, threads: 1);

    [Fact]
    public void HashCommit_allocates_nothing()
    {
        var tree = ObjectId.Compute("tree"u8);
        ObjectId[] parents = [ObjectId.Compute("p1"u8)];
        Trailer[] trailers = [new("Reason", "model output degraded")];
        var when = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var id = default(ObjectId);
        // The runtime may allocate once while it recompiles a hot method; a per-call allocation shows in every round.
        var fewest = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) id = ObjectCodec.HashCommit(tree, parents, 42, when, "ana@example.com", "tune the LLM node prompt", trailers);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
        Assert.Equal(ObjectId.Compute(ObjectCodec.EncodeCommit(tree, parents, 42, when, "ana@example.com", "tune the LLM node prompt", trailers)), id);
    }

    [Fact]
    public void HashCommit_of_a_commit_above_one_kilobyte_matches()
    {
        var message = string.Concat(Enumerable.Repeat("ノードの説明 ", 300));
        var when = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var encoded = ObjectCodec.EncodeCommit(ObjectId.Zero, [], 1, when, "ana", message, []);
        Assert.True(encoded.Length > 1024);
        Assert.Equal(ObjectId.Compute(encoded), ObjectCodec.HashCommit(ObjectId.Zero, [], 1, when, "ana", message, []));
    }

    // Cases by number: a lone surrogate does not survive an attribute argument (stored as UTF-8).
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_commit_encoder_rejects_the_same_bad_fields(int @case)
    {
        var (author, message, trailerKey) = @case switch
        {
            0 => ("ana\0", "ok", "Reason"),
            1 => ("ana", "lone \ud800 surrogate", "Reason"),
            2 => ("ana", "ok", "bad key"),
            3 => ("ana", "ok", ""),
            _ => ("ana", "ends high \ud83d", "Reason"),
        };
        Trailer[] trailers = [new(trailerKey, "v")];
        var when = DateTimeOffset.UnixEpoch;
        var a = Assert.ThrowsAny<ArgumentException>(() => ObjectCodec.EncodeCommit(ObjectId.Zero, [], 1, when, author, message, trailers));
        var b = Assert.ThrowsAny<ArgumentException>(() => ObjectCodec.TryWriteCommit(new byte[4096], ObjectId.Zero, [], 1, when, author, message, trailers, out _));
        var c = Assert.ThrowsAny<ArgumentException>(() => ObjectCodec.HashCommit(ObjectId.Zero, [], 1, when, author, message, trailers));
        Assert.Equal(a.GetType(), b.GetType());
        Assert.Equal(a.GetType(), c.GetType());
        Assert.Equal(a.Message, c.Message);
    }

    [Fact]
    public void Generation_below_one_is_rejected_by_every_commit_encoder()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectCodec.EncodeCommit(ObjectId.Zero, [], 0, DateTimeOffset.UnixEpoch, "a", "m", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectCodec.TryWriteCommit(new byte[256], ObjectId.Zero, [], 0, DateTimeOffset.UnixEpoch, "a", "m", [], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectCodec.HashCommit(ObjectId.Zero, [], 0, DateTimeOffset.UnixEpoch, "a", "m", []));
    }

    [Fact]
    public void EncodeTree_agrees_with_the_reference_encoding()
        => Gen.Select(Gen.OneOf(CodecPropertyTests.EntryName, Gen.Char['a', 'z'].Array[120, 140].Select(c => new string(c)), Gen.Const("ノ").Array[43, 85].Select(string.Concat)),
                Gen.Bool, Id).Array[0, 40]
            .Select(items => items.DistinctBy(x => x.Item1).OrderBy(x => x.Item1, Comparer<string>.Create(ObjectCodec.CompareNames))
                .Select(x => new TreeEntry(x.Item1, x.Item2 ? ObjectKind.Tree : ObjectKind.Blob, x.Item3)).ToArray())
            .Sample(entries =>
            {
                var expected = ReferenceTree(entries);
                Assert.Equal(expected, ObjectCodec.EncodeTree(entries));
                Assert.Equal(expected.Length, ObjectCodec.GetTreeLength(entries));
            }, seed: CodecPropertyTests.Seed, iter: 300, threads: 1);

    [Fact]
    public void AuditEntry_encoding_agrees_with_the_reference_encoding()
        => Gen.Select(Gen.Long[1, long.MaxValue / 4], Id.Array[0, 2], Gen.OneOf(Text, Gen.Const("lone \udc00 low")), Text, Gen.Long[0, 4_000_000_000_000_000L], Trailers)
            .Sample(x =>
            {
                var (sequence, ids, reason, actor, micros, details) = x;
                var old = ids.Length > 0 ? ids[0] : (ObjectId?)null;
                var @new = ids.Length > 1 ? ids[1] : (ObjectId?)null;
                var when = DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
                var entry = new AuditEntry(RefName.Channel("prod"), sequence, old, @new, "rollback.revert", actor, when, reason, ObjectId.Compute("prev"u8), details);
                var expected = ReferenceAudit(entry);
                Assert.Equal(expected, entry.Encoded.ToArray());
                Assert.Equal(ObjectId.Compute(expected), entry.Hash);
            }, seed: CodecPropertyTests.Seed, iter: 300, threads: 1);

    // ---------------------------------------------------------------- reference encoders (docs/FORMAT.md, written plainly)

    private static byte[] ReferenceCommit(ObjectId tree, ObjectId[] parents, long generation, DateTimeOffset when, string author, string message, Trailer[] trailers)
    {
        var ms = new MemoryStream();
        ms.WriteByte(1);
        ms.WriteByte(3);
        ms.Write(tree.ToByteArray());
        Var(ms, (ulong)parents.Length);
        foreach (var p in parents) ms.Write(p.ToByteArray());
        Var(ms, (ulong)generation);
        var t = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(t, (when.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        ms.Write(t);
        Str(ms, author);
        Str(ms, message);
        Var(ms, (ulong)trailers.Length);
        foreach (var tr in trailers)
        {
            Str(ms, tr.Key);
            Str(ms, tr.Value);
        }
        return ms.ToArray();
    }

    private static byte[] ReferenceTree(TreeEntry[] entries)
    {
        var ms = new MemoryStream();
        ms.WriteByte(1);
        ms.WriteByte(2);
        Var(ms, (ulong)entries.Length);
        foreach (var e in entries)
        {
            Str(ms, e.Name);
            ms.WriteByte((byte)e.Kind);
            ms.Write(e.Id.ToByteArray());
        }
        return ms.ToArray();
    }

    private static byte[] ReferenceAudit(AuditEntry e)
    {
        var ms = new MemoryStream();
        ms.WriteByte(1);
        ms.WriteByte(0x41);
        Str(ms, e.Ref.FullName);
        Var(ms, (ulong)e.Sequence);
        OptionalId(ms, e.Old);
        OptionalId(ms, e.New);
        Str(ms, e.Operation);
        Str(ms, e.Actor);
        var t = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(t, (e.Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        ms.Write(t);
        Str(ms, e.Reason ?? "");
        ms.Write(e.PreviousHash.ToByteArray());
        Var(ms, (ulong)e.Details.Count);
        foreach (var d in e.Details)
        {
            Str(ms, d.Key);
            Str(ms, d.Value);
        }
        return ms.ToArray();
    }

    private static void OptionalId(Stream s, ObjectId? id)
    {
        s.WriteByte(id is null ? (byte)0 : (byte)1);
        if (id is { } v) s.Write(v.ToByteArray());
    }

    private static void Var(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static void Str(Stream s, string v)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(v);
        Var(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i])) { if (i + 1 >= s.Length || !char.IsLowSurrogate(s[++i])) return false; }
            else if (char.IsLowSurrogate(s[i])) return false;
        }
        return true;
    }
}
