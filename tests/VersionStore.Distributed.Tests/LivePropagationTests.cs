using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using VersionStore.Conformance;
using VersionStore.Releases;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Distributed.Tests;

/// <summary>
/// "Every instance sees the rollback at once", measured: 8 watcher processes hold a <see cref="LiveChannel"/> over a
/// private redis-server (AOF, so it can be killed and restarted with its data), a 9th process is the naive peer (reads
/// the channel every second), another process publishes and rolls back 200 times. Per change: the delay from the
/// writer's acknowledgement to each watcher's update (wall clock of one machine). Then Redis is killed (by PID) and
/// restarted in the middle of a second run: every watcher must end on the final version, none stale. The in-process
/// embedded figure (RocksDB, same process) is measured in the same run, for the table side by side.
/// </summary>
public sealed class LivePropagationTests(ITestOutputHelper output) : IDisposable
{
    private const int Watchers = 8;
    private const string Repo = "support-bot";
    private const string Channel = "prod";
    private readonly TempDirectory _dir = new("live-propagation");
    private readonly List<Worker> _workers = [];

    public void Dispose()
    {
        foreach (var w in _workers) w.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Eight_watcher_processes_follow_200_changes_and_a_redis_restart_and_end_on_the_head()
    {
        using var redis = new RedisServerProcess();
        await redis.StartAsync();
        var prefix = $"live{Guid.NewGuid():N}:"[..16];
        var versions = await SeedAsync(redis.Endpoint, prefix);

        for (var i = 0; i < Watchers; i++) _workers.Add(Worker.Start(["watch", redis.Endpoint, prefix, Repo, Channel, _dir.Combine($"heads-{i}")], $"w{i}"));
        var poller = Worker.Start(["poll", redis.Endpoint, prefix, Repo, Channel, "1000"], "poller");
        _workers.Add(poller);
        foreach (var w in _workers) await w.WaitForAsync(l => l == "READY", TimeSpan.FromSeconds(60));
        var watchers = _workers.Take(Watchers).ToList();

        // ---- run 1: 20 warm-up changes (JIT in every process), then 200 publishes/rollbacks, Redis up throughout
        var writer = Worker.Start(["write", redis.Endpoint, prefix, Repo, Channel, "220", "10", .. versions], "writer");
        _workers.Add(writer);
        await writer.WaitForAsync(l => l == "DONE", TimeSpan.FromSeconds(180));
        var acks = Acks(writer).Skip(20).ToList();
        Assert.Equal(200, acks.Count);
        var head = acks[^1];
        foreach (var w in watchers) await w.WaitForAsync(l => l.StartsWith("CHANGE ", StringComparison.Ordinal) && Seq(l) >= head.Seq, TimeSpan.FromSeconds(20));
        await poller.WaitForAsync(l => l.StartsWith("CHANGE ", StringComparison.Ordinal) && Seq(l) >= head.Seq, TimeSpan.FromSeconds(10));
        foreach (var w in watchers) Assert.Equal((head.Seq, head.Version, false), await w.StateAsync());

        var crossProcess = Delays(acks, watchers);
        var naive = Delays(acks, [poller]);
        var missed = watchers.Sum(w => acks.Count - w.Changes().Select(c => c.Seq).Distinct().Count(s => acks.Any(a => a.Seq == s)));

        // ---- in process, embedded (RocksDB): the same 200 changes, watched by a LiveChannel in the writer's process
        var embedded = await EmbeddedDelaysAsync(200);

        // ---- run 2: Redis killed and restarted in the middle
        var writer2 = Worker.Start(["write", redis.Endpoint, prefix, Repo, Channel, "60", "25", .. versions], "writer2");
        _workers.Add(writer2);
        await writer2.WaitForAsync(l => Acks(writer2).Count >= 20, TimeSpan.FromSeconds(60));
        var ackedBeforeKill = Acks(writer2).Count;
        redis.Kill();
        var killedAt = Stopwatch.StartNew();
        await writer2.WaitForAsync(l => l.StartsWith("FAIL ", StringComparison.Ordinal), TimeSpan.FromSeconds(20)); // writes fail while it is down
        await Task.Delay(TimeSpan.FromSeconds(1)); // an outage of a little over a second
        await redis.StartAsync();
        var down = killedAt.Elapsed;
        await writer2.WaitForAsync(l => l == "DONE", TimeSpan.FromSeconds(120));
        var final = Acks(writer2)[^1];
        var convergence = Stopwatch.StartNew();
        foreach (var w in watchers)
        {
            while (await w.StateAsync() != (final.Seq, final.Version, false))
            {
                if (convergence.Elapsed > TimeSpan.FromSeconds(30))
                    throw new Xunit.Sdk.XunitException($"{w.Name} stuck at {await w.StateAsync()} while the head is {final}");
                await Task.Delay(100);
            }
        }
        var restartCatchUp = convergence.Elapsed;

        var report = new[]
        {
            $"propagation, writer acknowledgement -> watcher's LiveChannel updated ({Environment.ProcessorCount} cores, loopback, one run):",
            "| path | samples | p50 | p99 | max |",
            "|---|---:|---:|---:|---:|",
            Row($"cross-process, Redis pub/sub, {Watchers} watcher processes", crossProcess),
            Row("in-process, embedded RocksDB", embedded),
            Row("naive peer: a reader polling every 1 s (separate process)", naive),
            "| anchor: LaunchDarkly flag change (published) | | 200 ms | | |",
            "| anchor: Langfuse prompt cache TTL (published) | | | | 60 s |",
            $"changes reported by reconciliation instead of a notice (folded): {missed} of {acks.Count * Watchers}",
            $"redis killed after {ackedBeforeKill} acknowledged changes of run 2 ({Acks(writer2).Count} in all), down {down.TotalSeconds:0.0} s; every watcher on the final version {final.Version[..12]} @{final.Seq}, not stale, {restartCatchUp.TotalMilliseconds:0} ms after the writer finished",
        };
        foreach (var line in report) output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("VSTORE_PROPAGATION_REPORT") is { Length: > 0 } path) await File.WriteAllLinesAsync(path, report);

        Assert.True(Percentile(crossProcess, 0.50) <= 20, "cross-process p50 above 20 ms");
        Assert.True(Percentile(crossProcess, 0.99) < 200, "cross-process p99 not below LaunchDarkly's 200 ms");
        // The in-process p99 is a figure for the report, not a pass mark: on two cores it shares the machine with eight
        // watcher processes, so one scheduling hiccup decides it. Its median must still be push-fast.
        Assert.True(Percentile(embedded, 0.50) <= 5, "in-process p50 above 5 ms");
        Assert.True(Percentile(naive, 0.50) > 10 * Percentile(crossProcess, 0.50), "the naive poller should be far slower than push");
    }

