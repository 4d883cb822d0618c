namespace VersionStore;

/// <summary>
/// The modes a <see cref="VersionStoreBuilder"/> composes — presets over the parts registered with it, inferred from
/// them unless <see cref="VersionStoreBuilderOptions.Mode"/> names one (then the parts are checked against it).
/// </summary>
public enum DeploymentMode
{
    /// <summary>A local store only (RocksDB: objects, refs, audit log in one database — the zero-configuration default). One write per commit.</summary>
    Embedded = 1,

    /// <summary>The local store is durable for everything; objects are also copied asynchronously to a remote object store (S3) through a crash-safe outbox.</summary>
    EmbeddedWithArchive = 2,

    /// <summary>
    /// N processes share a ref store (Redis: refs, audit log, hot objects) and a remote object store (S3: the durable
    /// tier); each may keep a local store as warm cache and head cache (fail-static reads).
    /// </summary>
    Distributed = 3,
}
