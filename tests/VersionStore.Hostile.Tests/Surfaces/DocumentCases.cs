using System.Text;
using VersionStore.Workflows;

namespace VersionStore.Hostile.Tests.Surfaces;

/// <summary>Crafted Dify documents (YAML and JSON): each is read or refused with a typed error, within 10 s and 256 MiB.</summary>
public sealed class DocumentCases(ITestOutputHelper log)
{
    private static string Wrap(string nodeData) => RegressionTests.NodeField(nodeData);

    private static string Laughs(int levels, int fanout)
    {
        var sb = new StringBuilder("app: {name: l, mode: workflow}\nl0: &l0 \"lol\"\n");
        for (var i = 1; i <= levels; i++) sb.Append($"l{i}: &l{i} [{string.Join(",", Enumerable.Repeat($"*l{i - 1}", fanout))}]\n");
        return sb.Append($"workflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n        data: {{v: *l{levels}}}\n").ToString();
    }

    public static TheoryData<string, string> Cases => new()
    {
        { "billion laughs 9x9", Laughs(9, 9) },
        { "laughs 30x2", Laughs(30, 2) },
        { "1 MiB string x 200 aliases", RegressionTests.AliasBomb(1 << 20, 200) },
        { "4 MiB string x 2000 aliases", RegressionTests.AliasBomb(4 << 20, 2000) },
        { "merge-key bomb", "app: {name: m}\nbase: &b {" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"k{i}: {i}")) + "}\nworkflow:\n  graph:\n    edges: []\n    nodes:\n"
            + string.Concat(Enumerable.Range(0, 3000).Select(i => $"      - id: n{i}\n        data: {{<<: [*b, *b, *b]}}\n")) },
        { "alias to an undefined anchor", Wrap("*nowhere") },
        { "self-referencing anchor", "a: &a [*a]\n" },
        { "10,000 nested sequences", Wrap(new string('[', 10_000) + new string(']', 10_000)) },
        { "10,000 nested flow mappings", Wrap(string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "1" + new string('}', 10_000)) },
        { "JSON nested 100,000 deep", "{\"app\":" + string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_001) },
        { "1,000,000-digit integer", Wrap(new string('7', 1_000_000)) },
        { "hex integer 1,000,000 digits", Wrap("0x" + new string('f', 1_000_000)) },
        { "sexagesimal 200,000 parts", Wrap("1" + string.Concat(Enumerable.Repeat(":59", 200_000))) },
        { "underscored integer", Wrap("1" + string.Concat(Enumerable.Repeat("_000", 300_000))) },
        { "float with 1,000,000 digits", Wrap("1." + new string('3', 1_000_000)) },
        { "float exponent out of range", Wrap("1.0e+999999") },
        { "JSON 1,000,000-digit number", "{\"workflow\":{\"graph\":{\"nodes\":[{\"id\":\"a\",\"data\":{\"v\":" + new string('1', 1_000_000) + "}}],\"edges\":[]}}}" },
        { "JSON number 1e400", "{\"workflow\":{\"graph\":{\"nodes\":[{\"id\":\"a\",\"data\":{\"v\":1e400}}],\"edges\":[]}}}" },
        { "17 MiB input", Wrap("\"" + new string('x', 17 << 20) + "\"") },
        { "8 MiB mapping key", "app: {name: k}\n" + new string('k', 8 << 20) + ": 1\n" },
        { "50,000 nodes", "app: {name: many}\nworkflow:\n  graph:\n    edges: []\n    nodes:\n" + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"      - id: n{i}\n")) },
        { "python tag on a sequence", "x: !!python/object/apply:os.system [\"id\"]\n" },
        { "duplicate node ids", "workflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n      - id: a\n" },
        { "JSON duplicate keys", "{\"workflow\":{\"graph\":{\"nodes\":[],\"edges\":[]}},\"workflow\":1}" },
        { "python object tag", Wrap("!!python/object/apply:os.system [\"id\"]") },
        { "unknown local tag", Wrap("!custom 1") },
        { "two documents", Wrap("1") + "---\nother: 1\n" },
        { "NUL characters", Wrap("\"a\\0b\"") + "\0\0" },
        { "unpaired surrogate in JSON", "{\"workflow\":{\"graph\":{\"nodes\":[{\"id\":\"\\ud800\"}],\"edges\":[]}}}" },
        { "data envelope holding an alias bomb", "{\"data\": " + System.Text.Json.JsonSerializer.Serialize(RegressionTests.AliasBomb(1 << 20, 100)) + "}" },
        { "data envelope inside an envelope", "{\"data\": \"{\\\"data\\\": \\\"x\\\"}\"}" },
        { "empty text", "" },
        { "only a comment", "# nothing\n" },
        { "scalar document", "42" },
        { "node id that is a mapping", "workflow:\n  graph:\n    edges: []\n    nodes:\n      - id: {a: 1}\n" },
        { "edge without source", "workflow:\n  graph:\n    nodes: [{id: a}]\n    edges: [{target: a}]\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Is_read_or_refused_with_a_typed_error_within_bounds(string name, string text)
    {
        string outcome = "read";
        var cost = await Bounded.Run(name, () =>
        {
            try
            {
                DifyWorkflowCodec.Parse(Encoding.UTF8.GetBytes(text)).ToEntries();
            }
            catch (Exception e) when (e is InvalidWorkflowException or PayloadTooLargeException)
            {
                outcome = "refused: " + e.Message[..Math.Min(e.Message.Length, 100)];
            }
        }, TimeSpan.FromSeconds(10), 256L << 20);
        log.WriteLine($"{name}: {outcome} ({cost})");
    }
}
