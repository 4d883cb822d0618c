namespace VersionStore.Cli.Files;

/// <summary>
/// Writes checked-out entries under a directory with physical containment: no directory component below the root may be
/// a symbolic link (nor the file itself), so nothing is ever written outside the root through a link that already exists
/// there; each file is written to a new temporary file and renamed over the old one (a rename replaces a name, never
/// writes through it, and does not touch other hard links of the old file). Nothing is written into the open store's folder.
/// </summary>
internal sealed class CheckoutWriter
{
    private readonly string _root;
    private readonly string _physicalRoot;
    private readonly string _store;

    private CheckoutWriter(string root, string physicalRoot, string store)
    {
        _root = root;
        _physicalRoot = physicalRoot;
        _store = store;
    }

    /// <summary>Creates <paramref name="root"/> when missing; refuses it when it is, or lies in, the store's folder.</summary>
    public static CheckoutWriter Open(string root, string storePath)
    {
        var store = StorePhysical(storePath);
        Directory.CreateDirectory(root);
        var physical = FileKinds.Physical(root);
        if (store is not null && FileKinds.IsSameOrUnder(physical, store))
            throw CliException.NotFound($"'{root}' is the store's own folder or lies inside it ('{store}'); check out somewhere else");
        return new CheckoutWriter(root, physical, store ?? "\0");
    }

    /// <summary>Refuses a single output file (<c>--as-workflow</c>) inside the store's folder.</summary>
    public static void CheckOutsideStore(string file, string storePath)
    {
        if (StorePhysical(storePath) is not { } store) return;
        var parent = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var physical = Directory.Exists(parent) ? Path.Combine(FileKinds.Physical(parent), Path.GetFileName(file)) : Path.GetFullPath(file);
        if (FileKinds.IsSameOrUnder(physical, store)) throw CliException.NotFound($"'{file}' lies inside the store's folder ('{store}'); write it somewhere else");
    }

    /// <summary>Writes <paramref name="content"/> as entry <paramref name="entryPath"/> ('/'-separated) under the root.</summary>
    public async Task WriteAsync(string entryPath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var parts = entryPath.Split('/');
        var directory = _root;
        var physical = _physicalRoot;
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] is "" or "." or "..") throw CliException.NotFound($"entry '{entryPath}' would be written outside '{_root}'");
            var next = Path.Combine(directory, parts[i]);
            physical = Path.Combine(physical, parts[i]);
            if (FileKinds.IsSameOrUnder(physical, _store))
                throw CliException.NotFound($"entry '{entryPath}' would be written into the store's folder ('{_store}'); check out somewhere else");
            var kind = FileKinds.Of(next);
            var last = i == parts.Length - 1;
            if (kind == FileKind.SymbolicLink)
                throw CliException.NotFound($"entry '{entryPath}' would be written through the symbolic link '{next}' (to '{new FileInfo(next).LinkTarget}'); remove the link or check out into an empty directory");
            if (!last)
            {
                if (kind == FileKind.Missing) Directory.CreateDirectory(next);
                else if (kind != FileKind.Directory) throw CliException.NotFound($"entry '{entryPath}' needs '{next}' to be a directory, but it is {FileKinds.Describe(kind)}");
                directory = next;
                continue;
            }
            if (kind is not (FileKind.Missing or FileKind.Regular))
                throw CliException.NotFound($"entry '{entryPath}' would replace '{next}', which is {FileKinds.Describe(kind)}");
            var temporary = Path.Combine(directory, $".{parts[i]}.vstore-{Guid.NewGuid():N}.tmp");
            try
            {
                // CreateNew: O_CREAT|O_EXCL, which never follows a link planted under the temporary name.
                await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                    await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                File.Move(temporary, next, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }
    }

    private static string? StorePhysical(string storePath) => Directory.Exists(storePath) ? FileKinds.Physical(storePath) : null;
}
