namespace VersionStore.Conformance;

/// <summary>A fresh, empty folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the folder; <paramref name="label"/> helps find it while a test runs.</summary>
    public TempDirectory(string label = "test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vstore-tests", $"{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder (not created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Deletes the folder. A failure (a file still held by a killed child process) leaves it behind rather than failing the test.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the OS temp cleaner removes what is left.
        }
    }
}
