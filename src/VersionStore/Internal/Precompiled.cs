using System.Runtime.CompilerServices;

namespace VersionStore.Internal;

/// <summary>
/// Whether this assembly runs its ReadyToRun code (the linux-x64 image the packages carry) or JIT-compiles its IL —
/// decided once per process by calling an empty method of this assembly and seeing whether that compiled anything on
/// this thread.
/// </summary>
/// <remarks>
/// For the few loops that run once per process over a lot of data (the commit-graph file's checks on a fresh
/// process's first attach): a method marked <see cref="MethodImplOptions.AggressiveOptimization"/> is never
/// precompiled — the image then costs the JIT — while an unmarked one starts as tier-0 code in a JIT process. Such a
/// loop has one body (inlined into two thin callers, one marked and one not) and takes the unmarked caller where its
/// precompiled code runs, the marked one where it would start at tier 0.
/// </remarks>
internal static class Precompiled
{
    /// <summary>True when this assembly's methods run from its ReadyToRun image (also under NativeAOT, where nothing is JIT-compiled).</summary>
    public static readonly bool IsUsed = Probe();

    private static bool Probe()
    {
        var before = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        Marker();
        return System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true) == before;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Marker() { }
}
