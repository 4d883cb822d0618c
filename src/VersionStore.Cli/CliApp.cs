using System.CommandLine;
using System.CommandLine.Help;
using VersionStore.Cli.Commands;

namespace VersionStore.Cli;

/// <summary>
/// The <c>vstore</c> command line as a callable: parses arguments, runs one command against the store and
/// returns its exit code. Output goes to the given writers, so a host or a test can run it in-process.
/// </summary>
public static class CliApp
{
    /// <summary>Runs one <c>vstore</c> command line.</summary>
    /// <param name="args">The arguments (without the program name).</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors go (one line each, <c>vstore: error: …</c>).</param>
    /// <param name="environment">Environment variables and current directory; defaults to none and the process's directory.</param>
    /// <param name="cancellationToken">Cancels the running command.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CliEnvironment? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var cli = new CliContext(stdout, stderr, environment ?? new CliEnvironment());
        var root = BuildRootCommand(cli);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            var messages = parseResult.Errors.Select(e => CliContext.OneLine(e.Message)).Distinct().ToList();
            if (messages.Count > 1) messages.Remove("Required command was not provided.");
            stderr.WriteLine($"vstore: error: {string.Join("; ", messages)} (see 'vstore --help')");
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = cli.Environment.HandleProcessTermination ? TimeSpan.FromSeconds(2) : null,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Actions map their own failures; this only sees failures of the parser's built-in actions.
            return cli.Fail(e, cancellationToken);
        }
    }

    internal static RootCommand BuildRootCommand(CliContext cli)
    {
        var root = new RootCommand(
            "vstore: versioned, content-addressed storage of workflow definitions (embedded RocksDB store).\n" +
            "The store is --store, else $VSTORE_PATH, else ./.vstore.")
        {
            cli.StoreOption,
            cli.RedisOption,
            cli.S3EndpointOption,
            cli.BucketOption,
            cli.ConfigOption,
            cli.JsonOption,
        };
        foreach (var command in new[]
        {
            InitCommand.Create(cli),
            CommitCommand.Create(cli),
            LogCommand.Create(cli),
            ShowCommand.Create(cli),
            CheckoutCommand.Create(cli),
            DiffCommand.Create(cli),
            RefCommands.CreateBranch(cli),
            RefCommands.CreateTag(cli),
            RollbackCommand.Create(cli),
            ChannelCommands.CreatePublish(cli),
            ChannelCommands.CreatePromote(cli),
            ChannelCommands.CreateChannel(cli),
            ChannelCommands.CreateWatch(cli),
            MergeCommand.Create(cli),
            AncestryCommands.CreateMergeBase(cli),
            AncestryCommands.CreateIsAncestor(cli),
            AuditCommand.Create(cli),
            VerifyCommands.CreateVerify(cli),
            VerifyCommands.CreateRepos(cli),
        })
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
