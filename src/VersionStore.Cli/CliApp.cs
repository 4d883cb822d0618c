using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using VersionStore.Cli.Commands;

namespace VersionStore.Cli;

/// <summary>
/// The <c>vstore</c> command line as a callable: parses arguments, runs one command against the store and
/// returns its exit code. Output goes to the given writers, so a host or a test can run it in-process.
/// </summary>
internal static class CliApp
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
        var problems = UsageProblems(parseResult);
        if (problems.Count > 0 && parseResult.Action is not HelpAction)
        {
            var messages = problems.Select(CliContext.OneLine).Distinct().ToList();
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

    /// <summary>
    /// The parser's errors in words for people (a value of the wrong type names the option and the expected kind,
    /// never a CLR type), plus every option-like token (<c>--bogus</c>) that no option claimed and that a positional
    /// argument would otherwise take as its value (a revision, a name); after <c>--</c> such a token is a value.
    /// </summary>
    private static List<string> UsageProblems(ParseResult parseResult)
    {
        var problems = new List<string>();
        foreach (var error in parseResult.Errors)
        {
            problems.Add(error.SymbolResult switch
            {
                OptionResult o when error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal)
                    => $"'{o.Tokens.FirstOrDefault()?.Value}' is not a valid value for {o.Option.Name} (expected {Kind(o.Option.ValueType)})",
                ArgumentResult a when error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal)
                    => $"'{a.Tokens.FirstOrDefault()?.Value}' is not a valid {a.Argument.Name} (expected {Kind(a.Argument.ValueType)})",
                _ => error.Message,
            });
        }
        var doubleDash = parseResult.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        for (SymbolResult? r = parseResult.CommandResult; r is not null; r = r.Parent)
        {
            if (r is not CommandResult command) continue;
            foreach (var argument in command.Children.OfType<ArgumentResult>())
                foreach (var token in argument.Tokens)
                {
                    if (token.Value.Length < 2 || token.Value[0] != '-') continue;
                    var index = parseResult.Tokens.ToList().FindIndex(t => ReferenceEquals(t, token));
                    if (doubleDash < 0 || index < doubleDash) problems.Add($"unknown option '{token.Value}' (put '--' before an argument that starts with '-')");
                }
        }
        return problems;

        static string Kind(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(int) || t == typeof(long) => "an integer",
            var t when t == typeof(double) => "a number",
            var t when t == typeof(bool) => "true or false",
            var t => "a " + t.Name.ToLowerInvariant(),
        };
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
            RetentionCommands.CreateRetention(cli),
            RetentionCommands.CreatePin(cli),
            RetentionCommands.CreateUnpin(cli),
            RetentionCommands.CreateGc(cli),
            RestoreHeadsCommand.Create(cli),
            CompletionCommand.Create(cli),
        })
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
