namespace VersionStore.Benchmarks;

/// <summary>Finds the shared real Dify data (<c>VSTORE_BENCH_DATA</c>, else walking up from the binary and the working directory).</summary>
public static class BenchData
{
    /// <summary>The largest real workflow (104 nodes).</summary>
    public const string LargestWorkflow = "Yuta-95__dify-dsl-templates__line-daigen-v1.0.0.yml";

    private static readonly Lazy<string> Root = new(Locate);

    /// <summary>The <c>dify</c> data folder (holds <c>workflows/</c> and <c>histories/</c>).</summary>
    public static string Directory => Root.Value;

    /// <summary>Path of one workflow file.</summary>
    public static string Workflow(string name) => Path.Combine(Directory, "workflows", name);

    /// <summary>Where generated histories and git repositories are cached between runs.</summary>
    public static string CacheDirectory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("VSTORE_BENCH_CACHE") ?? "/tmp/vstore-bench-cache";
            System.IO.Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("VSTORE_BENCH_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            if (System.IO.Directory.Exists(Path.Combine(env, "workflows"))) return env;
            throw new DirectoryNotFoundException($"VSTORE_BENCH_DATA='{env}' has no workflows/ folder.");
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "dify");
                if (System.IO.Directory.Exists(Path.Combine(candidate, "workflows"))) return candidate;
            }
        }
        throw new DirectoryNotFoundException("Real Dify data not found: set VSTORE_BENCH_DATA to the shared/data/dify folder.");
    }
}
