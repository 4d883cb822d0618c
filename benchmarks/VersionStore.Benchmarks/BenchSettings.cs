using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace VersionStore.Benchmarks;

/// <summary>Run mode (quick smoke run or full run) and the BenchmarkDotNet configuration of each.</summary>
public static class BenchSettings
{
    /// <summary>Set by <c>--quick</c>: smaller histories and a short job.</summary>
    public static bool Quick { get; set; }

    /// <summary>History lengths for the rollback benchmark (two in quick mode, for the flatness ratio).</summary>
    public static int[] HistorySizes => Quick ? [1_000, 10_000] : [1_000, 100_000, 1_000_000];

    /// <summary>History lengths for the ancestry benchmarks (quick: 1e4 only, to keep the smoke run near a minute).</summary>
    public static int[] AncestrySizes => Quick ? [10_000] : [1_000, 100_000, 1_000_000];

    /// <summary>
    /// Both modes run in process (InProcessEmitToolchain): no per-run project generation and build, which
    /// on a shared 2-core machine costs more than the benchmarks. Quick: 1 warmup and 3 iterations of
    /// ~25 ms; full: 3 warmups and 10 iterations of the default ~500 ms.
    /// </summary>
    public static IConfig CreateConfig(bool quick)
    {
        var job = quick
            ? Job.ShortRun.WithWarmupCount(1).WithIterationCount(3).WithLaunchCount(1)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(25)).WithId("Quick")
            : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithId("Full");
        job = job.WithToolchain(InProcessEmitToolchain.Instance);
        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.P95, new P99Column())
            .WithOptions(ConfigOptions.DisableLogFile)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));
    }

    /// <summary>99th percentile of the iteration means (BenchmarkDotNet has P95 built in, not P99).</summary>
    private sealed class P99Column() : ComputedColumn("P99", "P99", ColumnCategory.Statistics, 10, UnitType.Time,
        "99th percentile of iteration means (per-operation p99 of rollback: see the latency probe)")
    {
        protected override string Compute(BenchmarkCase benchmarkCase, BenchmarkDotNet.Mathematics.Statistics stats)
        {
            var ns = stats.Percentiles.Percentile(99);
            return ns < 1_000 ? $"{ns:N1} ns" : ns < 1_000_000 ? $"{ns / 1_000:N2} μs" : $"{ns / 1_000_000:N3} ms";
        }
    }
}

/// <summary>
/// A summary column computed from a case's result statistics ("NA" when the case has none): the <see cref="IColumn"/>
/// members every such column shares, so a column states only its name, legend and value.
/// </summary>
internal abstract class ComputedColumn(string id, string name, ColumnCategory category, int priority, UnitType unit, string legend) : IColumn
{
    public string Id => id;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => category;
    public int PriorityInCategory => priority;
    public bool IsNumeric => true;
    public UnitType UnitType => unit;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        => summary[benchmarkCase]?.ResultStatistics is { } stats ? Compute(benchmarkCase, stats) : "NA";

    /// <summary>The cell of <paramref name="benchmarkCase"/>.</summary>
    protected abstract string Compute(BenchmarkCase benchmarkCase, BenchmarkDotNet.Mathematics.Statistics stats);
}
