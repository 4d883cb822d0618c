using VersionStore.Conformance;

namespace VersionStore.RocksDb.Tests;

/// <summary>The backend conformance suite against <see cref="RocksDbBackend"/> as an object store, one temp database per store.</summary>
public sealed class RocksDbObjectStoreConformanceTests : ObjectStoreConformance
{
    private readonly TempDatabases _databases = new("rocks-objects");

    /// <inheritdoc />
    protected override IObjectStore CreateStore() => _databases.Open();

    /// <inheritdoc />
    protected override void DisposeStores(IReadOnlyList<IObjectStore> stores)
    {
        base.DisposeStores(stores);
        _databases.Dispose();
    }
}

/// <summary>The backend conformance suite against <see cref="RocksDbBackend"/> as a ref store, one temp database per store.</summary>
public sealed class RocksDbRefStoreConformanceTests : RefStoreConformance
{
    private readonly TempDatabases _databases = new("rocks-refs");

    /// <inheritdoc />
    protected override IRefStore CreateStore() => _databases.Open();

    /// <inheritdoc />
    protected override void DisposeStores(IReadOnlyList<IRefStore> stores)
    {
        base.DisposeStores(stores);
        _databases.Dispose();
    }
}

/// <summary>RocksDB databases, each in its own temp folder; the folders are deleted on dispose (after the stores closed).</summary>
internal sealed class TempDatabases(string label) : IDisposable
{
    private readonly List<TempDirectory> _folders = [];

    public RocksDbBackend Open()
    {
        var folder = new TempDirectory(label);
        _folders.Add(folder);
        return RocksDbBackend.Open(folder.Path);
    }

    public void Dispose()
    {
        foreach (var f in _folders) f.Dispose();
    }
}
