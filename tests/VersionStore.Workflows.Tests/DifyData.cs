using System.Runtime.CompilerServices;

namespace VersionStore.Workflows.Tests;

/// <summary>Finds the shared Dify test data (X/shared/data/dify beside the clone X/main) and its manifest.</summary>
internal static class DifyData
{
    private static readonly Lazy<string?> RootLazy = new(Locate);

    public static string Root => RootLazy.Value ?? throw new InvalidOperationException(
        "Dify test data not found: looked for 'shared/data/dify' in every ancestor of " + AppContext.BaseDirectory +
        " and of the test source folder " + SourceDir() + " (the repository is expected at X/main with the data at X/shared/data/dify; " +
        "or set VSTORE_DIFY_DATA to the folder).");

    public static bool Found => RootLazy.Value is not null;

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("VSTORE_DIFY_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        foreach (var start in new[] { AppContext.BaseDirectory, SourceDir() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared", "data", "dify");
                if (Directory.Exists(Path.Combine(candidate, "workflows"))) return candidate;
            }
        }
        return null;
    }

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? ".";

    /// <summary>Every DSL file, relative to <see cref="Root"/> with '/' separators, sorted.</summary>
    public static IReadOnlyList<string> AllFiles()
    {
        var root = Root;
        return Directory.GetFiles(Path.Combine(root, "workflows"), "*.yml")
            .Concat(Directory.GetDirectories(Path.Combine(root, "histories")).SelectMany(h => Directory.GetFiles(h, "*.yml")))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>History name → its version files in order.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Histories()
        => Directory.GetDirectories(Path.Combine(Root, "histories"))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToDictionary(d => Path.GetFileName(d), d => (IReadOnlyList<string>)Directory.GetFiles(d, "*.yml").Order(StringComparer.Ordinal)
                .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).ToList());

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    /// <summary>The theory rows: every file, or one row that fails when the data is missing.</summary>
    public static IEnumerable<object[]> FileRows()
    {
        if (!Found) return [["<Dify test data not found>"]];
        return AllFiles().Select(f => new object[] { f });
    }

    /// <summary>(nodes, edges) per file from MANIFEST.md's table.</summary>
    public static IReadOnlyDictionary<string, (int Nodes, int Edges)> ManifestCounts()
    {
        var result = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Root, "MANIFEST.md")))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length < 8 || !cells[1].EndsWith(".yml", StringComparison.Ordinal)) continue;
            result[cells[1]] = (int.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture), int.Parse(cells[6], System.Globalization.CultureInfo.InvariantCulture));
        }
        return result;
    }

    /// <summary>(sha256, nodes, edges) per file as PyYAML reads it (Data/pyyaml-fingerprints.txt).</summary>
    public static IReadOnlyDictionary<string, (string Sha, int Nodes, int Edges)> PyYamlFingerprints()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", "pyyaml-fingerprints.txt");
        return File.ReadLines(path).Where(l => !l.StartsWith('#') && l.Length > 0).Select(l => l.Split('\t'))
            .ToDictionary(c => c[0], c => (c[1], int.Parse(c[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture)), StringComparer.Ordinal);
    }
}
