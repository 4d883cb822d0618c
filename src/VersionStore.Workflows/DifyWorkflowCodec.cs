using System.Text;
using System.Text.Json.Nodes;
using VersionStore.Workflows.Internal;

namespace VersionStore.Workflows;

/// <summary>The text format of a workflow document.</summary>
public enum WorkflowFormat
{
    /// <summary>YAML (Dify's export format), read with PyYAML <c>safe_load</c> typing.</summary>
    Yaml,

    /// <summary>JSON.</summary>
    Json,
}

/// <summary>Reads Dify workflow DSL exports (YAML or JSON) into <see cref="WorkflowDocument"/>s.</summary>
public static class DifyWorkflowCodec
{
    /// <summary>
    /// Reads a Dify DSL export. The format is detected: text whose first non-blank character is <c>{</c> and that
    /// parses as JSON is JSON, anything else YAML. The Dify API envelope <c>{"data": "&lt;yaml&gt;"}</c> is unwrapped.
    /// </summary>
    /// <exception cref="InvalidWorkflowException">The text is not YAML/JSON, has no <c>workflow.graph</c>, a node has no id or a duplicate id, …</exception>
    /// <exception cref="PayloadTooLargeException">The text exceeds <see cref="WorkflowCodecOptions.MaxInputBytes"/>.</exception>
    public static WorkflowDocument Parse(string text, WorkflowCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= WorkflowCodecOptions.Default;
        options.Validate();
        CheckSize(text, options);
        var root = ParseTree(text, options, out _);
        if (root is not JsonObject o) throw new InvalidWorkflowException("the document is not a mapping");
        if (o.Count == 1 && o["data"] is JsonValue dv && dv.TryGetValue<string>(out var inner))
        {
            CheckSize(inner, options);
            root = ParseTree(inner, options, out _);
            if (root is not JsonObject io) throw new InvalidWorkflowException("the document inside the 'data' envelope is not a mapping");
            o = io;
        }
        var graph = (o["workflow"] as JsonObject)?["graph"] as JsonObject;
        var items = ((graph?["nodes"] as JsonArray)?.Count ?? 0) + ((graph?["edges"] as JsonArray)?.Count ?? 0);
        if (items > options.MaxGraphItems)
            throw new InvalidWorkflowException($"the graph has {items} nodes and edges; the limit is {options.MaxGraphItems} (MaxGraphItems)", "workflow.graph");
        return WorkflowDocument.Create(o);
    }

    /// <summary>Reads a Dify DSL export from UTF-8 bytes (a leading byte-order mark is ignored).</summary>
    /// <inheritdoc cref="Parse(string, WorkflowCodecOptions?)" />
    public static WorkflowDocument Parse(ReadOnlySpan<byte> utf8, WorkflowCodecOptions? options = null)
    {
        options ??= WorkflowCodecOptions.Default;
        options.Validate();
        if (utf8.Length > options.MaxInputBytes) throw new PayloadTooLargeException("Workflow document", utf8.Length, options.MaxInputBytes);
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidWorkflowException("the bytes are not valid UTF-8", null, ex);
        }
        return Parse(text, options);
    }

    /// <summary>The format <see cref="Parse(string, WorkflowCodecOptions?)"/> would read <paramref name="text"/> as.</summary>
    public static WorkflowFormat DetectFormat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return LooksLikeJson(text) && TryJson(text, WorkflowCodecOptions.Default, out _) ? WorkflowFormat.Json : WorkflowFormat.Yaml;
        }
        catch (InvalidWorkflowException)
        {
            return WorkflowFormat.Yaml;
        }
    }

    private static JsonNode? ParseTree(string text, WorkflowCodecOptions options, out WorkflowFormat format)
    {
        if (LooksLikeJson(text))
        {
            if (TryJson(text, options, out var node))
            {
                format = WorkflowFormat.Json;
                return node;
            }
        }
        format = WorkflowFormat.Yaml;
        return YamlModel.Parse(text, options);
    }

    private static bool LooksLikeJson(string text)
    {
        foreach (var c in text)
        {
            if (c is ' ' or '\t' or '\r' or '\n' or '\uFEFF') continue;
            return c == '{';
        }
        return false;
    }

    private static bool TryJson(string text, WorkflowCodecOptions options, out JsonNode? node)
    {
        try
        {
            node = JsonModel.Parse(Encoding.UTF8.GetBytes(text.TrimStart('\uFEFF')), "$", options);
            return true;
        }
        catch (InvalidWorkflowException ex) when (ex.InnerException is System.Text.Json.JsonException)
        {
            node = null;
            return false;
        }
    }

    private static void CheckSize(string text, WorkflowCodecOptions options)
    {
        if (text.Length > options.MaxInputBytes) throw new PayloadTooLargeException("Workflow document", Encoding.UTF8.GetByteCount(text), options.MaxInputBytes);
        if ((long)text.Length * 3 > options.MaxInputBytes)
        {
            var n = Encoding.UTF8.GetByteCount(text);
            if (n > options.MaxInputBytes) throw new PayloadTooLargeException("Workflow document", n, options.MaxInputBytes);
        }
    }
}
