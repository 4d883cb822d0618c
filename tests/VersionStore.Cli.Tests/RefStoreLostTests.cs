using System.Text.Json;
using VersionStore.Conformance;
using Xunit.Abstractions;

namespace VersionStore.Cli.Tests;

/// <summary>
/// Issue 9 item 4 end to end with real servers (a private redis-server restarted without its data, real RocksDB local
/// stores, the shared s3rver): the commit is refused with exit 7 and one line, log/show are served from the local store
/// marked stale, <c>restore-heads</c> re-publishes the heads, and the next commit lands on top of the old history.
/// </summary>
public sealed class RefStoreLostTests(ITestOutputHelper output) : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly RedisServerProcess _redis = new();

    public void Dispose()
    {
        _redis.Dispose();
        _cli.Dispose();
    }

    private string Config(string name, string prefix)
    {
        var path = _cli.PathOf(name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            rocksDb = new { path = _cli.PathOf("cache-" + name) },
            redis = new { configuration = _redis.Endpoint, keyPrefix = prefix + ":" },
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
    public async Task Redis_restarted_empty_refuses_writes_serves_stale_reads_and_restore_heads_brings_the_history_back()
    {
        await _redis.StartAsync();
        var prefix = "lost-" + Guid.NewGuid().ToString("N")[..10];
        var a = Config("a", prefix);
        var fresh = Config("fresh", prefix);
        var versions = StockAnalysis.Versions;
        var v1 = (await Run("commit", "bot", "--branch", "main", "--from", versions[0], "-m", "v1", "--config", a)).Ok().Trim();
        var v2 = (await Run("commit", "bot", "--branch", "main", "--from", versions[1], "-m", "v2", "--config", a)).Ok().Trim();

        _redis.Kill();
        await _redis.StartAsync(keepData: false);
        output.WriteLine($"-- redis-server restarted without its data (PID {_redis.Pid})");

        // Writes are refused: exit 7, one line naming the backend, the repository and the recovery.
        var refused = (await Run("commit", "bot", "--branch", "main", "--from", versions[2], "-m", "v3", "--config", a)).Fails(ExitCodes.RefStoreStateLost);
        Assert.StartsWith("vstore: error: Redis lost its state: ref refs/heads/main is missing there", refused);
        Assert.Contains("'bot'", refused);
        Assert.Contains("vstore restore-heads bot", refused);
        Assert.Single(refused.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (await Run("rollback", "bot", "--branch", "main", "--to", v1, "--reason", "x", "--config", a)).Fails(ExitCodes.RefStoreStateLost);

        // Reads are served from the local store, marked stale.
        var log = (await Run("log", "bot", "main", "--oneline", "--config", a)).Lines;
        Assert.Equal(2, log.Length);
        Assert.Matches($@"^{v2[..12]} \(stale: last seen \d\d:\d\d:\d\d\) v2$", log[0]);
        Assert.True((await Run("log", "bot", "--json", "--config", a)).Json()[0].GetProperty("stale").GetBoolean());
        Assert.Contains("(stale: last seen", (await Run("show", "bot", "main", "--config", a)).Ok());
        // verify no longer says ok: the audit log of main is gone with Redis's data.
        (await Run("verify", "bot", "--config", a)).Fails(ExitCodes.Corrupt);

        // Another machine that never saw the repository is not blocked.
        (await Run("log", "bot", "--config", fresh)).Fails(ExitCodes.NotFoundOrInvalid);
        (await Run("commit", "other", "--branch", "main", "--from", versions[0], "-m", "o1", "--config", fresh)).Ok();

        (await Run("restore-heads", "--config", a)).Fails(ExitCodes.Usage);
        var restored = (await Run("restore-heads", "bot", "--config", a)).Ok();
        Assert.Contains($"restored refs/heads/main of 'bot' at {v2[..12]}", restored);

        var v3 = (await Run("commit", "bot", "--branch", "main", "--from", versions[2], "-m", "v3", "--config", a)).Ok().Trim();
        var after = (await Run("log", "bot", "main", "--oneline", "--config", fresh)).Lines;
        Assert.Equal([$"{v3[..12]} v3", $"{v2[..12]} v2", $"{v1[..12]} v1"], after);
        Assert.StartsWith("ok", (await Run("verify", "bot", "--config", a)).Ok());
        Assert.StartsWith("ok", (await Run("verify", "--config", fresh)).Ok());
        var audit = (await Run("audit", "bot", "main", "--json", "--config", a)).Json().GetProperty("entries");
        Assert.Equal(["commit", "restore"], audit.EnumerateArray().Select(e => e.GetProperty("operation").GetString()));
    }
}
