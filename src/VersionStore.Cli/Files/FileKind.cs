using System.Runtime.InteropServices;

namespace VersionStore.Cli.Files;

/// <summary>What a path names, without following a symbolic link at its last component (<c>lstat</c>).</summary>
internal enum FileKind { Missing, Regular, Directory, SymbolicLink, Fifo, CharacterDevice, BlockDevice, Socket, Other }

/// <summary>File types and physical paths, which .NET does not expose: <c>statx</c> and <c>realpath</c> from libc.</summary>
internal static class FileKinds
{
    /// <summary>The kind of <paramref name="path"/>; a symbolic link is reported as such, not followed.</summary>
    public static FileKind Of(string path) => Stat(path, follow: false);

    /// <summary>The kind of what <paramref name="path"/> finally names, following symbolic links.</summary>
    public static FileKind OfTarget(string path) => Stat(path, follow: true);

    /// <summary>A human word for a kind ("a FIFO", "a symbolic link", …).</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>
    /// The physical path of an existing <paramref name="path"/>: absolute, every symbolic link of every component
    /// resolved (<c>realpath</c>), so two paths name the same place exactly when their physical paths are equal.
    /// </summary>
    public static string Physical(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return full;
        var p = RealPath(full, IntPtr.Zero);
        if (p == IntPtr.Zero) throw new IOException($"cannot resolve '{full}' (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            return Marshal.PtrToStringUTF8(p)!;
        }
        finally
        {
            Free(p);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies under it (both physical).</summary>
    public static bool IsSameOrUnder(string path, string folder)
        => path == folder || path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static FileKind Stat(string path, bool follow)
    {
        if (OperatingSystem.IsLinux())
        {
            const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
            const uint StatxType = 0x1;
            var buffer = new byte[256]; // struct statx: the same layout on every Linux architecture
            if (Statx(AtFdCwd, path, follow ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is 2 or 20) return FileKind.Missing; // ENOENT, ENOTDIR
                throw new IOException($"cannot inspect '{path}' (errno {errno})");
            }
            var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000; // stx_mode, S_IFMT
            return mode switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0xC000 => FileKind.Socket,
                _ => FileKind.Other,
            };
        }
        // Elsewhere .NET's attributes: links and directories are told apart, other special files read as regular.
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists) info = new DirectoryInfo(path);
        if (!info.Exists) return info.LinkTarget is not null ? FileKind.SymbolicLink : FileKind.Missing;
        if (info.LinkTarget is not null) return follow ? Stat(info.ResolveLinkTarget(true)!.FullName, true) : FileKind.SymbolicLink;
        return info.Attributes.HasFlag(FileAttributes.Directory) ? FileKind.Directory : FileKind.Regular;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);
}
