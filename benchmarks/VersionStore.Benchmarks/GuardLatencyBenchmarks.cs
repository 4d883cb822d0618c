using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VersionStore.AspNetCore;
using VersionStore.Releases;

namespace VersionStore.Benchmarks;

/// <summary>
/// One operation per iteration (its setup is not timed), so the iteration statistics are per-operation ones: the
/// Median column is p50 and the P99 column p99. Quick: 3 warmups + 15 iterations; full: 20 + 500.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SingleShotJobAttribute() : JobMutatorConfigBaseAttribute(Job.Default
    .WithInvocationCount(1).WithUnrollFactor(1)
    .WithWarmupCount(BenchSettings.Quick ? 3 : 20)
    .WithIterationCount(BenchSettings.Quick ? 15 : 500));

/// <summary>
/// Goal: release guard trigger-to-rollback-visible latency on the embedded RocksDB store. Each iteration
/// re-publishes the bad version (v1.5.0 = the 200-node real workflow with a 1–5 node edit) to <c>prod</c> and feeds
/// four healthy samples (not timed); the timed part runs from handing over the sample that crosses the error-rate
/// threshold (5% over the window) until a fresh read of the channel ref shows the last-known-good version.
/// <list type="bullet">
/// <item><c>RepositoryRollback</c> (baseline): the plain <c>Repository.RollbackAsync</c> of the same channel
/// (reset mode, expected head = the bad version, as the guard does) + the ref read.</item>
/// <item><c>GuardLibrary</c>: <c>ReleaseGuard.IngestAsync(sample)</c> + the ref read.</item>
/// <item><c>GuardHttp</c>: <c>POST /v1/workflows/{id}/channels/prod/health</c> + <c>GET …/channels/prod</c> on a
/// loopback Kestrel hosting <c>MapVersionStoreApi</c> in process (its own guard).</item>
/// </list>
/// <see cref="Verification"/>: <c>cached</c> = default options (a target verified within <c>VerifiedSnapshotTtl</c>,
/// 5 min, is not re-read: every rollback after the first); <c>cold</c> = <c>VerifiedSnapshotTtl = 0</c>, each rollback
/// reads and hashes the target's whole snapshot (~350 objects) like the first rollback of an incident.
/// </summary>
[MemoryDiagnoser]
[SingleShotJob]
public class GuardLatencyBenchmarks
{
    private const string Workflow = "support-bot";
    private const string Channel = "prod";
    private const string Token = "bench-token";
    private static readonly RefName ChannelRef = ReleaseChannels.ChannelRef(Channel);
    private static readonly HealthSample Healthy = new() { Requests = 100, Errors = 0, Source = "bench" };
    // 30 errors in 500 requests over the window = 6% >= 5%.
    private static readonly HealthSample Crossing = new() { Requests = 100, Errors = 30, Source = "bench" };
    private const string HealthyJson = """{"requests": 100, "errors": 0, "source": "bench"}""";
    private const string CrossingJson = """{"requests": 100, "errors": 30, "source": "bench"}""";

    private TempDirectory _temp = null!;
    private RepositoryStore _store = null!;
    private VersionStore.Repository _repo = null!;
    private ReleaseChannels _channels = null!;
    private ReleaseGuard _guard = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private ObjectId _good, _bad;
    private string _healthPath = "", _channelPath = "";

    [Params("cached", "cold")]
    public string Verification { get; set; } = "";

