using System.Text.Json;
using VersionStore.Conformance;

namespace VersionStore.Cli.Tests;

/// <summary>
/// <c>vstore</c> in distributed mode (real Redis and s3rver from build/test.sh): two "instances" with their own local
/// cache folders share one history through Redis (refs) and S3 (objects). Fails, never skips, without the servers.
/// </summary>
public sealed class DistributedModeTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string WriteConfig(string name, string cache, string prefix)
    {
        var path = _cli.PathOf(name + ".json");
        // Each section binds the backend's own options class.
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            mode = "distributed",
            rocksDb = new { path = cache },
            redis = new { configuration = ServerEnvironment.RedisEndpoint, keyPrefix = prefix },
            s3 = new
            {
                bucketName = "vstore-cli-tests",
                prefix,
                serviceUrl = ServerEnvironment.S3Endpoint.ToString(),
                forcePathStyle = true,
                s3CompatibleMode = true,
                accessKey = ServerEnvironment.S3AccessKey,
                secretKey = ServerEnvironment.S3SecretKey,
                createBucketIfMissing = true,
            },
        }));
        return path;
    }

    [Fact]
    public async Task Two_instances_share_one_history_through_redis_and_s3()
    {
        var prefix = "cli-" + Guid.NewGuid().ToString("N")[..10];
        var a = WriteConfig("a", _cli.PathOf("cache-a"), prefix);
        var b = WriteConfig("b", _cli.PathOf("cache-b"), prefix);
        var folder = _cli.WriteFolder("wf", ("nodes/llm.json", """{"model":"gpt-4o-mini"}"""), ("nodes/start.json", "{}"));

        var v1 = (await _cli.RunAsync("commit", "bot", "--branch", "main", "--from", folder, "-m", "v1", "--config", a)).Ok().Trim();
        (await _cli.RunAsync("tag", "bot", "v1", "main", "--config", a)).Ok();
        File.WriteAllText(Path.Combine(folder, "nodes", "llm.json"), """{"model":"gpt-4o"}""");
        var v2 = (await _cli.RunAsync("commit", "bot", "--branch", "main", "--from", folder, "-m", "v2", "--config", b)).Ok().Trim();

        // Instance B built on A's commit; A sees B's commit and both read the same head.
        var log = (await _cli.RunAsync("log", "bot", "main", "--oneline", "--config", a)).Lines;
        Assert.Equal([$"{v2[..12]} v2", $"{v1[..12]} v1"], log);
        var rollback = await _cli.RunAsync("rollback", "bot", "--branch", "main", "--to", "v1", "--reason", "bad model", "--actor", "oncall", "--config", b, "--json");
        Assert.Equal("succeeded", rollback.Json().GetProperty("status").GetString(), ignoreCase: true);
        var diff = await _cli.RunAsync("diff", "bot", "v1", "main", "--config", a);
        Assert.Equal((0, ""), (diff.ExitCode, diff.Stdout.Trim()));
        Assert.Contains("bad model", (await _cli.RunAsync("audit", "bot", "main", "--config", a)).Ok());
    }

    [Fact]
    public async Task With_a_config_file_errors_name_it_and_the_commit_graph_lives_in_its_local_store()
    {
        var prefix = "cli-" + Guid.NewGuid().ToString("N")[..10];
        var cache = _cli.PathOf("cache-c");
        var config = WriteConfig("c", cache, prefix);
        var folder = _cli.WriteFolder("wf", ("nodes/start.json", "{}"));
        (await _cli.RunAsync("commit", "bot", "--branch", "main", "--from", folder, "-m", "v1", "--config", config)).Ok();
        (await _cli.RunAsync("is-ancestor", "bot", "main", "main", "--config", config)).Ok();

        var missing = await _cli.RunAsync("log", "bto", "main", "--config", config);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains($"no repository 'bto' in the store configured in '{config}'", missing.Stderr);
        // Nothing is written to the default ./.vstore: the file's rocksDb:path is the local store.
        Assert.False(Directory.Exists(_cli.DefaultStore), "the default store folder was created");
        Assert.True(File.Exists(Path.Combine(cache, "commit-graph.vscg")), "no commit graph beside the configured local store");
    }

    [Fact]
    public async Task Distributed_options_on_the_command_line_reach_redis()
    {
        // --redis without S3 is invalid (S3 is the durable tier): a clear usage error, not a crash.
        var run = await _cli.RunAsync("log", "bot", "--redis", ServerEnvironment.RedisEndpoint, "--store", _cli.PathOf("cache"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.NotEqual(70, run.ExitCode);
        Assert.Contains("S3", run.Stderr);
    }
}