    private async Task<string[]> SeedAsync(string endpoint, string prefix)
    {
        await using var redis = await RedisBackend.ConnectAsync(new RedisBackendOptions { Configuration = endpoint, KeyPrefix = prefix, ObjectTimeToLive = TimeSpan.FromHours(1) });
        var store = new RepositoryStore(redis.Objects, redis.Refs);
        var ids = await CommitVersionsAsync(store.GetRepository(Repo));
        await new ReleaseChannels(store.GetRepository(Repo)).PublishAsync(Channel, ids[0], "seed", "first release");
        return ids;
    }

    private static async Task<string[]> CommitVersionsAsync(Repository repo)
    {
        var files = TestData.HistoryVersions("ivytechnx-bnk-03-customer-inquiry");
        var ids = new string[3];
        for (var i = 0; i < 3; i++)
            ids[i] = (await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", await File.ReadAllBytesAsync(files[i])), new CommitOptions { Author = "ana", Message = $"v1.{4 + i}.0" })).Id.ToString();
        return ids;
    }

    private async Task<List<double>> EmbeddedDelaysAsync(int count)
    {
        using var backend = RocksDbBackend.Open(_dir.Combine("embedded"));
        var store = new RepositoryStore(backend, backend);
        var repo = store.GetRepository(Repo);
        var ids = await CommitVersionsAsync(repo);
        var channels = new ReleaseChannels(repo);
        await channels.PublishAsync(Channel, ids[0], "seed", "first release");
        await using var live = await LiveChannel.StartAsync(store, Repo, Channel);
        // The update time is taken in the Changed handler (raised right after the swap), so the measuring thread
        // waits without spinning on a core the watch needs.
        var updated = new ConcurrentDictionary<long, long>();
        live.Changed += (_, c) => updated[c.Current.Sequence] = Stopwatch.GetTimestamp();
        var delays = new List<double>();
        for (var i = 0; i < count + 20; i++)
        {
            var before = live.Current.Sequence;
            if (i % 2 == 0) await channels.PublishAsync(Channel, ids[i / 2 % 3], "writer", $"publish {i}");
            else await channels.RollbackAsync(Channel, ids[(i / 2 + 1) % 3], $"rollback {i}", "writer");
            var acked = Stopwatch.GetTimestamp();
            var seq = before + 1;
            var sw = Stopwatch.StartNew();
            long at;
            while (!updated.TryGetValue(seq, out at))
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("embedded live channel did not update");
                await Task.Yield();
            }
            if (i >= 20) delays.Add(Math.Max(0, Stopwatch.GetElapsedTime(acked, at).TotalMilliseconds)); // the first 20 warm the JIT
        }
        return delays;
    }

