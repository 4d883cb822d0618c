namespace VersionStore.Cli;

/// <summary>The <c>vstore</c> executable.</summary>
internal static class Program
{
    /// <summary>Runs <c>vstore</c> with the process's console, environment and current directory.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> Main(string[] args)
    {
        if (NativePreload.Wanted(args)) NativePreload.Start();
        return CliApp.RunAsync(args, Console.Out, Console.Error, CliEnvironment.Process);
    }
}
