using System.Text.Json;
using System.Text.Json.Nodes;

namespace VersionStore.Merging;

/// <summary>Structural three-way merge of JSON objects (see <see cref="MergeResolvers.Json"/>).</summary>
internal sealed class JsonMergeResolver : IMergeResolver
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    public ValueTask<MergeResolution> ResolveAsync(EntryMergeInput conflict, CancellationToken cancellationToken)
    {
        if (conflict.Ours is not { } oursBytes || conflict.Theirs is not { } theirsBytes) return ValueTask.FromResult(MergeResolution.Unresolved);
        if (Parse(oursBytes) is not JsonObject ours || Parse(theirsBytes) is not JsonObject theirs) return ValueTask.FromResult(MergeResolution.Unresolved);
        JsonObject? @base;
        if (conflict.Base is { } baseBytes)
        {
            @base = Parse(baseBytes) as JsonObject;
            if (@base is null) return ValueTask.FromResult(MergeResolution.Unresolved);
        }
        else @base = [];
        var merged = Merge(@base, ours, theirs);
        return ValueTask.FromResult(merged is null
            ? MergeResolution.Unresolved
            : MergeResolution.WithContent(ToUtf8(merged)));
    }

    /// <summary>Compact UTF-8 JSON with the default encoder (what the serializer writes), without reflection.</summary>
    private static byte[] ToUtf8(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) node.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }

    private static JsonNode? Parse(ReadOnlyMemory<byte> bytes)
    {
        try { return JsonNode.Parse(bytes.Span, NodeOptions, DocumentOptions); }
        catch (JsonException) { return null; }
    }

    /// <summary>The merged object, or null when a field conflicts.</summary>
    internal static JsonObject? Merge(JsonObject @base, JsonObject ours, JsonObject theirs)
    {
        var result = new JsonObject();
        var keys = new List<string>();
        foreach (var (k, _) in ours) keys.Add(k);
        foreach (var (k, _) in theirs) if (!ours.ContainsKey(k)) keys.Add(k);
        foreach (var (k, _) in @base) if (!ours.ContainsKey(k) && !theirs.ContainsKey(k)) keys.Add(k);
        foreach (var key in keys)
        {
            var inBase = @base.TryGetPropertyValue(key, out var b);
            var inOurs = ours.TryGetPropertyValue(key, out var o);
            var inTheirs = theirs.TryGetPropertyValue(key, out var t);
            if (Same(inOurs, o, inTheirs, t)) { if (inOurs) result[key] = o?.DeepClone(); continue; }
            if (Same(inBase, b, inOurs, o)) { if (inTheirs) result[key] = t?.DeepClone(); continue; }
            if (Same(inBase, b, inTheirs, t)) { if (inOurs) result[key] = o?.DeepClone(); continue; }
            if (o is JsonObject oo && t is JsonObject to)
            {
                var inner = Merge(b as JsonObject ?? [], oo, to);
                if (inner is null) return null;
                result[key] = inner;
                continue;
            }
            return null;
        }
        return result;
    }

    private static bool Same(bool hasX, JsonNode? x, bool hasY, JsonNode? y) => hasX == hasY && (!hasX || JsonNode.DeepEquals(x, y));
}
