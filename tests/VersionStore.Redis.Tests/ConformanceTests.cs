using StackExchange.Redis;
using VersionStore.Conformance;

namespace VersionStore.Redis.Tests;

/// <summary>The backend-independent ref store contract against a standalone redis-server.</summary>
public sealed class RedisRefStoreConformanceTests : RefStoreConformance
{
    protected override IRefStore CreateStore()
        => new RedisRefStore(RedisTestConnections.Standalone, RedisTestConnections.Options(ServerEnvironment.RedisEndpoint, "refs"));
}

/// <summary>The backend-independent object store contract against a standalone redis-server.</summary>
public sealed class RedisObjectCacheConformanceTests : ObjectStoreConformance
{
    protected override IObjectStore CreateStore()
        => new RedisObjectCache(RedisTestConnections.Standalone, RedisTestConnections.Options(ServerEnvironment.RedisEndpoint, "objects"));
}

/// <summary>The ref store contract against the 3-master Redis Cluster (hash tags keep each repository's keys in one slot).</summary>
public sealed class RedisClusterRefStoreConformanceTests : RefStoreConformance
{
    protected override IRefStore CreateStore()
        => new RedisRefStore(RedisTestConnections.Cluster, RedisTestConnections.Options(ServerEnvironment.RedisClusterConfiguration, "cluster-refs"));
}

/// <summary>The object store contract against the 3-master Redis Cluster (objects spread over every master).</summary>
public sealed class RedisClusterObjectCacheConformanceTests : ObjectStoreConformance
{
    protected override IObjectStore CreateStore()
        => new RedisObjectCache(RedisTestConnections.Cluster, RedisTestConnections.Options(ServerEnvironment.RedisClusterConfiguration, "cluster-objects"));
}
