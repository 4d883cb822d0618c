namespace VersionStore.Internal;

/// <summary>
/// Test counter of SHA-256 computations (<see cref="ObjectId.Compute"/>) within a scope that flows with the async
/// call (so parallel tests do not see each other's). Costs one static read per hash while no scope is open.
/// </summary>
internal static class HashCounter
{
    private static int s_scopes;
    private static readonly AsyncLocal<Scope?> Current = new();

    /// <summary>The scope a helper thread counts into while it works for a flow that has one (<see cref="Lend"/>).</summary>
    [ThreadStatic]
    private static Scope? t_lent;

    public static bool Active => Volatile.Read(ref s_scopes) != 0;

    public static void Increment()
    {
        if ((Current.Value ?? t_lent) is { } scope) Interlocked.Increment(ref scope.Count);
    }

    /// <summary>The calling flow's scope, if any (null while no scope is open anywhere): to lend to a helper thread.</summary>
    public static Scope? CurrentScope => Active ? Current.Value : null;

    /// <summary>
    /// Makes this thread count into <paramref name="scope"/> (a helper doing part of another flow's work, which the
    /// thread pool runs without that flow's context) until called again with null.
    /// </summary>
    public static void Lend(Scope? scope) => t_lent = scope;

    /// <summary>Counts the hashes computed by this async flow until disposed.</summary>
    public static Scope Begin()
    {
        var scope = new Scope();
        Current.Value = scope;
        Interlocked.Increment(ref s_scopes);
        return scope;
    }

    public sealed class Scope : IDisposable
    {
        public long Count;

        /// <summary>Returns the count so far and starts again from zero.</summary>
        public long Take() => Interlocked.Exchange(ref Count, 0);

        public void Dispose()
        {
            if (ReferenceEquals(Current.Value, this)) Current.Value = null;
            Interlocked.Decrement(ref s_scopes);
        }
    }
}
