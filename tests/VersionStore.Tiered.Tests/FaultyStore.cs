using System.Runtime.CompilerServices;

namespace VersionStore.Tiered.Tests;

/// <summary>Wraps a store; can fail every call with <see cref="BackendUnavailableException"/> (a tier that is down) and counts calls.</summary>
internal sealed class FaultyStore(IObjectStore inner, string name = "faulty") : IObjectStore
{
    public IObjectStore Inner { get; } = inner;
    public bool Down { get; set; }
    /// <summary>Writes allowed before the store goes down by itself (null: unlimited).</summary>
    public int? WritesBeforeFailure { get; set; }
    public int Calls;
    public int Writes;

    private void Enter()
    {
        Interlocked.Increment(ref Calls);
        if (Down) throw new BackendUnavailableException(name, "injected outage");
    }

    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        Enter();
        return Inner.TryReadAsync(id, cancellationToken);
    }

    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        Enter();
        return Inner.ContainsAsync(id, cancellationToken);
    }

    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        if (WritesBeforeFailure is { } n && Writes >= n) Down = true;
        Enter();
        Writes++;
        return Inner.WriteAsync(objects, cancellationToken);
    }

    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Enter();
        await foreach (var id in Inner.FindByPrefixAsync(hexPrefix, limit, cancellationToken)) yield return id;
    }
}
