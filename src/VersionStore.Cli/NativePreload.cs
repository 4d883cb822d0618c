namespace VersionStore.Cli;

/// <summary>
/// Loads the native libraries a store command is about to need on a second thread, while the main thread parses the
/// command line and opens the store: librocksdb (<see cref="RocksDbBackend.PreloadNativeLibrary"/>: the dynamic linker
/// relocates ~19,000 symbol references) and OpenSSL, whose SHA-256 checks every object the command reads (libcrypto,
/// libssl and <c>openssl.cnf</c>). Each costs a few milliseconds that would otherwise sit on the command's path; both
/// loads are thread-safe and idempotent, so whichever thread comes second finds the library loaded (or waits for it).
/// </summary>
/// <remarks>
/// Skipped for commands that open no store (<c>--help</c>, <c>--version</c>, <c>completion</c>, no arguments): the
/// process joins the thread before it exits (OpenSSL's exit handlers must not run beside its initialisation), so such a
/// command would wait for loads it never needed. A failure here is ignored: the command's own open reports it.
/// </remarks>
internal static class NativePreload
{
    /// <summary>Whether <paramref name="args"/> name a command that opens a store (anything but help, version and completion scripts).</summary>
    public static bool Wanted(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] == "completion") return false;
        foreach (var a in args)
            if (a is "--help" or "-h" or "-?" or "/?" or "/h" or "--version") return false;
        return true;
    }

    /// <summary>Starts the loads on a background thread; join it before the process exits (a load must not race the exit handlers).</summary>
    public static Thread Start()
    {
        var thread = new Thread(Load, maxStackSize: 256 * 1024) { IsBackground = true, Name = "vstore native preload" };
        thread.Start();
        return thread;
    }

    private static void Load()
    {
        RocksDbBackend.PreloadNativeLibrary();
        try
        {
            // Hashing anything runs the hasher's one-time set-up: OpenSSL loaded, initialised and checked (see ObjectId.Compute).
            ObjectId.Compute(ReadOnlySpan<byte>.Empty);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            // The command's first hash reports it.
        }
    }
}
