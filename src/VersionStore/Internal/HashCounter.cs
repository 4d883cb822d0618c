namespace VersionStore.Internal;

/// <summary>
/// Test counter of SHA-256 computations (<see cref="ObjectId.Compute"/>) within a scope that flows with the async
/// call (so parallel tests do not see each other's). Costs one static read per hash while no scope is open.
/// </summary>
internal static class HashCounter
{
    private static int s_scopes;
    private static readonly AsyncLocal<Scope?> Current = new();

    public static bool Active => Volatile.Read(ref s_scopes) != 0;

    public static void Increment()
    {
        if (Current.Value is { } scope) Interlocked.Increment(ref scope.Count);
    }

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
