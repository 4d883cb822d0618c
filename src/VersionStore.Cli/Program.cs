namespace VersionStore.Cli;

/// <summary>The <c>vstore</c> executable.</summary>
internal static class Program
{
    /// <summary>Runs <c>vstore</c> with the process's console, environment and current directory.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> Main(string[] args)
    {
        var preload = NativePreload.Wanted(args) ? NativePreload.Start() : null;
        try
        {
            return await CliApp.RunAsync(args, Console.Out, Console.Error, CliEnvironment.Process).ConfigureAwait(false);
        }
        finally
        {
            // Never exit while a library is still loading: the process's exit handlers (OpenSSL's among them) would run
            // beside the load (seen without this: a segmentation fault and a process spinning at exit, 2 in 950
            // 'vstore repos' calls, which hash nothing).
            preload?.Join();
        }
    }
}
