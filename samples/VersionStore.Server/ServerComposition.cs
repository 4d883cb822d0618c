using VersionStore;

namespace VersionStore.Server;

/// <summary>How the server composes its store: the embedded RocksDB store through <c>AddVersionStore</c>, the one path every application takes.</summary>
public static class ServerComposition
{
    /// <summary>Registers the server's store (embedded RocksDB at <paramref name="storePath"/>, disposed with the application).</summary>
    public static IServiceCollection AddServerStore(this IServiceCollection services, string storePath)
        => services.AddVersionStore(b => b.UseRocksDb(storePath));
}
