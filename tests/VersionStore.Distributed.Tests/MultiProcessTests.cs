using System.Collections.Concurrent;
using System.Diagnostics;
using VersionStore.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Distributed.Tests;

/// <summary>
/// Several application processes share one Redis and one S3 (distributed mode). Each commits concurrently to the same
/// branch and prints the ids it got acknowledged; the final history must hold every acknowledged commit exactly once,
/// and every process must read the same head.
/// </summary>
public sealed class MultiProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Workers = 3;
    private const int CommitsPerWorker = 8;
    private readonly TempDirectory _dir = new("distributed-mp");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Concurrent_commits_from_three_processes_are_all_in_the_history_exactly_once()
    {
        var redis = ServerEnvironment.RedisEndpoint;
        var s3 = TestServers.S3Url;
        var s3Prefix = "mp/" + Guid.NewGuid().ToString("N");
        var keyPrefix = $"mp{Guid.NewGuid():N}:";
        const string repoName = "support-bot";

        var sw = Stopwatch.StartNew();
        var workers = new List<(Process Process, ConcurrentQueue<string> Lines)>();
        try
        {
            for (var w = 0; w < Workers; w++)
            {
                var lines = new ConcurrentQueue<string>();
                var p = StartWorker(["commit", redis, s3, TestServers.Bucket, s3Prefix, keyPrefix, _dir.Combine($"w{w}"), repoName, "main",
                    CommitsPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture), $"w{w}"], lines);
                workers.Add((p, lines));
            }
            foreach (var (p, lines) in workers) await WaitForLineAsync(p, lines, "DONE", TimeSpan.FromSeconds(90));
            var commitPhase = sw.Elapsed;

            foreach (var (p, _) in workers) await p.StandardInput.WriteLineAsync("head");
            var heads = new List<string>();
            foreach (var (p, lines) in workers) heads.Add((await WaitForLineAsync(p, lines, "HEAD ", TimeSpan.FromSeconds(30)))["HEAD ".Length..]);
            foreach (var (p, _) in workers) p.StandardInput.Close();

            var acked = workers.SelectMany(w => w.Lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => ObjectId.Parse(l.Substring(4)))).ToList();
            Assert.Equal(Workers * CommitsPerWorker, acked.Count);
            Assert.Equal(acked.Count, acked.Distinct().Count());

            // A fresh process-like reader (own connections, own S3 index, no local cache) sees the same history.
            await using var reader = await TestServers.Distributed(redis, keyPrefix, s3Prefix, dataPath: null).BuildAsync();
            var repo = reader.GetRepository(repoName);
            var log = new List<ObjectId>();
            await foreach (var c in repo.LogAsync("main")) log.Add(c.Id);
            var head = (await repo.ResolveAsync("main")).ToString();

            output.WriteLine($"{Workers} processes x {CommitsPerWorker} commits: {acked.Count} acknowledged, history {log.Count} commits, commit phase {commitPhase.TotalSeconds:F1} s");
            output.WriteLine($"heads read by the processes: {string.Join(", ", heads.Select(h => h[..12]))}; reader: {head[..12]}");

            Assert.Equal(log.Count, log.Distinct().Count());
            foreach (var id in acked) Assert.Contains(id, log);
            Assert.Equal(acked.Count, log.Count); // nothing but the acknowledged commits
            Assert.All(heads, h => Assert.Equal(head, h));
            var snapshot = await repo.CheckoutAsync("main");
            var entries = new List<string>();
            await foreach (var e in snapshot.EnumerateAsync()) entries.Add(e.Path);
            Assert.Equal(Workers * CommitsPerWorker, entries.Count); // every worker's every step survived the rebases
        }
        finally
        {
            foreach (var (p, _) in workers)
            {
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
        }
    }

    private Process StartWorker(string[] args, ConcurrentQueue<string> lines)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "VersionStore.Distributed.Worker.dll");
        Assert.True(File.Exists(dll), $"worker not built: {dll}");
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("ERR " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<string> WaitForLineAsync(Process p, ConcurrentQueue<string> lines, string prefix, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var line = lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null) return line;
            if (p.HasExited || sw.Elapsed > timeout)
                throw new Xunit.Sdk.XunitException($"worker did not print '{prefix}' (exited: {p.HasExited}); output:\n{string.Join('\n', lines)}");
            await Task.Delay(20);
        }
    }
}
