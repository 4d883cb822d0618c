using System.Text.Json.Nodes;
using CsCheck;
using Xunit;

namespace VersionStore.Workflows.Tests;

public sealed class PropertyTests
{
    private static readonly Gen<char> IdChar = Gen.OneOf(
        Gen.Char['a', 'z'], Gen.Char['0', '9'], Gen.Const('/'), Gen.Const('%'), Gen.Const('.'), Gen.Const('-'),
        Gen.Char['\u0000', '\u001f'], Gen.Char['\u4e00', '\u4e20'], Gen.Const('\u0085'), Gen.Const(' '));

    private static readonly Gen<string> Id = IdChar.Array[1, 12].Select(c => new string(c));

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 10],
        Gen.OneOfConst("true", "123", "1.0", "null", "~", "", " x ", "a\nb\n", "a\r\nb", "0.1.0", "yes", "2024-01-02", "- x", "\"q\"", "汉字", "\\u4e2d", "😀", "<<", "="));

    private static readonly Gen<JsonNode?> Scalar = Gen.OneOf(
        Text.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const((JsonNode?)null));

    private static readonly Gen<JsonNode?> Value = Gen.Recursive<JsonNode?>((depth, self) => depth >= 3 ? Scalar : Gen.Frequency(
        (4, Scalar),
        (1, self.List[0, 4].Select(l => (JsonNode?)new JsonArray(l.ToArray()))),
        (1, Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 6], self)[0, 4].Select(d => (JsonNode?)new JsonObject(d)))));

    private static readonly Gen<WorkflowDocument> Doc =
        Gen.Select(Id.HashSet[0, 30], Value, Gen.Int[0, 1000], (ids, extra, seed) =>
        {
            var r = new Random(seed);
            var nodes = new JsonArray();
            foreach (var id in ids.OrderBy(_ => r.Next()))
                nodes.Add(new JsonObject { ["id"] = id, ["data"] = new JsonObject { ["type"] = "llm", ["title"] = id, ["p"] = extra?.DeepClone() }, ["position"] = new JsonObject { ["x"] = r.Next(1000), ["y"] = r.NextDouble() } });
            var idList = ids.ToList();
            var edges = new JsonArray();
            for (var i = 0; i + 1 < idList.Count && i < 10; i++)
                edges.Add(new JsonObject { ["source"] = idList[i], ["target"] = idList[i + 1], ["id"] = r.Next(3) == 0 ? null : $"{idList[i]}-{idList[i + 1]}" });
            var root = new JsonObject
            {
                ["kind"] = "app",
                ["version"] = "0.1.5",
                ["workflow"] = new JsonObject { ["graph"] = new JsonObject { ["edges"] = edges, ["nodes"] = nodes, ["viewport"] = extra?.DeepClone() } },
            };
            return WorkflowDocument.Create(root);
        });

    [Fact]
    public void Entries_to_document_to_entries_is_identity()
    {
        Doc.Sample(doc =>
        {
            var entries = doc.ToEntries();
            var rebuilt = WorkflowDocument.FromEntries(entries);
            var again = rebuilt.ToEntries();
            Assert.Equal(entries.Keys, again.Keys);
            foreach (var (k, v) in entries) Assert.Equal(v, again[k]);
            Assert.Equal(Fingerprint.Bytes(doc.Root), Fingerprint.Bytes(rebuilt.Root));
            Assert.Equal(Fingerprint.Bytes(doc.Root), Fingerprint.Bytes(DifyWorkflowCodec.Parse(rebuilt.ToYaml()).Root));
        }, iter: 300);
    }

    [Fact]
    public void Every_id_round_trips_through_its_entry_name()
    {
        Id.Sample(id =>
        {
            var name = WorkflowPaths.EncodeName(id);
            Assert.Null(typeof(ObjectCodec).Assembly.GetType("VersionStore.Internal.EntryNames")!
                .GetMethod("ValidateName")!.Invoke(null, [name]));
            Assert.True(WorkflowPaths.TryDecodeName(name, out var back));
            Assert.Equal(id, back);
        }, iter: 2000);
    }
}
