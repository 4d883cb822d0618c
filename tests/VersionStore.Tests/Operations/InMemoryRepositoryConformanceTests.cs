using VersionStore.Conformance;

namespace VersionStore.Tests.Operations;

/// <summary>The repository conformance suite over the in-memory backend.</summary>
public sealed class InMemoryRepositoryConformanceTests : RepositoryConformance
{
    private InMemoryObjectStore _objects = null!;

    /// <inheritdoc />
    protected override (IObjectStore Objects, IRefStore Refs, IDisposable? Owner) CreateBackend()
    {
        _objects = new InMemoryObjectStore();
        return (_objects, new InMemoryRefStore(), null);
    }

    /// <inheritdoc />
    protected override Task CorruptObjectAsync(ObjectId id, byte[] replacement)
    {
        _objects.Overwrite(id, replacement);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task DeleteObjectAsync(ObjectId id)
    {
        _objects.Remove(id);
        return Task.CompletedTask;
    }
}