    [GlobalSetup]
    public async Task Setup()
    {
        _temp = new TempDirectory("guard");
        var backend = RocksDbBackend.Open(_temp.Sub("db"));
        var options = new VersionStoreOptions();
        if (Verification == "cold") options.VerifiedSnapshotTtl = TimeSpan.Zero;
        _store = new RepositoryStore(backend, backend, options, ownedBackend: backend);
        _repo = _store.GetRepository(Workflow);
        _channels = new ReleaseChannels(_repo);
        var fixture = new WorkflowFixture();
        _good = (await _repo.CommitAsync("main", SnapshotChanges.FromEntries(fixture.Entries), new CommitOptions { Author = "ana", Message = "v1.4.0" })).Id;
        var edit = new SnapshotChanges();
        foreach (var (path, content) in fixture.NextEdit()) edit.Put(path, content);
        _bad = (await _repo.CommitAsync("main", edit, new CommitOptions { Author = "ana", Message = "v1.5.0" })).Id;
        await _channels.PublishAsync(Channel, _good.ToString(), "ana");
        await _channels.MarkLastKnownGoodAsync(Channel, _good, "ana");
        _guard = new ReleaseGuard(_channels, Channel, new ReleaseGuardOptions { InstanceId = "bench" });

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_store);
        builder.Services.AddVersionStoreApi(o =>
        {
            o.BearerToken = Token;
            o.GuardOptions = (_, _) => new ReleaseGuardOptions { InstanceId = "bench-http" };
        });
        _app = builder.Build();
        _app.MapVersionStoreApi();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        _healthPath = $"/v1/workflows/{Workflow}/channels/{Channel}/health";
        _channelPath = $"/v1/workflows/{Workflow}/channels/{Channel}";
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        _temp.Dispose();
    }

    private Task PublishBadAsync() => _channels.PublishAsync(Channel, _bad.ToString(), "ana", "release 1.5.0");

    [IterationSetup(Target = nameof(RepositoryRollback))]
    public void SetupRollback() => PublishBadAsync().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(GuardLibrary))]
    public void SetupGuard()
    {
        PublishBadAsync().GetAwaiter().GetResult();
        for (var i = 0; i < 4; i++)
            if (_guard.IngestAsync(Healthy).GetAwaiter().GetResult() is { Action: GuardAction.RolledBack } d) throw new InvalidOperationException($"healthy sample rolled back: {d.Summary}");
    }

    [IterationSetup(Target = nameof(GuardHttp))]
    public void SetupHttp()
    {
        PublishBadAsync().GetAwaiter().GetResult();
        for (var i = 0; i < 4; i++) PostAsync(HealthyJson).GetAwaiter().GetResult();
    }

    private async Task PostAsync(string json)
    {
        using var response = await _http.PostAsync(_healthPath, new StringContent(json, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST health: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<bool> ServesGoodAsync()
    {
        var head = await _repo.TryGetRefAsync(ChannelRef);
        if (head?.Target != _good) throw new InvalidOperationException($"channel serves {head?.Target}, expected the last-known-good {_good}");
        return true;
    }

    /// <summary>Peer: the plain channel rollback (reset to last-known-good, expected head = bad) + the ref read.</summary>
    [Benchmark(Baseline = true)]
    public async Task<bool> RepositoryRollback()
    {
        var result = await _repo.RollbackAsync(new RollbackRequest
        {
            Ref = ChannelRef,
            Target = _good.ToString(),
            Reason = "error rate 6% >= 5%",
            Actor = "operator",
            Mode = RollbackMode.Reset,
            ExpectedHead = _bad,
        });
        if (result.Status != RollbackStatus.Succeeded) throw new InvalidOperationException($"rollback {result.Status}");
        return await ServesGoodAsync();
    }

    /// <summary>The guard in process: the threshold-crossing sample in, the rollback visible on a fresh ref read.</summary>
    [Benchmark]
    public async Task<bool> GuardLibrary()
    {
        var decision = await _guard.IngestAsync(Crossing);
        if (decision?.Action != GuardAction.RolledBack) throw new InvalidOperationException($"guard decided {decision?.Action}: {decision?.Summary}");
        return await ServesGoodAsync();
    }

    /// <summary>The guard behind the HTTP API: POST the crossing sample, then one GET of the channel, which must already serve the good version.</summary>
    [Benchmark]
    public async Task<bool> GuardHttp()
    {
        await PostAsync(CrossingJson);
        var served = await _http.GetStringAsync(_channelPath);
        if (!served.Contains(_good.ToString(), StringComparison.Ordinal)) throw new InvalidOperationException($"channel read after the trigger: {served}");
        return true;
    }
}
