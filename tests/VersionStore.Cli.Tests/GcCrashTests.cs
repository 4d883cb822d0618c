using System.Diagnostics;
using System.Text;
using System.Text.Json;
using VersionStore.Conformance;
using Xunit.Abstractions;

namespace VersionStore.Cli.Tests;

/// <summary>
/// <c>kill -9</c> of a <c>vstore gc</c> process at random moments, 20 times, on the embedded RocksDB store and on S3
/// packs (distributed mode, real Redis and s3rver): after each kill, <c>vstore verify</c> is clean and every protected
/// version (ref heads, tags, pins, what the channel served, the versions retention keeps) checks out byte-identical.
/// Between kills the history grows and garbage (deleted branches, versions outside retention) accumulates, so the
/// collector is killed while planning, sweeping, rewriting packs and compacting.
/// </summary>
public sealed class GcCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 20;
    private readonly CliHarness _cli = new();
    private readonly Dictionary<ObjectId, Dictionary<string, string>> _content = [];
    private readonly HashSet<ObjectId> _served = [];

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Killing_gc_at_random_moments_on_rocksdb_leaves_a_clean_store_that_loses_nothing_protected()
    {
        (await _cli.RunAsync("init")).Ok();
        await RunAsync([], async () =>
        {
            var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = _cli.DefaultStore, CreateIfMissing = false });
            return (new RepositoryStore(backend, backend, ownedBackend: backend), (IAsyncDisposable?)null);
        });
    }

    [Fact]
    public async Task Killing_gc_at_random_moments_on_s3_packs_leaves_a_clean_store_that_loses_nothing_protected()
    {
        var prefix = "gc-crash-" + Guid.NewGuid().ToString("N")[..10];
        var config = _cli.PathOf("distributed.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            mode = "distributed",
            rocksDb = new { path = _cli.PathOf("cache") },
            redis = new { configuration = ServerEnvironment.RedisEndpoint, keyPrefix = prefix },
            s3 = new
            {
                bucketName = "vstore-gc-crash",
                prefix,
                serviceUrl = ServerEnvironment.S3Endpoint.ToString(),
                forcePathStyle = true,
                s3CompatibleMode = true,
                accessKey = ServerEnvironment.S3AccessKey,
                secretKey = ServerEnvironment.S3SecretKey,
                createBucketIfMissing = true,
            },
        }));
        await RunAsync(["--config", config], async () =>
        {
            var host = await new VersionStoreBuilder()
                .UseRedis(o => { o.Configuration = ServerEnvironment.RedisEndpoint; o.KeyPrefix = prefix; })
                .UseS3(o =>
                {
                    o.BucketName = "vstore-gc-crash";
                    o.Prefix = prefix;
                    o.ServiceUrl = ServerEnvironment.S3Endpoint.ToString();
                    o.ForcePathStyle = o.S3CompatibleMode = o.CreateBucketIfMissing = true;
                    o.AccessKey = ServerEnvironment.S3AccessKey;
                    o.SecretKey = ServerEnvironment.S3SecretKey;
                })
                .UseRocksDb(_cli.PathOf("cache"))
                .BuildAsync();
            return (host.Store, host);
        });
    }

    private async Task RunAsync(string[] storeArgs, Func<Task<(RepositoryStore Store, IAsyncDisposable? Host)>> open)
    {
        var random = new Random(20261201);
        int killed = 0, finished = 0;
        var fullRun = TimeSpan.Zero;
        for (var round = 0; round < Kills; round++)
        {
            var (store, host) = await open();
            try
            {
                await GrowAsync(store.GetRepository("wf"), round);
            }
            finally
            {
                await store.DisposeAsync();
                if (host is not null) await host.DisposeAsync();
            }

            // The first round measures a whole run; later ones kill at a random moment of such a run (or let it finish).
            var delay = round == 0 ? int.MaxValue : random.Next(0, (int)(fullRun.TotalMilliseconds * 1.1));
            var started = Stopwatch.GetTimestamp();
            using (var gc = StartGc(["gc", "--grace", "0", .. storeArgs]))
            {
                var exited = gc.WaitForExit(delay);
                if (exited && (round == 0 || Stopwatch.GetElapsedTime(started) < fullRun)) fullRun = Stopwatch.GetElapsedTime(started); // the quickest whole run seen
                if (!exited)
                {
                    gc.Kill(entireProcessTree: true); // SIGKILL
                    gc.WaitForExit();
                    killed++;
                }
                else
                {
                    Assert.True(gc.ExitCode == 0, $"gc exited with {gc.ExitCode}: {gc.StandardError.ReadToEnd()}");
                    finished++;
                }
            }

            (await _cli.RunAsync(["verify", .. storeArgs])).Ok();
            (store, host) = await open();
            try
            {
                await CheckProtectedAsync(store.GetRepository("wf"));
            }
            finally
            {
                await store.DisposeAsync();
                if (host is not null) await host.DisposeAsync();
            }
        }
        output.WriteLine($"{Kills} rounds: {killed} collectors killed mid-run (at random moments of a {fullRun.TotalMilliseconds:0} ms run), {finished} finished; verify clean and every protected version intact after each");
        Assert.True(killed >= Kills / 4, $"only {killed} of {Kills} collectors were killed mid-run");
        // Two complete runs after all that: they free what the killed ones planned, and the store stays clean and whole.
        long freed = 0;
        for (var i = 0; i < 2; i++)
        {
            using var last = StartGc(["gc", "--grace", "0", "--json", .. storeArgs]);
            var json = await last.StandardOutput.ReadToEndAsync();
            await last.WaitForExitAsync();
            Assert.True(last.ExitCode == 0, await last.StandardError.ReadToEndAsync());
            using var doc = JsonDocument.Parse(json);
            freed += doc.RootElement.GetProperty("bytesFreed").GetInt64();
            output.WriteLine($"complete run {i + 1}: objectsDeleted {doc.RootElement.GetProperty("objectsDeleted").GetInt64()}, bytesFreed {doc.RootElement.GetProperty("bytesFreed").GetInt64()}");
        }
        Assert.True(freed > 0, "the complete runs freed nothing");
        (await _cli.RunAsync(["verify", .. storeArgs])).Ok();
        var (s, h) = await open();
        try { await CheckProtectedAsync(s.GetRepository("wf")); }
        finally
        {
            await s.DisposeAsync();
            if (h is not null) await h.DisposeAsync();
        }
    }

    private async Task GrowAsync(Repository repo, int round)
    {
        if (round == 0) await repo.SetRetentionPolicyAsync(new RetentionPolicy(KeepLast: 3), "test", "crash test");
        for (var i = 0; i < 6; i++) await CommitAsync(repo, "main", $"nodes/n{i % 4}", $"{{\"round\":{round},\"i\":{i},\"pad\":\"{new string('x', 300)}\"}}");
        var tmp = $"tmp{round}";
        await CommitAsync(repo, tmp, "nodes/tmp", $"{{\"abandoned\":{round}}}");
        await CommitAsync(repo, tmp, "nodes/tmp2", $"{{\"abandoned\":{round},\"more\":true}}");
        await repo.DeleteRefAsync(RefName.Branch(tmp), "test", "abandoned");
        var head = (await repo.TryGetRefAsync(RefName.Branch("main")))!.Target;
        if (round % 4 == 0) await repo.CreateTagAsync($"r{round}", head.ToString());
        if (round % 5 == 1) await repo.PinAsync(head.ToString(), "test", "hold");
        if (round % 3 == 2)
        {
            var prod = await repo.TryGetRefAsync(RefName.Channel("prod"));
            await repo.UpdateRefAsync(RefName.Channel("prod"), head, prod?.Target, "publish", "test");
            _served.Add(head);
        }
    }

    private async Task CommitAsync(Repository repo, string branch, string path, string text)
    {
        var head = await repo.TryGetRefAsync(RefName.Branch(branch));
        var content = head is null ? new Dictionary<string, string>() : new Dictionary<string, string>(_content[head.Target]);
        content[path] = text;
        var result = await repo.CommitAsync(branch, new SnapshotChanges().Put(path, text), new CommitOptions { Author = "test", Message = path });
        _content[result.Id] = content;
    }

    private async Task CheckProtectedAsync(Repository repo)
    {
        var versions = new HashSet<ObjectId>(_served);
        await foreach (var r in repo.ListRefsAsync())
            if (r.Name.Kind != RefKind.Meta) versions.Add(r.Target);
        await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = ["main"], FirstParentOnly = true, MaxCount = 3 })) versions.Add(c.Id);
        foreach (var v in versions)
        {
            var all = await (await repo.CheckoutAsync(v.ToString())).ReadAllAsync();
            var expected = _content[v];
            Assert.Equal(expected.Count, all.Count);
            foreach (var (path, text) in expected) Assert.Equal(text, Encoding.UTF8.GetString(all[path].Span));
        }
    }

    private Process StartGc(string[] args)
    {
        var info = _cli.ExecutableStartInfo(args);
        info.Environment["AWS_ACCESS_KEY_ID"] = ServerEnvironment.S3AccessKey;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = ServerEnvironment.S3SecretKey;
        return Process.Start(info)!;
    }
}
