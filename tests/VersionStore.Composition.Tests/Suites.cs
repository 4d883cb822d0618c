using VersionStore.Conformance;

namespace VersionStore.Composition.Tests;

/// <summary><see cref="ObjectStoreConformance"/> over the object store of a composition (its <see cref="VersionStoreHost.Objects"/>).</summary>
public abstract class CompositionObjectStoreSuite(StoreComposition composition) : ObjectStoreConformance
{
    /// <inheritdoc />
    protected override IObjectStore CreateStore() => Own(CompositionHost.Open(composition)).Host.Objects;
}

/// <summary><see cref="RefStoreConformance"/> over the ref store of a composition (its <see cref="VersionStoreHost.Refs"/>).</summary>
public abstract class CompositionRefStoreSuite(StoreComposition composition) : RefStoreConformance
{
    /// <inheritdoc />
    protected override IRefStore CreateStore() => Own(CompositionHost.Open(composition)).Host.Refs;
}

/// <summary><see cref="RepositoryConformance"/> over the <see cref="RepositoryStore"/> a composition's host opens.</summary>
public abstract class CompositionRepositorySuite(StoreComposition composition) : RepositoryConformance
{
    private CompositionHost _host = null!;

    /// <inheritdoc />
    protected override async ValueTask<RepositoryStore> CreateStoreAsync(VersionStoreOptions options)
    {
        _host = await CompositionHost.OpenAsync(composition, options);
        return _host.Host.Store;
    }

    /// <inheritdoc />
    protected override ValueTask DisposeStoreAsync() => _host.DisposeAsync();

    /// <inheritdoc />
    protected override Task CorruptObjectAsync(ObjectId id, byte[] replacement) => _host.TamperAsync(id, replacement);

    /// <inheritdoc />
    protected override Task DeleteObjectAsync(ObjectId id) => _host.TamperAsync(id, null);
}

#pragma warning disable CS1591 // one line per composition and suite: the names say it all

public sealed class EmbeddedObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.Embedded);
public sealed class EmbeddedRefStoreTests() : CompositionRefStoreSuite(StoreComposition.Embedded);
public sealed class EmbeddedRepositoryTests() : CompositionRepositorySuite(StoreComposition.Embedded);

public sealed class EmbeddedWithMemoryCacheObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.EmbeddedWithMemoryCache);
public sealed class EmbeddedWithMemoryCacheRefStoreTests() : CompositionRefStoreSuite(StoreComposition.EmbeddedWithMemoryCache);
public sealed class EmbeddedWithMemoryCacheRepositoryTests() : CompositionRepositorySuite(StoreComposition.EmbeddedWithMemoryCache);

public sealed class EmbeddedWithArchiveObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.EmbeddedWithArchive);
public sealed class EmbeddedWithArchiveRefStoreTests() : CompositionRefStoreSuite(StoreComposition.EmbeddedWithArchive);
public sealed class EmbeddedWithArchiveRepositoryTests() : CompositionRepositorySuite(StoreComposition.EmbeddedWithArchive);

public sealed class DistributedWithLocalCacheObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.DistributedWithLocalCache);
/// <summary>The ref store here is the <see cref="FailStaticRefStore"/> over Redis and the local head cache.</summary>
public sealed class DistributedWithLocalCacheFailStaticRefStoreTests() : CompositionRefStoreSuite(StoreComposition.DistributedWithLocalCache);
public sealed class DistributedWithLocalCacheRepositoryTests() : CompositionRepositorySuite(StoreComposition.DistributedWithLocalCache);

public sealed class DistributedObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.Distributed);
public sealed class DistributedRefStoreTests() : CompositionRefStoreSuite(StoreComposition.Distributed);
public sealed class DistributedRepositoryTests() : CompositionRepositorySuite(StoreComposition.Distributed);

public sealed class DistributedWithMemoryAndLocalCacheObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.DistributedWithMemoryAndLocalCache);
public sealed class DistributedWithMemoryAndLocalCacheFailStaticRefStoreTests() : CompositionRefStoreSuite(StoreComposition.DistributedWithMemoryAndLocalCache);
public sealed class DistributedWithMemoryAndLocalCacheRepositoryTests() : CompositionRepositorySuite(StoreComposition.DistributedWithMemoryAndLocalCache);

public sealed class DistributedOnRedisClusterObjectStoreTests() : CompositionObjectStoreSuite(StoreComposition.DistributedOnRedisClusterWithLocalCache);
/// <summary>The fail-static ref store over a Redis Cluster and the local head cache.</summary>
public sealed class DistributedOnRedisClusterFailStaticRefStoreTests() : CompositionRefStoreSuite(StoreComposition.DistributedOnRedisClusterWithLocalCache);
public sealed class DistributedOnRedisClusterRepositoryTests() : CompositionRepositorySuite(StoreComposition.DistributedOnRedisClusterWithLocalCache);
