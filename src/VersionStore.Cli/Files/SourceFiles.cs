namespace VersionStore.Cli.Files;

/// <summary>
/// What <c>vstore commit --from</c> reads: regular files only, each read with a bound. A symbolic link, FIFO, device or
/// socket inside a committed folder is refused by name (a link would store what it points at, possibly outside the
/// folder; a FIFO would block forever; a device may never end), as is a file name that is not valid UTF-8.
/// </summary>
internal static class SourceFiles
{
    /// <summary>
    /// Reads the file <paramref name="path"/> names (the path itself may be a link the user chose): it must finally be a
    /// regular file, and at most <paramref name="limit"/> bytes are read — a file that grows or never ends fails at the limit.
    /// </summary>
    public static byte[] ReadBounded(string path, long limit, string what)
    {
        var kind = FileKinds.OfTarget(path);
        if (kind != FileKind.Regular) throw CliException.NotFound($"{what} '{path}' is {FileKinds.Describe(kind)}; only regular files can be committed");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new MemoryStream(stream.CanSeek ? (int)Math.Min(stream.Length, limit) : 0);
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit + 1 - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > limit) throw new PayloadTooLargeException($"{what} '{path}'", buffer.Length, limit);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Every regular file under <paramref name="root"/> (hidden ones included), by its '/'-separated relative path in
    /// ordinal order, except the store's own folder; each read with <see cref="ReadBounded"/>.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, byte[]>> ReadFolder(string root, string storePath, long limitPerFile)
    {
        var store = Path.GetFullPath(storePath);
        var files = new List<(string Relative, string Full)>();
        Walk(Path.GetFullPath(root), "");
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        foreach (var (relative, full) in files) yield return KeyValuePair.Create(relative, ReadBounded(full, limitPerFile, "file"));

        void Walk(string directory, string prefix)
        {
            foreach (var full in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
            {
                if (FileKinds.IsSameOrUnder(full, store)) continue;
                var name = Path.GetFileName(full);
                var relative = prefix + name;
                if (name.Contains('\uFFFD', StringComparison.Ordinal) && FileKinds.Of(full) == FileKind.Missing)
                    throw CliException.NotFound($"a file name in '{directory}' is not valid UTF-8 ('{relative}'); entry names are UTF-8 text: rename the file");
                switch (FileKinds.Of(full))
                {
                    case FileKind.Directory: Walk(full, relative + "/"); break;
                    case FileKind.Regular: files.Add((relative, full)); break;
                    case FileKind.SymbolicLink:
                        throw CliException.NotFound($"'{relative}' in '{root}' is a symbolic link (to '{new FileInfo(full).LinkTarget}'); vstore commits regular files only and never follows a link: replace it by a copy of the file or remove it");
                    case var other:
                        throw CliException.NotFound($"'{relative}' in '{root}' is {FileKinds.Describe(other)}; vstore commits regular files only");
                }
            }
        }
    }
}
