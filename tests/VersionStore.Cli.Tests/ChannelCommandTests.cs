using System.Text;
using System.Text.Json;
using VersionStore.Cli;
using VersionStore.Conformance;

namespace VersionStore.Cli.Tests;

/// <summary>
/// <c>vstore publish</c> (stable and gray), <c>promote</c>, <c>channel</c> (with <c>--history</c>) and <c>watch</c>
/// against the embedded store and a distributed one (real Redis + s3rver; fails, never skips, without them).
/// </summary>
public sealed class ChannelCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string[] Distributed(string prefix, string instance = "a")
    {
        var path = _cli.PathOf(prefix + instance + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            mode = "distributed",
            rocksDb = new { path = _cli.PathOf("cache-" + prefix + instance) },
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
        return ["--config", path];
    }

    [Fact]
    public Task Publish_gray_promote_channel_and_watch_on_the_embedded_store() => RunScenarioAsync([], embedded: true);

    [Fact]
    public Task Publish_gray_promote_channel_and_watch_on_a_distributed_store()
    {
        var prefix = "ch-" + Guid.NewGuid().ToString("N")[..10];
        return RunScenarioAsync(Distributed(prefix), embedded: false, Distributed(prefix, "watcher")); // the watcher is another instance, with its own local cache
    }

    private async Task RunScenarioAsync(string[] store, bool embedded, string[]? watcherStore = null)
    {
        if (embedded) await _cli.InitAsync();
        var v1 = (await _cli.RunAsync(["commit", "bot", "--branch", "main", "--from", StockAnalysis.Versions[0], "-m", "v1", .. store])).Ok().Trim();
        var v2 = (await _cli.RunAsync(["commit", "bot", "--branch", "main", "--from", StockAnalysis.Versions[1], "-m", "v2", .. store])).Ok().Trim();
        (await _cli.RunAsync(["tag", "bot", "v1.4.0", v1, .. store])).Ok();

        var published = (await _cli.RunAsync(["publish", "bot", "v1.4.0", "--channel", "prod", "--reason", "release 1.4.0", "--json", .. store])).Json();
        Assert.Equal((v1, "publish", 1L), (published.GetProperty("stable").GetString(), published.GetProperty("operation").GetString(), published.GetProperty("sequence").GetInt64()));

        // watch runs until interrupted, printing one JSON object per line as changes happen
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watchOut = new LineWriter();
        var watch = RunStreamingAsync(["watch", "bot", "--channel", "prod", "--json", "--interval", "20", .. watcherStore ?? store], watchOut, stop.Token);
        await watchOut.WaitForLinesAsync(1, watch);

        var gray = (await _cli.RunAsync(["publish", "bot", v2, "--channel", "prod", "--percent", "10", "--reason", "gray 10 %", "--json", .. store])).Json();
        Assert.Equal((v1, v2, 10.0), (gray.GetProperty("stable").GetString(), gray.GetProperty("canary").GetString(), gray.GetProperty("canaryPercent").GetDouble()));
        await watchOut.WaitForLinesAsync(2, watch);
        var channel = (await _cli.RunAsync(["channel", "bot", "prod", "--json", .. store])).Json();
        Assert.Equal((v1, v2, 10.0), (channel.GetProperty("stable").GetString(), channel.GetProperty("canary").GetString(), channel.GetProperty("canaryPercent").GetDouble()));

        (await _cli.RunAsync(["promote", "bot", "--channel", "prod", "--reason", "canary healthy", .. store])).Ok();
        await watchOut.WaitForLinesAsync(3, watch);
        var listed = (await _cli.RunAsync(["channel", "bot", .. store])).Lines;
        Assert.Contains(listed, l => l.StartsWith("prod", StringComparison.Ordinal) && l.Contains($"stable {v2[..12]}", StringComparison.Ordinal) && l.Contains("canary (none)", StringComparison.Ordinal));

        // the rollback an operator runs after a bad release reaches the watcher too
        (await _cli.RunAsync(["rollback", "bot", "--channel", "prod", "--to", "v1.4.0", "--mode", "reset", "--reason", "model degraded", .. store])).Ok();
        await watchOut.WaitForLinesAsync(4, watch);
        await stop.CancelAsync();
        Assert.Equal(0, await watch);

        var lines = watchOut.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([v1, v1, v2, v1], lines.Select(l => l.GetProperty("version").GetString()));
        Assert.Equal([1L, 2, 3, 4], lines.Select(l => l.GetProperty("sequence").GetInt64()));
        Assert.All(lines, l => Assert.True(l.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UnixEpoch));
        Assert.Equal(["publish", "canary.publish", "canary.promote", "rollback.reset"], lines.Select(l => l.GetProperty("operation").GetString()));
        Assert.Equal(v2, lines[1].GetProperty("canary").GetString());

        var history = (await _cli.RunAsync(["channel", "bot", "prod", "--history", "--json", .. store])).Json().EnumerateArray().ToList();
        Assert.Equal(["rollback.reset", "canary.promote", "canary.publish", "publish"], history.Select(h => h.GetProperty("operation").GetString()));
        Assert.Equal(v2, history[2].GetProperty("canary").GetString());
        Assert.Equal(v1, history[2].GetProperty("stable").GetString());
        var text = (await _cli.RunAsync(["channel", "bot", "prod", "--history", .. store])).Lines;
        Assert.Contains(text, l => l.Contains("canary.publish", StringComparison.Ordinal) && l.Contains("at 10 %", StringComparison.Ordinal) && l.Contains("gray 10 %", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hostile_channel_commands_fail_with_one_line_and_change_nothing()
    {
        await _cli.InitAsync();
        var v1 = await _cli.CommitAsync("bot", "main", StockAnalysis.Versions[0]);
        (await _cli.RunAsync("publish", "bot", v1, "--channel", "prod")).Fails(ExitCodes.Usage); // --reason required
        (await _cli.RunAsync("publish", "bot", v1, "--channel", "prod", "--percent", "10", "--reason", "x")).Fails(ExitCodes.NotFoundOrInvalid); // no stable yet
        (await _cli.RunAsync("publish", "bot", v1, "--channel", "prod", "--reason", "ok")).Ok();
        (await _cli.RunAsync("publish", "bot", v1, "--channel", "prod", "--percent", "101", "--reason", "x")).Fails(ExitCodes.NotFoundOrInvalid);
        (await _cli.RunAsync("publish", "bot", v1, "--channel", "prod.lkg", "--reason", "x")).Fails(ExitCodes.NotFoundOrInvalid);
        (await _cli.RunAsync("promote", "bot", "--channel", "prod")).Fails(ExitCodes.NotFoundOrInvalid); // no canary
        (await _cli.RunAsync("channel", "bot", "staging")).Fails(ExitCodes.NotFoundOrInvalid);
        Assert.Equal(1, (await _cli.RunAsync("channel", "bot", "prod", "--json")).Json().GetProperty("sequence").GetInt64());
    }

    private Task<int> RunStreamingAsync(string[] args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var environment = new CliEnvironment
        {
            GetVariable = name => _cli.Variables.TryGetValue(name, out var v) ? v : null,
            CurrentDirectory = _cli.Root,
            UserName = "os-user",
        };
        return Task.Run(() => CliApp.RunAsync(args, stdout, new StringWriter(), environment, cancellationToken));
    }

    /// <summary>A thread-safe writer that collects complete lines as they are written.</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly StringBuilder _pending = new();
        private readonly List<string> _lines = [];

        public override Encoding Encoding => Encoding.UTF8;

        public IReadOnlyList<string> Lines
        {
            get { lock (_lines) return [.. _lines]; }
        }

        public override void Write(char value)
        {
            lock (_lines)
            {
                if (value == '\n')
                {
                    var line = _pending.ToString().TrimEnd('\r');
                    if (line.Length > 0) _lines.Add(line);
                    _pending.Clear();
                }
                else _pending.Append(value);
            }
        }

        public async Task WaitForLinesAsync(int count, Task<int> running)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (Lines.Count < count)
            {
                if (running.IsCompleted) throw new Xunit.Sdk.XunitException($"watch ended with {await running}; lines: {string.Join(" | ", Lines)}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"watch printed {Lines.Count} of {count} lines: {string.Join(" | ", Lines)}");
                await Task.Delay(5);
            }
        }
    }
}
