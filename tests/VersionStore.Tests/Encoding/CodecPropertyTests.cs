using CsCheck;

namespace VersionStore.Tests.Encoding;

/// <summary>Encoding laws over random objects (CsCheck, fixed seed): round trip, stable ids, strict decoding.</summary>
public sealed class CodecPropertyTests
{
    internal static readonly string Seed = new PCG(7, 20261128).ToString();

    private const string NameChars = "abcdefghijklmnopqrstuvwxyz0123456789-_.ノード节点é";

    internal static readonly Gen<string> EntryName =
        Gen.Int[0, NameChars.Length - 1].Array[1, 8].Select(ix => new string(ix.Select(i => NameChars[i]).ToArray()))
            .Where(n => n is not "." and not "..");

    private static readonly Gen<ObjectId> Id = Gen.Byte.Array[32].Select(b => new ObjectId(b));

    private static readonly Gen<TreeEntry[]> Entries =
        Gen.Select(EntryName, Gen.Bool, Id).Array[0, 30].Select(items => items
            .DistinctBy(x => x.Item1)
            .OrderBy(x => x.Item1, Comparer<string>.Create(ObjectCodec.CompareNames))
            .Select(x => new TreeEntry(x.Item1, x.Item2 ? ObjectKind.Tree : ObjectKind.Blob, x.Item3))
            .ToArray());

    private static readonly Gen<string> Text = Gen.String.Where(s => !s.Contains('\0') && IsWellFormed(s));

    [Fact]
    public void Tree_round_trips_and_its_id_is_stable()
        => Entries.Sample(entries =>
        {
            var encoded = ObjectCodec.EncodeTree(entries);
            var id = ObjectId.Compute(encoded);
            var tree = ObjectCodec.DecodeTree(id, encoded);
            Assert.Equal(entries, tree.ToArray());
            Assert.Equal(encoded, ObjectCodec.EncodeTree(tree.ToArray()));
            foreach (var e in entries) Assert.True(tree.TryGetEntry(e.Name, out var found) && found == e);
        }, seed: Seed, iter: 300, threads: 1);

    [Fact]
    public void Commit_round_trips_and_its_id_is_stable()
        => Gen.Select(Id, Id.Array[0, 4], Gen.Long[1, long.MaxValue / 2], Gen.Long[0, 4_000_000_000_000_000L], Text, Text,
                Gen.Select(EntryName.Select(n => new string(n.Where(char.IsAsciiLetterOrDigit).ToArray())).Where(n => n.Length > 0), Text).Array[0, 4])
            .Sample(x =>
            {
                var (tree, parents, generation, micros, author, message, trailerPairs) = x;
                parents = parents.Distinct().ToArray();
                var gen = parents.Length == 0 ? 1 : Math.Max(2, generation);
                var when = DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
                var trailers = trailerPairs.Select(t => new Trailer(t.Item1, t.Item2)).ToArray();
                var encoded = ObjectCodec.EncodeCommit(tree, parents, gen, when, author, message, trailers);
                var id = ObjectId.Compute(encoded);
                var c = ObjectCodec.DecodeCommit(id, encoded);
                Assert.Equal((tree, gen, when, author, message), (c.Tree, c.Generation, c.Timestamp, c.Author, c.Message));
                Assert.Equal(parents, c.Parents);
                Assert.Equal(trailers, c.Trailers);
                Assert.Equal(encoded, ObjectCodec.EncodeCommit(c.Tree, c.Parents.ToArray(), c.Generation, c.Timestamp, c.Author, c.Message, c.Trailers));
            }, seed: Seed, iter: 300, threads: 1);

    [Fact]
    public void Every_single_byte_flip_of_an_object_is_detected()
        => Gen.Select(Entries, Gen.Int[0, 10_000], Gen.Byte[1, 255]).Sample(x =>
        {
            var (entries, position, xor) = x;
            var encoded = ObjectCodec.EncodeTree(entries);
            var id = ObjectId.Compute(encoded);
            var damaged = (byte[])encoded.Clone();
            damaged[position % damaged.Length] ^= xor;
            Assert.Throws<CorruptObjectException>(() => ObjectCodec.Verify(id, damaged));
        }, seed: Seed, iter: 300, threads: 1);

    [Fact]
    public void Blob_hash_equals_hash_of_its_encoding()
        => Gen.Byte.Array[0, 3000].Sample(data =>
            Assert.Equal(ObjectId.Compute(ObjectCodec.EncodeBlob(data)), ObjectCodec.HashBlob(data)), seed: Seed, iter: 200, threads: 1);

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
