using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace VersionStore.Workflows.Internal;

/// <summary>YAML text to the value model (PyYAML <c>safe_load</c> typing) and back.</summary>
internal static class YamlModel
{
    public static JsonNode? Parse(string text, WorkflowCodecOptions options)
    {
        var loader = new Loader(new Parser(new StringReader(text)), options, 10_000L + 8L * text.Length);
        try
        {
            return loader.LoadSingleDocument();
        }
        catch (YamlException ex)
        {
            throw new InvalidWorkflowException($"not valid YAML ({ex.Message})", $"line {ex.Start.Line}, column {ex.Start.Column}", ex);
        }
        catch (InvalidOperationException ex) // YamlDotNet's parser on some malformed streams (found by fuzzing)
        {
            throw new InvalidWorkflowException("not valid YAML (the parser could not continue)", null, ex);
        }
    }

    /// <summary>
    /// Builds the value tree from parser events, as PyYAML's SafeLoader does: aliases repeat their anchor's value,
    /// a repeated mapping key keeps its first position and its last value, merge keys (<c>&lt;&lt;</c>) apply.
    /// Two budgets bound what aliases can expand to: nodes (proportional to the input) and bytes
    /// (<see cref="WorkflowCodecOptions.MaxExpandedBytes"/>); an alias is charged the full weight of what it repeats,
    /// before it is copied.
    /// </summary>
    private sealed class Loader(IParser parser, WorkflowCodecOptions options, long nodeBudget)
    {
        private const int NodeOverhead = 64; // about what a node costs in memory, so the budget tracks memory, not just text
        private readonly Dictionary<string, (JsonNode? Node, long Nodes, long Bytes)> _anchors = new(StringComparer.Ordinal);
        private readonly int maxDepth = options.MaxDepth;
        private long _nodes;
        private long _bytes;

        /// <summary>Charges <paramref name="nodes"/> and <paramref name="bytes"/> of expanded document, failing once either budget is spent.</summary>
        private void Charge(long nodes, long bytes, string location)
        {
            _nodes += nodes;
            _bytes += bytes;
            if (_nodes > nodeBudget || _bytes > options.MaxExpandedBytes)
                throw new InvalidWorkflowException(_bytes > options.MaxExpandedBytes
                    ? $"alias expansion makes the document larger than {options.MaxExpandedBytes} bytes (MaxExpandedBytes)"
                    : "alias expansion makes the document too large", location);
        }

