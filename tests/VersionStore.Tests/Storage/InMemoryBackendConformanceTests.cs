using VersionStore.Conformance;

namespace VersionStore.Tests.Storage;

/// <summary>The backend conformance suite against the in-memory reference stores.</summary>
public static class InMemoryBackendConformanceTests
{
    /// <summary><see cref="ObjectStoreConformance"/> against <see cref="InMemoryObjectStore"/>.</summary>
    public sealed class ObjectStore : ObjectStoreConformance
    {
        /// <inheritdoc />
        protected override IObjectStore CreateStore() => new InMemoryObjectStore();
    }

    /// <summary><see cref="RefStoreConformance"/> against <see cref="InMemoryRefStore"/>.</summary>
    public sealed class RefStore : RefStoreConformance
    {
        /// <inheritdoc />
        protected override IRefStore CreateStore() => new InMemoryRefStore();
    }
}
