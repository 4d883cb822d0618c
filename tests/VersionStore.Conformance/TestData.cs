using System.Runtime.CompilerServices;

namespace VersionStore.Conformance;

/// <summary>
/// Locates the shared real-world test data (<c>shared/data/dify</c>, see its MANIFEST.md). The repository is
/// cloned at <c>X/main</c> with the data at <c>X/shared</c>; build output may live elsewhere
/// (<c>VSTORE_ARTIFACTS</c>), so several starting points are searched. A missing folder is an error, never a
/// skip: tests that need real data must fail in CI when it is absent.
/// </summary>
public static class TestData
{
    /// <summary>Environment variable that names the <c>dify</c> data folder explicitly.</summary>
    public const string EnvironmentVariable = "VSTORE_TEST_DATA_DIFY";

    private static readonly Lazy<string> Root = new(() => Locate());

    /// <summary>The <c>shared/data/dify</c> folder.</summary>
    /// <exception cref="DirectoryNotFoundException">It was not found; the message lists every place searched.</exception>
    public static string DifyRoot => Root.Value;

    /// <summary>Every single-workflow DSL file (<c>workflows/*.yml</c>), in ordinal order of name.</summary>
    public static IReadOnlyList<string> WorkflowFiles()
        => [.. Directory.GetFiles(Path.Combine(DifyRoot, "workflows"), "*.yml").OrderBy(p => p, StringComparer.Ordinal)];

    /// <summary>The names of the edit histories (<c>histories/*</c>).</summary>
    public static IReadOnlyList<string> HistoryNames()
        => [.. Directory.GetDirectories(Path.Combine(DifyRoot, "histories")).Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal)];

    /// <summary>The version files of one history, oldest first (<c>0001.yml</c>, <c>0002.yml</c>, …).</summary>
    public static IReadOnlyList<string> HistoryVersions(string history)
        => [.. Directory.GetFiles(Path.Combine(DifyRoot, "histories", history), "*.yml").OrderBy(p => p, StringComparer.Ordinal)];

    /// <summary>The bytes of one workflow file by its name (with or without <c>.yml</c>) under <c>workflows/</c>.</summary>
    public static byte[] ReadWorkflow(string name)
        => File.ReadAllBytes(Path.Combine(DifyRoot, "workflows", name.EndsWith(".yml", StringComparison.Ordinal) ? name : name + ".yml"));

    /// <summary>
    /// Real payloads as encoded blobs: every workflow file whole, then cut into blocks of
    /// <paramref name="linesPerChunk"/> lines (about what one node's YAML takes), distinct by id, in a stable
    /// order, at most <paramref name="max"/>.
    /// </summary>
    public static IReadOnlyList<EncodedObject> DifyBlobs(int max = int.MaxValue, int linesPerChunk = 24)
    {
        var seen = new HashSet<ObjectId>();
        var result = new List<EncodedObject>();
        void Add(ReadOnlySpan<byte> content)
        {
            var encoded = ObjectCodec.EncodeBlob(content);
            var id = ObjectId.Compute(encoded);
            if (result.Count < max && seen.Add(id)) result.Add(new EncodedObject(id, encoded));
        }
        var files = WorkflowFiles();
        foreach (var file in files) Add(File.ReadAllBytes(file));
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length && result.Count < max; i += linesPerChunk)
                Add(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines.Skip(i).Take(linesPerChunk))));
        }
        return result;
    }

    /// <summary><paramref name="content"/> as an encoded blob with its id (for suites outside the core's friends).</summary>
    public static EncodedObject Blob(ReadOnlySpan<byte> content)
    {
        var encoded = ObjectCodec.EncodeBlob(content);
        return new EncodedObject(ObjectId.Compute(encoded), encoded);
    }

    /// <summary>The repository's root folder (the one holding <c>VersionStore.sln</c>), found from this source file.</summary>
    public static string RepositoryRoot => FindRepositoryRoot();

    private static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VersionStore.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no VersionStore.sln above '{sourceFile}'");
    }

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        var searched = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (Directory.Exists(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
            searched.Add($"{fromEnvironment} (from {EnvironmentVariable})");
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile), Directory.GetCurrentDirectory() })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "dify");
                if (Directory.Exists(candidate)) return candidate;
                searched.Add(candidate);
            }
        }
        throw new DirectoryNotFoundException(
            "Real Dify test data (shared/data/dify) was not found. Clone the repository at X/main with the data at " +
            $"X/shared, or set {EnvironmentVariable}. Searched: " + string.Join(", ", searched.Distinct()));
    }
}
