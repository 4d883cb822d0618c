using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VersionStore.Releases;

/// <summary>The last version a process saw a ref serve.</summary>
/// <param name="Repository">The repository (workflow).</param>
/// <param name="Ref">The ref (full name).</param>
/// <param name="Version">The commit it served.</param>
/// <param name="SeenAt">When it was seen.</param>
/// <param name="Subject">The commit's subject line, for display.</param>
public sealed record LastSeenVersion(string Repository, string Ref, ObjectId Version, DateTimeOffset SeenAt, string? Subject);

/// <summary>
/// A local memory of the last version seen per ref, for fail-static reads (docs/OPERATIONS.md, fail-static reads): when the stores are
/// unreachable, an application still loads the version it last saw, marked stale. Implementations must not throw
/// on a missing entry; write failures are swallowed by callers (the cache is best effort).
/// </summary>
public interface ILastSeenCache
{
    /// <summary>The remembered version, or null.</summary>
    ValueTask<LastSeenVersion?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default);

    /// <summary>Remembers <paramref name="seen"/>.</summary>
    ValueTask SetAsync(LastSeenVersion seen, CancellationToken cancellationToken = default);
}

/// <summary>An <see cref="ILastSeenCache"/> in process memory: survives a backend outage, not a restart.</summary>
public sealed class InMemoryLastSeenCache : ILastSeenCache
{
    private readonly ConcurrentDictionary<(string, string), LastSeenVersion> _entries = new();

    /// <inheritdoc />
    public ValueTask<LastSeenVersion?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_entries.TryGetValue((repository.Value, name.FullName), out var v) ? v : null);

    /// <inheritdoc />
    public ValueTask SetAsync(LastSeenVersion seen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seen);
        _entries[(seen.Repository, seen.Ref)] = seen;
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// An <see cref="ILastSeenCache"/> in a local folder, one small JSON file per ref (named by the SHA-256 of
/// repository and ref, so no crafted name can reach outside the folder), replaced atomically: survives restarts.
/// </summary>
public sealed class FileLastSeenCache : ILastSeenCache
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Creates the cache in <paramref name="directory"/> (created when missing).</summary>
    public FileLastSeenCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = System.IO.Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public async ValueTask<LastSeenVersion?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(repository.Value, name.FullName);
        try
        {
            await using var file = File.OpenRead(path);
            var dto = await JsonSerializer.DeserializeAsync<Dto>(file, Json, cancellationToken).ConfigureAwait(false);
            if (dto is null || dto.Repository != repository.Value || dto.Ref != name.FullName || !ObjectId.TryParse(dto.Version, out var id)) return null;
            return new LastSeenVersion(dto.Repository, dto.Ref, id, dto.SeenAt, dto.Subject);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException or IOException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(LastSeenVersion seen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seen);
        var path = PathOf(seen.Repository, seen.Ref);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(new Dto(seen.Repository, seen.Ref, seen.Version.ToString(), seen.SeenAt, seen.Subject), Json), cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private string PathOf(string repository, string refName)
        => System.IO.Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository + "\n" + refName))) + ".json");

    private sealed record Dto(string Repository, string Ref, string Version, DateTimeOffset SeenAt, string? Subject);
}
