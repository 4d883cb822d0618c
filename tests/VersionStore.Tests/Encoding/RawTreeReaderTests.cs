using CsCheck;
using VersionStore.Internal;

namespace VersionStore.Tests.Encoding;

/// <summary>
/// The verifier's name-free tree reader (<see cref="ObjectCodec.TryReadTreeEntries"/>) accepts every tree the encoder
/// writes, and never accepts bytes the strict decoder rejects: whatever it accepts decodes to the same entries.
/// </summary>
public sealed class RawTreeReaderTests
{
    // Names whose UTF-16 and code-point orders disagree, multi-byte, near the C1 range, and at the 255-byte limit.
    private static readonly string[] Names =
        ["a", "a-b", "b", "llm-1", "\u00A0nbsp", "\u00BFq", "\u00C2", "\uFF61", "😀", "é", "node.json", "..a", "a.", new string('x', 255), "日本語"];

    private static byte[] Encode(IEnumerable<string> names, int seed)
    {
        var rng = new Random(seed);
        var entries = names.Distinct().OrderBy(n => n, EntryNames.Comparer).Select(n =>
        {
            var id = new byte[32];
            rng.NextBytes(id);
            return new TreeEntry(n, rng.Next(2) == 0 ? ObjectKind.Blob : ObjectKind.Tree, new ObjectId(id));
        }).ToArray();
        return ObjectCodec.EncodeTree(entries);
    }

    private static void AssertSameAsDecoder(byte[] encoded)
    {
        var raw = new List<RawTreeEntry>();
        var accepted = ObjectCodec.TryReadTreeEntries(encoded, raw);
        Tree? decoded = null;
        try { decoded = ObjectCodec.DecodeTree(ObjectId.Compute(encoded), encoded); }
        catch (CorruptObjectException) { }
        catch (UnexpectedObjectKindException) { }
        if (!accepted) return; // a rejection is always re-checked by the decoder, which has the last word
        Assert.NotNull(decoded);
        Assert.Equal(decoded.Count, raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            Assert.Equal((decoded[i].Kind, decoded[i].Id), (raw[i].Kind, raw[i].Id));
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(decoded[i].Name), encoded.AsSpan(raw[i].NameStart, raw[i].NameLength).ToArray());
        }
    }

    [Fact]
    public void Every_encoded_tree_is_accepted_with_its_entries()
    {
        Gen.Int[0, Names.Length - 1].Array[0, 12].Select(Gen.Int).Sample((picks, seed) =>
        {
            var encoded = Encode(picks.Select(p => Names[p]), seed);
            var raw = new List<RawTreeEntry>();
            Assert.True(ObjectCodec.TryReadTreeEntries(encoded, raw));
            AssertSameAsDecoder(encoded);
        }, iter: 500, seed: "0Q8d6fGz3Wl1");
    }

    [Fact]
    public void Damaged_trees_are_accepted_only_where_the_decoder_accepts_them()
    {
        Gen.Int[0, Names.Length - 1].Array[1, 8].Select(Gen.Int, Gen.Int[0, 3], Gen.Byte).Sample((picks, seed, how, value) =>
        {
            var encoded = Encode(picks.Select(p => Names[p]), seed);
            var at = new Random(seed).Next(encoded.Length);
            var damaged = how switch
            {
                0 => encoded.Select((b, i) => i == at ? value : b).ToArray(),   // one byte replaced
                1 => encoded[..at],                                             // truncated
                2 => [.. encoded[..at], value, .. encoded[at..]],               // one byte inserted
                _ => [.. encoded[..at], .. encoded[Math.Min(encoded.Length, at + 1)..]], // one byte removed
            };
            AssertSameAsDecoder(damaged);
        }, iter: 20_000, seed: "0Q8d6fGz3Wl1");
    }

    [Theory]
    [InlineData(new byte[] { 0xC2, 0x85 })]        // C1 control U+0085
    [InlineData(new byte[] { 0x61, 0x00 })]        // NUL
    [InlineData(new byte[] { 0x61, 0x2F, 0x62 })]  // '/'
    [InlineData(new byte[] { 0x7F })]              // DEL
    [InlineData(new byte[] { 0x2E })]              // "."
    [InlineData(new byte[] { 0x2E, 0x2E })]        // ".."
    [InlineData(new byte[] { 0xC0, 0xAF })]        // overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]  // a surrogate code point
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
    public void Names_the_decoder_rejects_are_rejected(byte[] name)
    {
        byte[] encoded = [ObjectCodec.FormatVersion, (byte)ObjectKind.Tree, 1, (byte)name.Length, .. name, (byte)ObjectKind.Blob, .. new byte[32]];
        Assert.False(ObjectCodec.TryReadTreeEntries(encoded, []));
        Assert.ThrowsAny<VersionStoreException>(() => ObjectCodec.DecodeTree(ObjectId.Compute(encoded), encoded));
    }
}
