using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace VersionStore.OpenTelemetry.Tests;

/// <summary>
/// AddVersionStoreInstrumentation() collects what the library reports, by the names users build dashboards on:
/// the activity and instrument names asserted here are a public contract (renaming one breaks this test).
/// </summary>
public sealed class InstrumentationTests
{
    private static async Task CommitAndRollBackAsync()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("support-bot");
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"model\":\"a\"}"), new CommitOptions { Author = "ana", Message = "v1" });
        await repo.CreateTagAsync("v1", "main");
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"model\":\"b\"}"), new CommitOptions { Author = "ana", Message = "v2" });
        await repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1", Reason = "bad", Actor = "oncall" });
    }

    [Fact]
    public async Task Traces_carry_the_pinned_activity_names()
    {
        var activities = new List<Activity>();
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddVersionStoreInstrumentation().AddInMemoryExporter(activities).Build())
        {
            await CommitAndRollBackAsync();
            tracer.ForceFlush();
        }
        var names = activities.Select(a => a.OperationName).ToHashSet();
        Assert.Contains("vstore.commit", names);
        Assert.Contains("vstore.rollback", names);
        Assert.All(activities, a => Assert.StartsWith("VersionStore", a.Source.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_carry_the_pinned_instrument_names()
    {
        var metrics = new List<Metric>();
        using (var meters = Sdk.CreateMeterProviderBuilder().AddVersionStoreInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            await CommitAndRollBackAsync();
            meters.ForceFlush();
        }
        var names = metrics.Select(m => m.Name).ToHashSet();
        foreach (var name in new[] { "vstore.commits", "vstore.rollbacks", "vstore.commit.duration", "vstore.rollback.duration", "vstore.objects.written" })
            Assert.Contains(name, names);
    }

    [Fact]
    public void A_package_meter_named_by_the_prefix_is_collected_too()
    {
        var metrics = new List<Metric>();
        using var meter = new Meter("VersionStore.SomeLaterPackage");
        var counter = meter.CreateCounter<long>("vstore.later.things");
        using (var meters = Sdk.CreateMeterProviderBuilder().AddVersionStoreInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            counter.Add(3);
            meters.ForceFlush();
        }
        Assert.Contains(metrics, m => m.Name == "vstore.later.things");
    }
}
