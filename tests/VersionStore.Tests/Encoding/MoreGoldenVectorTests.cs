namespace VersionStore.Tests.Encoding;

/// <summary>
/// Golden vectors for the corners an independent reader gets wrong (docs/FORMAT.md, "More golden vectors"):
/// astral-plane names (code point order, not UTF-16 order), a folder beside names that extend its name (no
/// git-style trailing '/'), multi-byte varints, and an audit entry with details.
/// </summary>
public sealed class MoreGoldenVectorTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly ObjectId Blob = ObjectId.Parse("6bd68007b5cd87ec6ba8f403452a13dc1a01dbc0f47f9aa964fa2471143aec48");

    [Fact]
    public void Astral_plane_names_sort_by_code_point()
    {
        // U+FF5A (ｚ, one UTF-16 unit EF BD 9A in UTF-8) before U+1F600 (😀, a surrogate pair F0 9F 98 80):
        // UTF-16 ordinal order would put the surrogate pair first, and the encoder refuses that order.
        var encoded = ObjectCodec.EncodeTree([new TreeEntry("ｚ", ObjectKind.Blob, Blob), new TreeEntry("😀", ObjectKind.Blob, Blob)]);
        var decoded = ObjectCodec.DecodeTree(ObjectId.Compute(encoded), encoded);
        Assert.Equal(["ｚ", "😀"], decoded.Select(e => e.Name));
        Assert.Equal(AstralTreeId, ObjectId.Compute(encoded).ToString());
    }

    [Fact]
    public void A_tree_in_utf16_order_is_corrupt()
    {
        // The astral vector with its two entries swapped (UTF-16 ordinal order): the decoder must refuse it.
        var a = ObjectCodec.EncodeTree([new TreeEntry("ｚ", ObjectKind.Blob, Blob)]);
        var b = ObjectCodec.EncodeTree([new TreeEntry("😀", ObjectKind.Blob, Blob)]);
        var swapped = new byte[] { 0x01, 0x02, 0x02 }.Concat(b.AsSpan(3).ToArray()).Concat(a.AsSpan(3).ToArray()).ToArray();
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.DecodeTree(ObjectId.Compute(swapped), swapped));
    }

    private const string AstralTreeId = "1c3bc181ad53e1f10e157d741bd5779630fd537a44951576b841219d3ddcb58f";

    [Fact]
    public void A_folder_sorts_by_its_name_alone()
    {
        // bytes: "a" < "a-b" (2D) < "a.b" (2E); git would sort the folder as "a/" (2F), last.
        var sub = ObjectCodec.EncodeTree([new TreeEntry("x", ObjectKind.Blob, Blob)]);
        var encoded = ObjectCodec.EncodeTree([new TreeEntry("a", ObjectKind.Tree, ObjectId.Compute(sub)), new TreeEntry("a-b", ObjectKind.Blob, Blob), new TreeEntry("a.b", ObjectKind.Blob, Blob)]);
        var decoded = ObjectCodec.DecodeTree(ObjectId.Compute(encoded), encoded);
        Assert.Equal(["a", "a-b", "a.b"], decoded.Select(e => e.Name));
        Assert.Equal(FolderTreeId, ObjectId.Compute(encoded).ToString());
    }

    private const string FolderTreeId = "a8325e8e34a733ca58c2fb7a2a65646187e518e34a9963c3e19c5de965fa1de8";

    [Fact]
    public void Multi_byte_varints()
    {
        // generation 300 = varint AC 02; a 130-byte message = length varint 82 01.
        var parents = new[] { Blob };
        var message = new string('m', 130);
        var encoded = ObjectCodec.EncodeCommit(ObjectId.Parse("d7b3d4012540102c40a23acdeee417e06a42a74a5d66c7efe59f4e4aa0537c5c"), parents, 300, When, "ana", message, []);
        var hex = Convert.ToHexStringLower(encoded);
        Assert.Contains("ac02", hex[(2 * (2 + 32 + 1 + 32))..(2 * (2 + 32 + 1 + 32 + 2))]);
        Assert.Contains("8201" + string.Concat(Enumerable.Repeat("6d", 130)), hex);
        var c = ObjectCodec.DecodeCommit(ObjectId.Compute(encoded), encoded);
        Assert.Equal(300, c.Generation);
        Assert.Equal(message, c.Message);
        Assert.Equal(VarintCommitId, ObjectId.Compute(encoded).ToString());
    }

    private const string VarintCommitId = "b75dbb9f36fad4a0ab0c5b26a800c882468e6c3300f4894a37bd65b39e8e221c";

    [Fact]
    public void Audit_entry_with_details()
    {
        var entry = new AuditEntry(RefName.Channel("prod"), 2, Blob, ObjectId.Parse("0ca29f60bce38bdcc6d1074e4e4dd7dc4a417fb491b526b2fc88e3b6be02d31f"),
            "rollback.reset", "release-guard", When, "error rate 7%", Blob,
            [new Trailer("Trigger", "error-rate"), new Trailer("Error-Rate", "0.07")]);
        Assert.Equal(AuditHex, Convert.ToHexStringLower(entry.Encoded.Span));
        Assert.Equal(AuditId, entry.Hash.ToString());
        var decoded = AuditEntry.Decode(entry.Encoded.Span);
        Assert.Equal(["Trigger", "Error-Rate"], decoded.Details.Select(d => d.Key));
    }

    private const string AuditHex = "014112726566732f6368616e6e656c732f70726f6402016bd68007b5cd87ec6ba8f403452a13dc1a01dbc0f47f9aa964fa2471143aec48010ca29f60bce38bdcc6d1074e4e4dd7dc4a417fb491b526b2fc88e3b6be02d31f0e726f6c6c6261636b2e72657365740d72656c656173652d677561726400d65cac335f06000d6572726f7220726174652037256bd68007b5cd87ec6ba8f403452a13dc1a01dbc0f47f9aa964fa2471143aec480207547269676765720a6572726f722d726174650a4572726f722d5261746504302e3037";
    private const string AuditId = "13945ae1a7da9faa761c9cbf74036ae88849487ffcc982bd784a51e1bf099c68";
}
