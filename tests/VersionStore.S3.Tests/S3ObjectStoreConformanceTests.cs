using VersionStore.Conformance;

namespace VersionStore.S3.Tests;

/// <summary>The backend-independent <see cref="IObjectStore"/> contract, run against the S3 pack store on s3rver.
/// Each store gets a fresh prefix, so it starts empty.</summary>
public sealed class S3ObjectStoreConformanceTests : ObjectStoreConformance
{
    protected override IObjectStore CreateStore()
        => S3PackObjectStore.OpenAsync(S3TestServer.Options()).GetAwaiter().GetResult();

    protected override void DisposeStores(IReadOnlyList<IObjectStore> stores)
    {
        foreach (var s in stores.OfType<IAsyncDisposable>()) s.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
