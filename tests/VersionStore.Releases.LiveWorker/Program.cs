// One process of the live-channel propagation test (Redis for refs, objects and change notices). Usage:
//   watch  <redis> <key-prefix> <repo> <channel> <head-cache-dir>   a LiveChannel; prints "CHANGE <seq> <version> <unix-us> <stale>" per change
//   poll   <redis> <key-prefix> <repo> <channel> <interval-ms>      the naive peer: reads the channel every interval; prints CHANGE when it moved
//   write  <redis> <key-prefix> <repo> <channel> <count> <pause-ms> <v1> <v2> <v3>
//          alternates publish and rollback among three versions; prints "ACK <seq> <version> <unix-us>" per acknowledged change
//          (time taken right after the acknowledgement), "FAIL <message>" per failed attempt (retried), then "DONE".
// Watchers and pollers print "READY" once following, answer "state" on stdin with "STATE <seq> <version> <stale>", and exit at end of input.
using System.Globalization;
using VersionStore;
using VersionStore.Releases;

if (args.Length < 5) return Usage();
var (mode, redisConfig, prefix, repoName, channel) = (args[0], args[1], args[2], args[3], args[4]);
await using var redis = await RedisBackend.ConnectAsync(new RedisBackendOptions
{
    Configuration = redisConfig,
    KeyPrefix = prefix,
    OperationTimeout = TimeSpan.FromSeconds(1),
    ObjectTimeToLive = TimeSpan.FromHours(1),
});
var store = new RepositoryStore(redis.Objects, redis.Refs);
var output = TextWriter.Synchronized(Console.Out);

static long Micros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

switch (mode)
{
    case "watch" when args.Length == 6:
    {
        var options = new LiveChannelOptions
        {
            HeadCache = new InMemoryHeadCache(),
            Watch = new RefWatchOptions { SafetyPollInterval = TimeSpan.FromSeconds(5), RetryDelay = TimeSpan.FromMilliseconds(100) },
        };
        await using var live = await LiveChannel.StartAsync(store, repoName, channel, options);
        live.Changed += (_, c) => output.WriteLine($"CHANGE {c.Current.Sequence} {c.Current.Version} {Micros()} {c.Current.IsStale}");
        output.WriteLine("READY");
        while (Console.ReadLine() is { } line)
            if (line.Trim() == "state") output.WriteLine($"STATE {live.Current.Sequence} {live.Version} {live.Current.IsStale}");
        return 0;
    }
    case "poll" when args.Length == 6:
    {
        var interval = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));
        var channels = new ReleaseChannels(store.GetRepository(repoName));
        var current = await channels.GetStateAsync(channel);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(interval, stop.Token); } catch (OperationCanceledException) { return; }
                try
                {
                    var state = await channels.GetStateAsync(channel);
                    if (state.Sequence == Volatile.Read(ref current).Sequence) continue;
                    Volatile.Write(ref current, state);
                    output.WriteLine($"CHANGE {state.Sequence} {state.Stable} {Micros()} False");
                }
                catch (BackendUnavailableException) { }
            }
        });
        output.WriteLine("READY");
        while (Console.ReadLine() is { } line)
            if (line.Trim() == "state") output.WriteLine($"STATE {Volatile.Read(ref current).Sequence} {Volatile.Read(ref current).Stable} False");
        await stop.CancelAsync();
        await loop;
        return 0;
    }
    case "write" when args.Length == 10:
    {
        var count = int.Parse(args[5], CultureInfo.InvariantCulture);
        var pause = TimeSpan.FromMilliseconds(int.Parse(args[6], CultureInfo.InvariantCulture));
        string[] versions = [args[7], args[8], args[9]];
        var channels = new ReleaseChannels(store.GetRepository(repoName));
        for (var i = 0; i < count; i++)
        {
            while (true)
            {
                try
                {
                    long sequence;
                    string version;
                    if (i % 2 == 0)
                    {
                        var entry = await channels.PublishAsync(channel, versions[i / 2 % 3], "writer", $"publish {i}");
                        (sequence, version) = (entry.Sequence, entry.New!.Value.ToString());
                        output.WriteLine($"ACK {sequence} {version} {Micros()}");
                    }
                    else
                    {
                        var result = await channels.RollbackAsync(channel, versions[(i / 2 + 1) % 3], $"rollback {i}", "writer");
                        var acked = Micros();
                        if (result.Status == RollbackStatus.AlreadyAtTarget) break; // a retried rollback whose lost reply had applied it
                        if (result.Status != RollbackStatus.Succeeded) throw new InvalidOperationException("rollback " + result.Status);
                        // The rollback result names the new head; its sequence is read after the acknowledgement time was taken.
                        sequence = (await channels.GetStateAsync(channel)).Sequence;
                        output.WriteLine($"ACK {sequence} {result.NewHead} {acked}");
                    }
                    break;
                }
                catch (Exception e) when (e is BackendUnavailableException or RefConflictException)
                {
                    // While Redis is down every write fails at once; a lost reply may have applied it (a conflict next time).
                    output.WriteLine($"FAIL {e.GetType().Name}");
                    await Task.Delay(100);
                    if (e is RefConflictException) break;
                }
            }
            await Task.Delay(pause);
        }
        output.WriteLine("DONE");
        return 0;
    }
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: watch|poll|write <redis> <key-prefix> <repo> <channel> … (see Program.cs)");
    return 2;
}
