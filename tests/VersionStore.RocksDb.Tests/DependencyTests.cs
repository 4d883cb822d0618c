using Xunit;
using System.Reflection;
using System.Text.Json;
using VersionStore.Conformance;

namespace VersionStore.RocksDb.Tests;

/// <summary>An embedded user references VersionStore + VersionStore.RocksDb only: nothing pulls AWSSDK or StackExchange.Redis.</summary>
public sealed class DependencyTests
{
    private static readonly string[] Remote = ["AWSSDK", "StackExchange.Redis", "VersionStore.S3", "VersionStore.Redis"];

    [Fact]
    public void The_embedded_packages_reference_no_remote_backend_assembly_transitively()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(RocksDbBackend).Assembly, typeof(RepositoryStore).Assembly]);
        while (queue.Count > 0)
        {
            foreach (var reference in queue.Dequeue().GetReferencedAssemblies())
            {
                if (!seen.Add(reference.Name!)) continue;
                Assert.DoesNotContain(Remote, r => reference.Name!.StartsWith(r, StringComparison.Ordinal));
                try { queue.Enqueue(Assembly.Load(reference)); }
                catch (FileNotFoundException) { } // a framework facade not present as a file: it references nothing of ours
            }
        }
        Assert.Contains("RocksDbSharp", seen);
    }

    [Fact]
    public void The_embedded_packages_lock_files_hold_no_remote_backend_package()
    {
        foreach (var project in new[] { "VersionStore", "VersionStore.RocksDb" })
        {
            using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "src", project, "packages.lock.json")));
            var packages = lockFile.RootElement.GetProperty("dependencies").EnumerateObject().SelectMany(f => f.Value.EnumerateObject()).Select(p => p.Name).ToList();
            Assert.NotEmpty(packages);
            Assert.DoesNotContain(packages, p => Remote.Any(r => p.StartsWith(r, StringComparison.OrdinalIgnoreCase)));
        }
    }
}
