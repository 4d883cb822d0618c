namespace VersionStore.Tests.Encoding;

/// <summary>
/// Pins the canonical encoding (docs/FORMAT.md). If one of these fails, the format changed: every stored id
/// would change. Do not update a vector without bumping the format byte and writing a migration.
/// </summary>
public sealed class GoldenVectorTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Blob_vector()
    {
        var encoded = ObjectCodec.EncodeBlob("""{"type":"llm","model":"gpt-4o"}"""u8);
        Assert.Equal("0101" + Convert.ToHexStringLower("""{"type":"llm","model":"gpt-4o"}"""u8), Convert.ToHexStringLower(encoded));
        Assert.Equal(BlobId, ObjectId.Compute(encoded).ToString());
        Assert.Equal(BlobId, ObjectCodec.HashBlob("""{"type":"llm","model":"gpt-4o"}"""u8).ToString());
    }

    private const string BlobId = "6bd68007b5cd87ec6ba8f403452a13dc1a01dbc0f47f9aa964fa2471143aec48";

    [Fact]
    public void Empty_tree_vector()
    {
        var encoded = ObjectCodec.EncodeTree([]);
        Assert.Equal("010200", Convert.ToHexStringLower(encoded));
        Assert.Equal(EmptyTreeId, ObjectId.Compute(encoded).ToString());
    }

    private const string EmptyTreeId = "d7b3d4012540102c40a23acdeee417e06a42a74a5d66c7efe59f4e4aa0537c5c";

    [Fact]
    public void Tree_vector_sorts_by_code_point_and_nests()
    {
        var blob = ObjectId.Parse(BlobId);
        var sub = ObjectCodec.EncodeTree([new TreeEntry("llm", ObjectKind.Blob, blob)]);
        var subId = ObjectId.Compute(sub);
        var root = ObjectCodec.EncodeTree([new TreeEntry("edges", ObjectKind.Blob, blob), new TreeEntry("nodes", ObjectKind.Tree, subId), new TreeEntry("ノード", ObjectKind.Blob, blob)]);
        Assert.Equal("01020103" + "6c6c6d" + "01" + BlobId, Convert.ToHexStringLower(sub));
        Assert.Equal(TreeId, ObjectId.Compute(root).ToString());
        var decoded = ObjectCodec.DecodeTree(ObjectId.Compute(root), root);
        Assert.Equal(["edges", "nodes", "ノード"], decoded.Select(e => e.Name));
    }

    private const string TreeId = "0d4f115a8502da37856da31eb6f9916a13ee227d13a3ab6b3721eab76250a63e";

    [Fact]
    public void Commit_vector()
    {
        var tree = ObjectId.Parse(TreeId);
        var parent = ObjectId.Parse(BlobId);
        var encoded = ObjectCodec.EncodeCommit(tree, [parent], 2, When, "ana@example.com", "Publish v1.5.0\n\nNew model.",
            [new Trailer("Reason", "quality"), new Trailer("Rollback-Of", "none")]);
        Assert.Equal(CommitHex, Convert.ToHexStringLower(encoded));
        Assert.Equal(CommitId, ObjectId.Compute(encoded).ToString());
        var c = ObjectCodec.DecodeCommit(ObjectId.Compute(encoded), encoded);
        Assert.Equal(tree, c.Tree);
        Assert.Equal([parent], c.Parents);
        Assert.Equal(2, c.Generation);
        Assert.Equal(When, c.Timestamp);
        Assert.Equal("quality", c.GetTrailer("reason"));
        Assert.Equal("Publish v1.5.0", c.Subject);
    }

    private const string CommitHex = "01030d4f115a8502da37856da31eb6f9916a13ee227d13a3ab6b3721eab76250a63e016bd68007b5cd87ec6ba8f403452a13dc1a01dbc0f47f9aa964fa2471143aec480200d65cac335f06000f616e61406578616d706c652e636f6d1a5075626c6973682076312e352e300a0a4e6577206d6f64656c2e0206526561736f6e077175616c6974790b526f6c6c6261636b2d4f66046e6f6e65";
    private const string CommitId = "0ca29f60bce38bdcc6d1074e4e4dd7dc4a417fb491b526b2fc88e3b6be02d31f";

    [Fact]
    public void Ref_state_and_audit_entry_vectors()
    {
        var entry = new AuditEntry(RefName.Branch("main"), 1, null, ObjectId.Parse(CommitId), "commit", "ana@example.com", When, "Publish v1.5.0", ObjectId.Zero);
        Assert.Equal(AuditId, entry.Hash.ToString());
        Assert.Equal(AuditHex, Convert.ToHexStringLower(entry.Encoded.Span));
        Assert.Equal(entry.Hash, AuditEntry.Decode(entry.Encoded.Span).Hash);
        var state = new RefState(ObjectId.Parse(CommitId), 1, entry.Hash);
        Assert.Equal(state, RefState.Decode(state.Encode()));
        Assert.Equal(RefStateHex, Convert.ToHexStringLower(state.Encode()));
    }

    private const string AuditHex = "01410f726566732f68656164732f6d61696e0100010ca29f60bce38bdcc6d1074e4e4dd7dc4a417fb491b526b2fc88e3b6be02d31f06636f6d6d69740f616e61406578616d706c652e636f6d00d65cac335f06000e5075626c6973682076312e352e30000000000000000000000000000000000000000000000000000000000000000000";
    private const string RefStateHex = "01010ca29f60bce38bdcc6d1074e4e4dd7dc4a417fb491b526b2fc88e3b6be02d31f0100000000000000b7f64c4f556381ca3de4b4b84afa4c85c140916e024b7d1c86fad561ecee5f5d";
    private const string AuditId = "b7f64c4f556381ca3de4b4b84afa4c85c140916e024b7d1c86fad561ecee5f5d";
}