        public JsonNode? LoadSingleDocument()
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) throw new InvalidWorkflowException("the text holds no YAML document");
            parser.Consume<DocumentStart>();
            var root = LoadNode("$", 0);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _)) throw new InvalidWorkflowException("the text holds more than one YAML document; a workflow export is one");
            return root;
        }

        private JsonNode? LoadNode(string location, int depth)
        {
            if (depth > maxDepth) throw new InvalidWorkflowException($"nesting deeper than {maxDepth}", location);
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    throw new InvalidWorkflowException($"alias *{alias.Value.Value} names no anchor", location);
                Charge(target.Nodes, target.Bytes, location); // before the copy
                return target.Node?.DeepClone();
            }
            var (startNodes, startBytes) = (_nodes, _bytes);
            Charge(1, NodeOverhead, location);
            JsonNode? result;
            AnchorName anchor;
            if (parser.TryConsume<Scalar>(out var s))
            {
                anchor = s.Anchor;
                var value = s.Value ?? "";
                Charge(0, value.Length, location);
                var tag = s.Tag;
                if (!tag.IsEmpty && !tag.IsNonSpecific) result = YamlScalars.ResolveTagged(tag.Value, value, location, options.MaxNumberDigits);
                else if (s.Style is ScalarStyle.Plain or ScalarStyle.Any && tag.IsEmpty) result = YamlScalars.Resolve(value, location, options.MaxNumberDigits);
                else result = JsonValue.Create(value);
            }
            else if (parser.TryConsume<SequenceStart>(out var ss))
            {
                anchor = ss.Anchor;
                CheckCollectionTag(ss.Tag, "tag:yaml.org,2002:seq", location);
                var a = new JsonArray();
                var i = 0;
                while (!parser.TryConsume<SequenceEnd>(out _)) a.Add(LoadNode($"{location}[{i++}]", depth + 1));
                result = a;
            }
            else if (parser.TryConsume<MappingStart>(out var ms))
            {
                anchor = ms.Anchor;
                CheckCollectionTag(ms.Tag, "tag:yaml.org,2002:map", location);
                result = LoadMapping(location, depth);
            }
            else
            {
                throw new InvalidWorkflowException($"unexpected YAML event {parser.Current?.GetType().Name}", location);
            }
            if (!anchor.IsEmpty) _anchors[anchor.Value] = (result?.DeepClone(), _nodes - startNodes, _bytes - startBytes);
            return result;
        }

        /// <summary>A collection may carry only its own standard tag (as PyYAML's safe loader): <c>!!python/object</c> and the like are refused.</summary>
        private static void CheckCollectionTag(TagName tag, string standard, string location)
        {
            if (!tag.IsEmpty && !tag.IsNonSpecific && tag.Value != standard) throw new InvalidWorkflowException($"unsupported YAML tag '{tag.Value}'", location);
        }

        private JsonObject LoadMapping(string location, int depth)
        {
            var order = new List<string>();
            var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            var merged = new List<KeyValuePair<string, JsonNode?>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                string key;
                var isMerge = false;
                if (parser.Current is Scalar ks)
                {
                    parser.MoveNext();
                    key = ks.Value ?? "";
                    Charge(0, key.Length, location);
                    isMerge = key == "<<" && ks.Style is ScalarStyle.Plain or ScalarStyle.Any && ks.Tag.IsEmpty;
                }
                else if (parser.Current is AnchorAlias)
                {
                    key = LoadNode(location, depth + 1) is JsonValue kv ? kv.ToJsonString() : throw new InvalidWorkflowException("a mapping key is not a scalar", location);
                }
                else throw new InvalidWorkflowException("a mapping key is not a scalar", location);

                var value = LoadNode(location + "." + key, depth + 1);
                if (isMerge)
                {
                    // YAML 1.1 merge key as PyYAML applies it: merged pairs come first, the mapping's own pairs override.
                    var sources = value is JsonArray arr ? arr.ToList() : [value];
                    sources.Reverse();
                    foreach (var src in sources)
                    {
                        if (src is not JsonObject mo) throw new InvalidWorkflowException("a merge key (<<) must name mappings", location);
                        var pairs = mo.ToList();
                        mo.Clear(); // detaches the values in one pass (removing them one by one is quadratic)
                        foreach (var p in pairs) merged.Add(new(p.Key, p.Value));
                    }
                    continue;
                }
                if (!values.ContainsKey(key)) order.Add(key);
                values[key] = value;
            }
            var o = new JsonObject();
            if (merged.Count > 0)
            {
                // As PyYAML: pairs of the last merge source first, later pairs override earlier ones, own pairs last.
                var all = new List<string>();
                var final = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                foreach (var p in merged)
                {
                    if (!final.ContainsKey(p.Key)) all.Add(p.Key);
                    final[p.Key] = p.Value;
                }
                foreach (var k in order)
                {
                    if (!final.ContainsKey(k)) all.Add(k);
                    final[k] = values[k];
                }
                foreach (var k in all) o.Add(k, final[k]);
                return o;
            }
            foreach (var k in order) o.Add(k, values[k]);
            return o;
        }
    }

    public static string Write(JsonNode? root)
    {
        var sw = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(sw, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n", false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, root, "$");
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return sw.ToString();
    }

    private static void Emit(IEmitter e, JsonNode? node, string location)
    {
        switch (node)
        {
            case null:
                e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                return;
            case JsonObject o:
                e.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                foreach (var (k, v) in o)
                {
                    EmitString(e, k, isKey: true);
                    Emit(e, v, location);
                }
                e.Emit(new MappingEnd());
                return;
            case JsonArray a:
                e.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in a) Emit(e, item, location);
                e.Emit(new SequenceEnd());
                return;
            case JsonValue v:
                var kind = JsonModel.Scalar(v, location, out var text);
                if (kind == JsonModel.ScalarKind.String)
                {
                    for (var i = 0; i < text.Length; i++)
                    {
                        if (!char.IsSurrogate(text[i])) continue;
                        if (!char.IsSurrogatePair(text, i)) throw new InvalidWorkflowException("string contains an unpaired UTF-16 surrogate", location);
                        i++;
                    }
                    EmitString(e, text, isKey: false);
                }
                else e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false));
                return;
        }
        throw new InvalidWorkflowException($"unsupported node {node.GetType().Name}", location);
    }

    private static void EmitString(IEmitter e, string s, bool isKey)
    {
        var special = false;
        foreach (var c in s)
            if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF' || char.IsSurrogate(c)) { special = true; break; }
        var plainOk = !special && YamlScalars.Classify(s) == YamlScalars.Kind.String && s.Trim() == s;
        var style = ScalarStyle.Any;
        if (!isKey && s.Contains('\n', StringComparison.Ordinal) && LiteralSafe(s)) style = ScalarStyle.Literal;
        else if (!plainOk) style = ScalarStyle.DoubleQuoted;
        e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, s, style, plainOk, true));
    }

    /// <summary>A literal block keeps text exactly only when no line carries trailing blanks and no tabs/CR/odd chars appear.</summary>
    private static bool LiteralSafe(string s)
    {
        foreach (var c in s)
            if (c is '\r' or '\t' || (char.IsControl(c) && c != '\n') || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF') return false;
        foreach (var line in s.Split('\n'))
            if (line.Length > 0 && line[^1] == ' ') return false;
        return !s.StartsWith(' ') && !s.StartsWith('\n');
    }
}
