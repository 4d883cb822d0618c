using VersionStore.Conformance;

namespace VersionStore.RocksDb.Tests;

/// <summary>The backend conformance suite against <see cref="RocksDbBackend"/> as an object store, one temp database per store.</summary>
public sealed class RocksDbObjectStoreConformanceTests : ObjectStoreConformance
{
    private readonly List<TempDirectory> _folders = [];

    /// <inheritdoc />
    protected override IObjectStore CreateStore()
    {
        var folder = new TempDirectory("rocks-objects");
        _folders.Add(folder);
        return RocksDbBackend.Open(folder.Path);
    }

    /// <inheritdoc />
    protected override void DisposeStores(IReadOnlyList<IObjectStore> stores)
    {
        base.DisposeStores(stores);
        foreach (var f in _folders) f.Dispose();
    }
}

/// <summary>The backend conformance suite against <see cref="RocksDbBackend"/> as a ref store, one temp database per store.</summary>
public sealed class RocksDbRefStoreConformanceTests : RefStoreConformance
{
    private readonly List<TempDirectory> _folders = [];

    /// <inheritdoc />
    protected override IRefStore CreateStore()
    {
        var folder = new TempDirectory("rocks-refs");
        _folders.Add(folder);
        return RocksDbBackend.Open(folder.Path);
    }

    /// <inheritdoc />
    protected override void DisposeStores(IReadOnlyList<IRefStore> stores)
    {
        base.DisposeStores(stores);
        foreach (var f in _folders) f.Dispose();
    }
}