    private static long Seq(string line) => long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);

    private static List<(long Seq, string Version, long Time)> Acks(Worker writer)
        => [.. writer.Lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => l.Split(' ')).Select(p => (long.Parse(p[1], CultureInfo.InvariantCulture), p[2], long.Parse(p[3], CultureInfo.InvariantCulture)))];

    /// <summary>Per acknowledged change and watcher: the first update at or after its sequence, minus the acknowledgement time (ms).</summary>
    private static List<double> Delays(List<(long Seq, string Version, long Time)> acks, IEnumerable<Worker> watchers)
    {
        var delays = new List<double>();
        foreach (var w in watchers)
        {
            var changes = w.Changes();
            foreach (var ack in acks)
            {
                var seen = changes.FirstOrDefault(c => c.Seq >= ack.Seq);
                if (seen.Seq == 0) continue;
                delays.Add(Math.Max(0, seen.Time - ack.Time) / 1000.0);
            }
        }
        return delays;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Row(string path, List<double> d)
        => $"| {path} | {d.Count} | {Ms(Percentile(d, 0.5))} | {Ms(Percentile(d, 0.99))} | {Ms(d.Max())} |";

    private static string Ms(double ms) => ms < 1 ? ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms" : ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>A LiveWorker child process and the lines it printed.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();

        private Worker(Process process, string name)
        {
            _process = process;
            Name = name;
        }

        public string Name { get; }

        public IReadOnlyList<string> Lines => [.. _lines];

        public static Worker Start(string[] args, string name)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "VersionStore.Releases.LiveWorker.dll");
            Assert.True(File.Exists(dll), $"worker not built: {dll}");
            var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
            var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(dll);
            foreach (var a in args) info.ArgumentList.Add(a);
            var worker = new Worker(Process.Start(info)!, name);
            worker._process.OutputDataReceived += (_, e) => { if (e.Data is not null) worker._lines.Enqueue(e.Data); };
            worker._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker._lines.Enqueue("ERR " + e.Data); };
            worker._process.BeginOutputReadLine();
            worker._process.BeginErrorReadLine();
            return worker;
        }

        public List<(long Seq, long Time)> Changes()
            => [.. Lines.Where(l => l.StartsWith("CHANGE ", StringComparison.Ordinal)).Select(l => l.Split(' ')).Select(p => (long.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[3], CultureInfo.InvariantCulture)))];

        public async Task WaitForAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (!_lines.Any(match))
            {
                if (_process.HasExited || sw.Elapsed > timeout)
                    throw new Xunit.Sdk.XunitException($"{Name} did not print the expected line (exited: {_process.HasExited}); last output:\n{string.Join('\n', Lines.TakeLast(30))}");
                await Task.Delay(10);
            }
        }

        public async Task<(long Seq, string Version, bool Stale)> StateAsync()
        {
            var before = Lines.Count(l => l.StartsWith("STATE ", StringComparison.Ordinal));
            await _process.StandardInput.WriteLineAsync("state");
            await _process.StandardInput.FlushAsync();
            var sw = Stopwatch.StartNew();
            while (true)
            {
                var states = Lines.Where(l => l.StartsWith("STATE ", StringComparison.Ordinal)).ToList();
                if (states.Count > before)
                {
                    var p = states[^1].Split(' ');
                    return (long.Parse(p[1], CultureInfo.InvariantCulture), p[2], bool.Parse(p[3]));
                }
                if (_process.HasExited || sw.Elapsed > TimeSpan.FromSeconds(10)) throw new Xunit.Sdk.XunitException($"{Name} did not answer 'state'");
                await Task.Delay(5);
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.Close();
                    if (!_process.WaitForExit(3000)) _process.Kill();
                }
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}
