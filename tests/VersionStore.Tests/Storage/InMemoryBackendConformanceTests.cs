using VersionStore.Conformance;

namespace VersionStore.Tests.Storage;

/// <summary>The backend conformance suite against <see cref="InMemoryObjectStore"/>.</summary>
public sealed class InMemoryObjectStoreConformanceTests : ObjectStoreConformance
{
    /// <inheritdoc />
    protected override IObjectStore CreateStore() => new InMemoryObjectStore();
}

/// <summary>The backend conformance suite against <see cref="InMemoryRefStore"/>.</summary>
public sealed class InMemoryRefStoreConformanceTests : RefStoreConformance
{
    /// <inheritdoc />
    protected override IRefStore CreateStore() => new InMemoryRefStore();
}
