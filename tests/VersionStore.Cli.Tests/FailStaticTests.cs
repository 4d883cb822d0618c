using System.Diagnostics;
using System.Text.Json;
using VersionStore.Conformance;
using Xunit.Abstractions;

namespace VersionStore.Cli.Tests;

/// <summary>
/// The CLI in distributed mode with Redis killed (a private redis-server started here and stopped by its PID, the shared
/// s3rver): reads answerable from the local tier succeed, the stale head is marked, a fresh local store fails with one
/// line, a commit fails fast with one line, and after Redis returns the next commit lands.
/// </summary>
public sealed class FailStaticTests(ITestOutputHelper output) : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly RedisServerProcess _redis = new();

    public void Dispose()
    {
        _redis.Dispose();
        _cli.Dispose();
    }

    /// <summary>
    /// A config file <paramref name="name"/> over the local store <paramref name="cache"/>. <paramref name="failFast"/>: a
    /// short connect timeout, as an operator sets for fail-fast CLI calls; it is used only while Redis is down (a killed
    /// Redis refuses connections at once, so calls fail in well under a second). While Redis is up the connect timeout is
    /// generous, so a machine loaded by a parallel build never turns a healthy first connect into a stale read.
    /// </summary>
    private string Config(string name, string cache, string prefix, bool failFast)
    {
        var path = _cli.PathOf(name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            rocksDb = new { path = _cli.PathOf("cache-" + cache) },
            redis = new { configuration = _redis.Endpoint, operationTimeout = "00:00:05", connectTimeout = failFast ? "00:00:00.500" : "00:00:05" },
            s3 = new
            {
                bucketName = "vstore-cli-tests", prefix, serviceUrl = ServerEnvironment.S3Endpoint.ToString(), forcePathStyle = true, s3CompatibleMode = true,
                accessKey = ServerEnvironment.S3AccessKey, secretKey = ServerEnvironment.S3SecretKey, createBucketIfMissing = true,
            },
        }));
        return path;
    }

    private async Task<CliRun> Run(params string[] args)
    {
        var run = await _cli.RunAsync(args);
        output.WriteLine($"$ vstore {string.Join(' ', args.Select(a => a.Contains(' ') ? $"'{a}'" : a))}   [exit {run.ExitCode}]");
        foreach (var line in (run.Stdout + run.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(12)) output.WriteLine("  " + line);
        return run;
    }

    [Fact]
    public async Task With_Redis_killed_reads_come_from_the_local_tier_marked_stale_writes_fail_fast_and_recover_when_it_returns()
    {
        await _redis.StartAsync();
        var prefix = "fs-" + Guid.NewGuid().ToString("N")[..10];
        // Redis up: generous connect timeouts; Redis down: the same local stores through fail-fast configs.
        var a = Config("a", "a", prefix, failFast: false);
        var fresh = Config("fresh", "fresh", prefix, failFast: false);
        var aDown = Config("a-down", "a", prefix, failFast: true);
        var freshDown = Config("fresh-down", "fresh", prefix, failFast: true);
        var versions = StockAnalysis.Versions;
        var v1 = (await Run("commit", "bot", "--branch", "main", "--from", versions[0], "-m", "v1", "--config", a)).Ok().Trim();
        var v2 = (await Run("commit", "bot", "--branch", "main", "--from", versions[1], "-m", "v2", "--config", a)).Ok().Trim();
        Assert.DoesNotContain("stale", (await Run("log", "bot", "main", "--oneline", "--config", a)).Ok());

        output.WriteLine($"-- kill redis-server (PID {_redis.Pid})");
        _redis.Kill();

        // The process whose local store saw the data: show, log (stale head marked), checkout, diff.
        var show = (await Run("show", "bot", v2, "--config", aDown)).Ok();
        Assert.Contains(v2, show);
        var log = (await Run("log", "bot", "main", "--oneline", "--config", aDown)).Lines;
        Assert.Equal(2, log.Length);
        Assert.Matches(@"^[0-9a-f]{12} \(stale: last seen \d\d:\d\d:\d\d\) v2$", log[0]);
        var json = (await Run("log", "bot", "main", "--json", "--config", aDown)).Json();
        Assert.True(json[0].GetProperty("stale").GetBoolean());
        Assert.False(json[1].TryGetProperty("stale", out _));
        Assert.Contains("(stale: last seen", (await Run("show", "bot", "main", "--config", aDown)).Ok());
        (await Run("checkout", "bot", "main", "--to", _cli.PathOf("out"), "--config", aDown)).Ok();
        Assert.NotEmpty(Directory.GetFiles(_cli.PathOf("out"), "*", SearchOption.AllDirectories));
        Assert.NotEmpty((await Run("diff", "bot", v1, "main", "--config", aDown)).Ok());

        // A fresh local store remembers nothing: one line, exit 5.
        var error = (await Run("log", "bot", "main", "--config", freshDown)).Fails(ExitCodes.BackendUnavailable);
        Assert.Contains("Redis", error);
        Assert.DoesNotContain("IOCP", error);

        // A commit fails fast, with one human line naming backend, operation and repository.
        var clock = Stopwatch.StartNew();
        var failed = await Run("commit", "bot", "--branch", "main", "--from", versions[2], "-m", "v3", "--config", aDown);
        var elapsed = clock.Elapsed;
        output.WriteLine($"-- commit with Redis down failed in {elapsed.TotalMilliseconds:F0} ms");
        var line = failed.Fails(ExitCodes.BackendUnavailable);
        // Fail fast means: not after the 5 s operation timeout (a refused connection is seen at once; the rest is the
        // CLI call itself, which takes over a second on a machine loaded by a parallel build).
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"{elapsed.TotalMilliseconds} ms");
        Assert.Contains("Redis is unavailable", line);
        Assert.Contains("'bot'", line);
        Assert.DoesNotContain("IOCP", line);
        Assert.DoesNotContain("v: 3.", line);

        // Redis returns (same port, its data kept): the next commit lands, nothing restarted.
        await _redis.StartAsync();
        output.WriteLine($"-- redis-server back (PID {_redis.Pid})");
        var v3 = (await Run("commit", "bot", "--branch", "main", "--from", versions[2], "-m", "v3", "--config", a)).Ok().Trim();
        var after = (await Run("log", "bot", "main", "--oneline", "--config", fresh)).Lines;
        Assert.Equal(3, after.Length);
        Assert.StartsWith(v3[..12] + " v3", after[0]);
    }
}
