namespace VersionStore.Cli;

/// <summary>Finds the store folder: <c>--store</c>, else <c>VSTORE_PATH</c>, else <c>./.vstore</c>.</summary>
internal static class StoreLocator
{
    public const string PathVariable = "VSTORE_PATH";
    public const string DefaultFolder = ".vstore";

    /// <summary>The full path of the store folder.</summary>
    public static string Resolve(string? fromOption, Func<string, string?> environment, string currentDirectory)
    {
        var path = !string.IsNullOrWhiteSpace(fromOption) ? fromOption
            : environment(PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : DefaultFolder;
        return Path.GetFullPath(path, currentDirectory);
    }

    /// <summary>True when <paramref name="path"/> holds a RocksDB database (its <c>CURRENT</c> file).</summary>
    public static bool Exists(string path) => File.Exists(Path.Combine(path, "CURRENT"));
}
