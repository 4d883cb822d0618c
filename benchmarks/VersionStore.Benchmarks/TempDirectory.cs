namespace VersionStore.Benchmarks;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a fresh folder under the system temp path.</summary>
    public TempDirectory(string label)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vstore-bench-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Sub-path.</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
