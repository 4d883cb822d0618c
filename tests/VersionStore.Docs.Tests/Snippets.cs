using System.Text.RegularExpressions;

namespace VersionStore.Docs.Tests;

/// <summary>What a snippet's marker asks for (<c>&lt;!-- snippet: run|compile|none; prelude: NAME; files: A B --&gt;</c> on the line before the fence).</summary>
public enum SnippetMode
{
    /// <summary>Compiled as a program and run (the default when a block has no marker).</summary>
    Run,

    /// <summary>Compiled only: it needs a server, runs forever (a web host) or touches paths outside a temp folder.</summary>
    Compile,

    /// <summary>Not a program (a signature listing, an options fragment); the marker must say why.</summary>
    None,
}

/// <summary>One fenced <c>```csharp</c> block of a README.</summary>
/// <param name="File">The README, relative to the repository root.</param>
/// <param name="Line">Line of the opening fence (1-based).</param>
/// <param name="Code">The code between the fences.</param>
/// <param name="Mode">What the marker asks for.</param>
/// <param name="Prelude">A named prelude (<see cref="Preludes"/>) that declares what a fragment uses, or null.</param>
/// <param name="Files">Repository files copied into the snippet's working folder before it runs.</param>
/// <param name="Reason">The reason of a <see cref="SnippetMode.None"/> marker.</param>
/// <param name="Servers">
/// Runs against the test servers (<c>servers</c> option): the example endpoints <see cref="S3Example"/> and
/// <see cref="RedisExample"/> are replaced by the ones <c>./build/test.sh</c> started; without them the test fails.
/// </param>
public sealed record Snippet(string File, int Line, string Code, SnippetMode Mode, string? Prelude, IReadOnlyList<string> Files, string? Reason, bool Servers = false)
{
    /// <summary>The S3 endpoint a README example names (s3rver's default port).</summary>
    public const string S3Example = "http://127.0.0.1:4568";

    /// <summary>The Redis servers a README example names.</summary>
    public const string RedisExample = "redis-1:6379,redis-2:6379";

    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Extracts the C# snippets of the repository's READMEs.</summary>
public static partial class Snippets
{
    [GeneratedRegex(@"^<!--\s*snippet:\s*(?<body>.*?)\s*-->\s*$")]
    private static partial Regex Marker();

    /// <summary>README.md and every src/*/README.md, relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Readmes(string root)
        => ["README.md", .. Directory.GetDirectories(Path.Combine(root, "src")).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "README.md")).Where(File.Exists).Select(p => Path.GetRelativePath(root, p))];

    /// <summary>Every <c>```csharp</c> block of <paramref name="file"/> (relative to <paramref name="root"/>).</summary>
    public static IEnumerable<Snippet> Extract(string root, string file)
    {
        var lines = File.ReadAllLines(Path.Combine(root, file));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            var start = i;
            var code = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++) code.Add(lines[i]);
            if (i == lines.Length) throw new InvalidDataException($"{file}:{start + 1}: unterminated ```csharp block");
            var (mode, prelude, files, reason, servers) = ParseMarker(file, start, start > 0 ? lines[start - 1] : "");
            yield return new Snippet(file, start + 1, string.Join('\n', code), mode, prelude, files, reason, servers);
        }
    }

    private static (SnippetMode, string?, IReadOnlyList<string>, string?, bool) ParseMarker(string file, int fence, string line)
    {
        var m = Marker().Match(line.Trim());
        if (!m.Success) return (SnippetMode.Run, null, [], null, false);
        var parts = m.Groups["body"].Value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var head = parts[0].Split(' ', 2, StringSplitOptions.TrimEntries);
        var mode = head[0] switch
        {
            "run" => SnippetMode.Run,
            "compile" => SnippetMode.Compile,
            "none" => SnippetMode.None,
            _ => throw new InvalidDataException($"{file}:{fence}: unknown snippet mode '{head[0]}' (run, compile, none)"),
        };
        var reason = head.Length > 1 ? head[1].Trim('(', ')', ' ') : null;
        string? prelude = null;
        IReadOnlyList<string> files = [];
        var servers = false;
        foreach (var option in parts.Skip(1))
        {
            var kv = option.Split(':', 2, StringSplitOptions.TrimEntries);
            switch (kv[0])
            {
                case "prelude" when kv.Length == 2: prelude = kv[1]; break;
                case "files" when kv.Length == 2: files = kv[1].Split(' ', StringSplitOptions.RemoveEmptyEntries); break;
                case "servers" when kv.Length == 1: servers = true; break;
                default: throw new InvalidDataException($"{file}:{fence}: unknown snippet option '{option}' (prelude: NAME, files: A B, servers)");
            }
        }
        if (mode == SnippetMode.None && string.IsNullOrWhiteSpace(reason))
            throw new InvalidDataException($"{file}:{fence}: 'snippet: none' needs a reason, e.g. <!-- snippet: none (an options fragment) -->");
        return (mode, prelude, files, reason, servers);
    }
}
