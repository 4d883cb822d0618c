using VersionStore.Conformance;
using VersionStore.RocksDb.Internal;

namespace VersionStore.RocksDb.Tests;

/// <summary>The repository conformance suite over the embedded RocksDB backend, in a temp folder.</summary>
public sealed class RocksDbRepositoryConformanceTests : RepositoryConformance, IDisposable
{
    private readonly TempDirectory _dir = new();
    private RocksDbBackend _backend = null!;

    /// <inheritdoc />
    protected override (IObjectStore Objects, IRefStore Refs, IDisposable? Owner) CreateBackend()
    {
        _backend = RocksDbBackend.Open(Path.Combine(_dir.Path, "db"));
        return (_backend, _backend, _backend);
    }

    /// <inheritdoc />
    protected override Task CorruptObjectAsync(ObjectId id, byte[] replacement)
    {
        _backend.PutRaw(KeyLayout.ObjectsFamily, id.ToByteArray(), replacement);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task DeleteObjectAsync(ObjectId id)
    {
        _backend.DeleteRaw(KeyLayout.ObjectsFamily, id.ToByteArray());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}
