using System.Security.Cryptography;
using System.Text;

namespace VersionStore.Workflows;

/// <summary>What a snapshot entry of a workflow holds.</summary>
public enum WorkflowEntryKind
{
    /// <summary>Everything in the document except the graph's nodes and edges (<see cref="WorkflowPaths.Settings"/>).</summary>
    Settings,

    /// <summary>The order of nodes and edges (<see cref="WorkflowPaths.Index"/>).</summary>
    Index,

    /// <summary>One node (<c>nodes/&lt;bucket&gt;/&lt;encoded id&gt;</c>).</summary>
    Node,

    /// <summary>One edge (<c>edges/&lt;bucket&gt;/&lt;encoded key&gt;</c>).</summary>
    Edge,
}

/// <summary>A snapshot entry path read back: what it holds and, for a node or edge, its id.</summary>
/// <param name="Kind">What the entry holds.</param>
/// <param name="Id">The node id or edge key; null for settings and index.</param>
public readonly record struct WorkflowEntryPath(WorkflowEntryKind Kind, string? Id);

/// <summary>
/// The layout of a workflow snapshot: which entry path holds which part of the document, and back.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>settings</c> — the document without the graph's node and edge lists (those two keys hold the placeholders <c>"@nodes"</c>/<c>"@edges"</c>).</item>
/// <item><c>index</c> — <c>{"format":1,"nodes":[ids…],"edges":[keys…]}</c>: document order of nodes and edges.</item>
/// <item><c>nodes/&lt;b&gt;/&lt;name&gt;</c> — one node; <c>&lt;b&gt;</c> is one hex digit, the high nibble of the first byte of SHA-256(UTF-8 id), so 16 buckets;
/// <c>&lt;name&gt;</c> is the id with <c>%</c>, <c>/</c> and control characters percent-encoded (UTF-8, upper-case hex), and the names <c>.</c>/<c>..</c> written <c>%2E</c>/<c>%2E%2E</c>.</item>
/// <item><c>edges/&lt;b&gt;/&lt;name&gt;</c> — one edge, keyed by its id (or, without one, <c>source-sourceHandle-target-targetHandle</c>), encoded the same way.</item>
/// </list>
/// </remarks>
public static class WorkflowPaths
{
    /// <summary>Path of the settings entry.</summary>
    public const string Settings = "settings";

    /// <summary>Path of the index entry (node and edge order).</summary>
    public const string Index = "index";

    /// <summary>Folder of node entries.</summary>
    public const string NodesFolder = "nodes";

    /// <summary>Folder of edge entries.</summary>
    public const string EdgesFolder = "edges";

    /// <summary>Longest entry name in UTF-8 bytes (the core's limit).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The entry path of the node with id <paramref name="nodeId"/>.</summary>
    /// <exception cref="InvalidWorkflowException">The id is empty or too long once encoded.</exception>
    public static string Node(string nodeId) => $"{NodesFolder}/{Bucket(nodeId)}/{EncodeName(nodeId)}";

    /// <summary>The entry path of the edge with key <paramref name="edgeKey"/>.</summary>
    /// <exception cref="InvalidWorkflowException">The key is empty or too long once encoded.</exception>
    public static string Edge(string edgeKey) => $"{EdgesFolder}/{Bucket(edgeKey)}/{EncodeName(edgeKey)}";

    /// <summary>The bucket folder name of an id: one lower-case hex digit from SHA-256 of its UTF-8 bytes.</summary>
    public static char Bucket(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(id);
        SHA256.HashData(bytes, hash);
        return "0123456789abcdef"[hash[0] >> 4];
    }

    /// <summary>Encodes an id as a valid entry name, reversibly (see <see cref="TryDecodeName"/>).</summary>
    /// <exception cref="InvalidWorkflowException">The id is empty, not valid UTF-16, or longer than <see cref="MaxNameBytes"/> once encoded.</exception>
    public static string EncodeName(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0) throw new InvalidWorkflowException("an id cannot be empty");
        if (id is "." or "..") return id == "." ? "%2E" : "%2E%2E";
        var sb = new StringBuilder(id.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsSurrogate(c))
            {
                if (!char.IsSurrogatePair(id, i)) throw new InvalidWorkflowException($"id '{Show(id)}' is not valid UTF-16");
                sb.Append(c).Append(id[++i]);
                continue;
            }
            if (c is '%' or '/' || char.IsControl(c))
            {
                var n = Encoding.UTF8.GetBytes([c], utf8);
                for (var j = 0; j < n; j++) sb.Append('%').Append(utf8[j].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else sb.Append(c);
        }
        var name = sb.ToString();
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            throw new InvalidWorkflowException($"id '{Show(id)}' is longer than {MaxNameBytes} UTF-8 bytes once encoded as an entry name");
        return name;
    }

    /// <summary>Decodes an entry name made by <see cref="EncodeName"/>; false for a name it would not make.</summary>
    public static bool TryDecodeName(string name, out string id)
    {
        id = "";
        if (string.IsNullOrEmpty(name)) return false;
        if (!name.Contains('%', StringComparison.Ordinal))
        {
            if (name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsControl)) return false;
            id = name;
            return true;
        }
        var bytes = new List<byte>(name.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '%')
            {
                if (i + 2 >= name.Length || !IsUpperHex(name[i + 1]) || !IsUpperHex(name[i + 2])) return false;
                bytes.Add(Convert.ToByte(name.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                var len = char.IsSurrogatePair(name, i) ? 2 : 1;
                var n = Encoding.UTF8.GetBytes(name.AsSpan(i, len), utf8);
                for (var j = 0; j < n; j++) bytes.Add(utf8[j]);
                i += len - 1;
            }
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        if (decoded.Length == 0) return false;
        try
        {
            if (EncodeName(decoded) != name) return false; // only the canonical spelling is valid
        }
        catch (InvalidWorkflowException)
        {
            return false;
        }
        id = decoded;
        return true;

        static bool IsUpperHex(char c) => c is (>= '0' and <= '9') or (>= 'A' and <= 'F');
    }

    /// <summary>Reads an entry path of the workflow layout; null when the path is not part of it.</summary>
    public static WorkflowEntryPath? TryParse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == Settings) return new(WorkflowEntryKind.Settings, null);
        if (path == Index) return new(WorkflowEntryKind.Index, null);
        var parts = path.Split('/');
        if (parts.Length != 3 || parts[1].Length != 1) return null;
        var kind = parts[0] switch
        {
            NodesFolder => WorkflowEntryKind.Node,
            EdgesFolder => WorkflowEntryKind.Edge,
            _ => (WorkflowEntryKind?)null,
        };
        if (kind is null || !TryDecodeName(parts[2], out var id) || Bucket(id) != parts[1][0]) return null;
        return new(kind.Value, id);
    }

    internal static string Show(string s)
    {
        var t = new StringBuilder();
        foreach (var c in s.Length > 60 ? s[..60] + "…" : s) t.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return t.ToString();
    }
}
