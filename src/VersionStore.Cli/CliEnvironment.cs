namespace VersionStore.Cli;

/// <summary>
/// What <c>vstore</c> takes from its process: environment variables and the current directory. Tests and hosts
/// that embed the CLI pass their own, so runs in one process do not share global state.
/// </summary>
internal sealed class CliEnvironment
{
    /// <summary>The real process environment and current directory, with Ctrl-C handling.</summary>
    public static CliEnvironment Process => new()
    {
        GetVariable = Environment.GetEnvironmentVariable,
        CurrentDirectory = Directory.GetCurrentDirectory(),
        HandleProcessTermination = true,
        OutputIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };

    /// <summary>Looks up an environment variable (<c>VSTORE_PATH</c>, <c>VSTORE_AUTHOR</c>, <c>VSTORE_ACTOR</c>).</summary>
    /// <value>No variables.</value>
    public Func<string, string?> GetVariable { get; init; } = _ => null;

    /// <summary>The directory relative paths (<c>--store</c>, <c>--from</c>, <c>--to</c>) are resolved against.</summary>
    /// <value>The process's current directory.</value>
    public string CurrentDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Cancel the running command on Ctrl-C / SIGTERM (process-wide handlers; leave off when embedding).</summary>
    /// <value><c>false</c>.</value>
    public bool HandleProcessTermination { get; init; }

    /// <summary>Stdout is an interactive terminal: results may use colour and tables (see <c>VSTORE_COLOR</c>).</summary>
    /// <value><c>false</c> (plain text).</value>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Stderr is an interactive terminal: long work (verify, gc) may draw a progress bar there.</summary>
    /// <value><c>false</c>.</value>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The user name used when no <c>--author</c>/<c>--actor</c> or variable gives one.</summary>
    /// <value>The operating system user name.</value>
    public string UserName { get; init; } = Environment.UserName;

    /// <summary>Test hook: called with each store a command opened, before the command runs.</summary>
    internal Action<VersionStoreHost>? StoreOpened { get; init; }
}
