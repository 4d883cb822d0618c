// AutoRollback: a simulated service degrades after release v1.5.0; the release guard rolls channel prod back to the
// last-known-good v1.4.0 and keeps watching until health recovers. Embedded RocksDB store in a temp folder.
//   dotnet run --project samples/AutoRollback             (the story)
//   dotnet run --project samples/AutoRollback -- --bench  (trigger-to-rollback-visible latency, library and HTTP)
using AutoRollback;
using VersionStore;
using VersionStore.Releases;

if (args.Contains("--bench"))
{
    var iterations = args.SkipWhile(a => a != "--bench").Skip(1).Select(a => int.TryParse(a, out var n) ? n : 0).FirstOrDefault();
    await LatencyBenchmark.RunAsync(iterations > 0 ? iterations : 300);
    return;
}

var folder = Path.Combine(Path.GetTempPath(), "vstore-autorollback-" + Guid.NewGuid().ToString("N")[..8]);
var clock = new SimulatedClock(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
var host = await new VersionStoreBuilder()
    .UseRocksDb(folder)
    .Configure(o => o.Store.TimeProvider = clock)
    .BuildAsync();
await using (host)
{
    var store = host.Store;
    var repo = store.GetRepository("support-bot");
    var channels = new ReleaseChannels(repo);
    var (good, bad, source) = Workflows.Load();
    Console.WriteLine($"store: RocksDB at {folder}; workflow: {source}");

    var v140 = await repo.CommitAsync("main", good, new CommitOptions { Author = "ana", Message = "v1.4.0: gpt-4o support bot" });
    await repo.CreateTagAsync("v1.4.0", v140.Id.ToString());
    await channels.PublishAsync("prod", "v1.4.0", "ana", "release 1.4.0");
    await channels.MarkLastKnownGoodAsync("prod", v140.Id, "ana", "ran a week without incident");
    clock.Advance(TimeSpan.FromDays(7));
    var v150 = await repo.CommitAsync("main", bad, new CommitOptions { Author = "ben", Message = "v1.5.0: cheaper model, hotter sampling" });
    await repo.CreateTagAsync("v1.5.0", v150.Id.ToString());
    await channels.PublishAsync("prod", "v1.5.0", "ben", "release 1.5.0");
    Console.WriteLine($"published v1.5.0 ({v150.Id.ToString(12)}) to prod; last-known-good is v1.4.0 ({v140.Id.ToString(12)})");
    foreach (var change in await repo.DiffAsync("v1.4.0", "v1.5.0")) Console.WriteLine($"  {change}");

    var guard = new ReleaseGuard(channels, "prod", new ReleaseGuardOptions { TimeProvider = clock, InstanceId = "sample" });
    guard.DecisionMade += d =>
    {
        Console.WriteLine();
        Console.WriteLine($">>> guard decision: {d.Action} — {d.Summary}");
        foreach (var f in d.Findings) Console.WriteLine($"    trigger {f.Trigger} ({f.Severity}): {f.Evidence}");
        if (d.Rollback is { } r) Console.WriteLine($"    rollback {r.Status}: {r.From.ToString(12)} -> {r.NewHead.ToString(12)} effective {r.EffectiveTime:HH:mm:ss.fff} in {r.Elapsed.TotalMilliseconds:0.00} ms");
        Console.WriteLine();
    };

    // The service runs whatever prod serves; v1.5.0 degrades a little more every 10 s.
    var reader = new ChannelReader(store);
    var random = new Random(42);
    var badTicks = 0;
    for (var tick = 0; tick < 45 && guard.Phase is not (GuardPhase.Escalated or GuardPhase.Stable) || tick < 3; tick++)
    {
        var serving = (await reader.GetAsync(repo.Name, ReleaseChannels.ChannelRef("prod")))!;
        var degraded = serving.Version == v150.Id;
        var requests = 180 + random.Next(40);
        var errorRate = degraded ? Math.Min(0.01 + 0.012 * badTicks++, 0.4) : 0.004 + random.NextDouble() * 0.004;
        var sample = new HealthSample
        {
            Requests = requests,
            Errors = (long)Math.Round(requests * errorRate),
            LatencyP99 = TimeSpan.FromMilliseconds(degraded ? 900 + 60 * badTicks : 350 + random.Next(80)),
            Source = "support-bot-7d9f",
        };
        Console.WriteLine($"{clock.GetUtcNow():HH:mm:ss} serving {(degraded ? "v1.5.0" : "v1.4.0")} requests={sample.Requests,4} errors={sample.Errors,3} ({(double)sample.Errors / sample.Requests:P1}) p99={sample.LatencyP99!.Value.TotalMilliseconds,5:0} ms  phase={guard.Phase}");
        await guard.IngestAsync(sample);
        clock.Advance(TimeSpan.FromSeconds(10));
    }

    Console.WriteLine("channel history (newest first):");
    await foreach (var e in channels.HistoryAsync("prod")) Console.WriteLine($"  {e}");
    Console.WriteLine("guard log (newest first):");
    await foreach (var e in channels.GuardLogAsync("prod"))
    {
        Console.WriteLine($"  {e}");
        foreach (var d in e.Details) Console.WriteLine($"      {d.Key}: {d.Value}");
    }
    Console.WriteLine($"audit chain intact: {(await repo.VerifyAuditAsync(ReleaseChannels.ChannelRef("prod"))).Intact}; prod serves {(await channels.GetAsync("prod")).Head?.ToString(12)}");
}
try { Directory.Delete(folder, true); } catch (IOException) { }
