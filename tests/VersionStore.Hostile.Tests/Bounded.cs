using System.Diagnostics;

namespace VersionStore.Hostile.Tests;

/// <summary>What one hostile case cost: wall time and bytes allocated by the whole process while it ran.</summary>
public readonly record struct Cost(TimeSpan Elapsed, long AllocatedBytes)
{
    public override string ToString() => $"{Elapsed.TotalMilliseconds:0.#} ms, {AllocatedBytes / 1048576.0:0.##} MiB allocated";
}

/// <summary>
/// Runs a hostile case under a time and an allocation bound. Allocation is <see cref="GC.GetTotalAllocatedBytes"/>
/// (precise) across the case, so async work on other threads counts; the assembly runs its tests one at a time
/// (<c>AssemblyInfo.cs</c>) so no other test's allocations are charged to the case.
/// </summary>
public static class Bounded
{
    /// <summary>Default bound of a case: 10 s.</summary>
    public static readonly TimeSpan DefaultTime = TimeSpan.FromSeconds(10);

    /// <summary>Default bound of a case: 256 MiB allocated.</summary>
    public const long DefaultBytes = 256L * 1024 * 1024;

    public static async Task<Cost> RunAsync(string name, Func<Task> body, TimeSpan? time = null, long? bytes = null)
    {
        var limit = time ?? DefaultTime;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var task = Task.Run(body);
        var finished = await Task.WhenAny(task, Task.Delay(limit + limit)).ConfigureAwait(false) == task;
        watch.Stop();
        Assert.True(finished, $"{name}: still running after {limit + limit} (bound {limit})");
        await task.ConfigureAwait(false);
        var cost = new Cost(watch.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - before);
        Assert.True(cost.Elapsed <= limit, $"{name}: took {cost} (bound {limit.TotalMilliseconds} ms)");
        Assert.True(cost.AllocatedBytes <= (bytes ?? DefaultBytes), $"{name}: {cost} (bound {(bytes ?? DefaultBytes) / 1048576} MiB)");
        return cost;
    }

    public static Task<Cost> Run(string name, Action body, TimeSpan? time = null, long? bytes = null)
        => RunAsync(name, () => { body(); return Task.CompletedTask; }, time, bytes);
}
