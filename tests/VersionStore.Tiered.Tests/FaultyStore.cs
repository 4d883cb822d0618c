using System.Runtime.CompilerServices;

namespace VersionStore.Tiered.Tests;

/// <summary>Wraps a store; can fail every call with <see cref="BackendUnavailableException"/> (a tier that is down) and counts calls.</summary>
internal sealed class FaultyStore(IObjectStore inner, string name = "faulty") : IObjectStore, IBatchObjectStore
{
    public IObjectStore Inner { get; } = inner;
    public bool Down { get; set; }
    /// <summary>Writes allowed before the store goes down by itself (null: unlimited).</summary>
    public int? WritesBeforeFailure { get; set; }
    public int Calls;
    public int Writes;
    public int BatchReads;

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

    /// <summary>Forwarded as one call (the inner store's batch read, or its single reads).</summary>
    public ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        Enter();
        Interlocked.Increment(ref BatchReads);
        return Inner.TryReadManyAsync(ids, cancellationToken);
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
