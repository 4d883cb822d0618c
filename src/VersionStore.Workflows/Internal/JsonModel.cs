using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VersionStore.Workflows.Internal;

/// <summary>
/// The value model (a <see cref="JsonNode"/> tree whose numbers are <see cref="long"/>, <see cref="double"/> or,
/// beyond 64 bits, exact integer digits) and its deterministic JSON text: key order as given, no insignificant
/// whitespace, strings escaped minimally, floats always carrying a '.'.
/// </summary>
internal static class JsonModel
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 1000, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, string location, WorkflowCodecOptions options)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = Math.Max(options.MaxDepth + 2, 64) });
            using var doc = JsonDocument.ParseValue(ref reader);
            return FromElement(doc.RootElement, location, 0, options.MaxDepth, options.MaxNumberDigits);
        }
        catch (JsonException ex)
        {
            throw new InvalidWorkflowException($"not valid JSON ({ex.Message})", location, ex);
        }
        catch (InvalidOperationException ex) // a key or string holding an escaped lone surrogate ("\ud800") cannot be read as text
        {
            throw new InvalidWorkflowException("a string contains an unpaired UTF-16 surrogate", location, ex);
        }
    }

    public static JsonDocumentOptions Options => DocumentOptions;

    public static JsonNode? FromElement(JsonElement e, string location, int depth, int maxDepth, int maxDigits)
    {
        if (depth > maxDepth) throw new InvalidWorkflowException($"nesting deeper than {maxDepth}", location);
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var o = new JsonObject();
                foreach (var p in e.EnumerateObject())
                {
                    if (o.ContainsKey(p.Name)) throw new InvalidWorkflowException($"duplicate key '{YamlScalars.Short(p.Name)}'", location);
                    o.Add(p.Name, FromElement(p.Value, location, depth + 1, maxDepth, maxDigits));
                }
                return o;
            }
            case JsonValueKind.Array:
            {
                var a = new JsonArray();
                foreach (var item in e.EnumerateArray()) a.Add(FromElement(item, location, depth + 1, maxDepth, maxDigits));
                return a;
            }
            case JsonValueKind.String: return JsonValue.Create(e.GetString()!);
            case JsonValueKind.True: return JsonValue.Create(true);
            case JsonValueKind.False: return JsonValue.Create(false);
            case JsonValueKind.Null: return null;
            case JsonValueKind.Number:
            {
                var raw = e.GetRawText();
                YamlScalars.CheckNumberLength(raw, 10, maxDigits, location); // before parsing: BigInteger.Parse is quadratic
                if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
                {
                    var d = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (!double.IsFinite(d)) throw new InvalidWorkflowException($"number '{YamlScalars.Short(raw)}' is out of range", location);
                    return JsonValue.Create(d);
                }
                if (e.TryGetInt64(out var l)) return JsonValue.Create(l);
                return YamlScalars.IntegerNode(BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), location, maxDigits);
            }
            default:
                throw new InvalidWorkflowException($"unexpected JSON token {e.ValueKind}", location);
        }
    }

    /// <summary>The value kinds of the model, for writers.</summary>
    public enum ScalarKind { Null, String, Bool, Integer, Float }

    /// <summary>Classifies a scalar node and gives its canonical text (numbers) or value (strings).</summary>
    public static ScalarKind Scalar(JsonValue v, string location, out string text)
    {
        if (!v.TryGetValue<object>(out var o)) throw new InvalidWorkflowException("unreadable value", location);
        switch (o)
        {
            case string s: text = s; return ScalarKind.String;
            case bool b: text = b ? "true" : "false"; return ScalarKind.Bool;
            case long or int or short or sbyte or byte or ushort or uint or ulong or BigInteger or Int128 or UInt128:
                text = Convert.ToString(o, CultureInfo.InvariantCulture)!;
                return ScalarKind.Integer;
            case double d: text = YamlScalars.FormatFloat(d, location); return ScalarKind.Float;
            case float f: text = YamlScalars.FormatFloat(double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), location); return ScalarKind.Float;
            case Half h: text = YamlScalars.FormatFloat((double)h, location); return ScalarKind.Float;
            case decimal m:
                var ms = m.ToString(CultureInfo.InvariantCulture);
                if (ms.Contains('.', StringComparison.Ordinal)) { text = YamlScalars.FormatFloat((double)m, location); return ScalarKind.Float; }
                text = ms;
                return ScalarKind.Integer;
            case char c: text = c.ToString(); return ScalarKind.String;
            case JsonElement e:
                switch (e.ValueKind)
                {
                    case JsonValueKind.String: text = e.GetString()!; return ScalarKind.String;
                    case JsonValueKind.True: text = "true"; return ScalarKind.Bool;
                    case JsonValueKind.False: text = "false"; return ScalarKind.Bool;
                    case JsonValueKind.Null: text = "null"; return ScalarKind.Null;
                    case JsonValueKind.Number:
                        var raw = e.GetRawText();
                        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
                        {
                            text = YamlScalars.FormatFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture), location);
                            return ScalarKind.Float;
                        }
                        text = BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                        return ScalarKind.Integer;
                }
                break;
        }
        throw new InvalidWorkflowException($"unsupported value of type {o.GetType().Name}", location);
    }

    public static byte[] ToUtf8(JsonNode? node, string location, bool indented = false)
    {
        var sb = new StringBuilder();
        Write(sb, node, location, indented, 0);
        if (indented) sb.Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static void Write(StringBuilder sb, JsonNode? node, string location, bool indented, int level)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                return;
            case JsonObject o:
            {
                if (o.Count == 0) { sb.Append("{}"); return; }
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in o)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    if (indented) NewLine(sb, level + 1);
                    WriteString(sb, k, location);
                    sb.Append(indented ? ": " : ":");
                    Write(sb, v, location, indented, level + 1);
                }
                if (indented) NewLine(sb, level);
                sb.Append('}');
                return;
            }
            case JsonArray a:
            {
                if (a.Count == 0) { sb.Append("[]"); return; }
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    if (indented) NewLine(sb, level + 1);
                    Write(sb, a[i], location, indented, level + 1);
                }
                if (indented) NewLine(sb, level);
                sb.Append(']');
                return;
            }
            case JsonValue v:
                var kind = Scalar(v, location, out var text);
                if (kind == ScalarKind.String) WriteString(sb, text, location);
                else sb.Append(text);
                return;
        }
        throw new InvalidWorkflowException($"unsupported node {node.GetType().Name}", location);
    }

    private static void NewLine(StringBuilder sb, int level) => sb.Append('\n').Append(' ', level * 2);

    public static void WriteString(StringBuilder sb, string s, string location)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { sb.Append(c).Append(s[i + 1]); i++; }
                    else if (char.IsSurrogate(c)) throw new InvalidWorkflowException("string contains an unpaired UTF-16 surrogate, which UTF-8 cannot hold", location);
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
