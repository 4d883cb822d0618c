using System.CommandLine;

namespace VersionStore.Cli;

/// <summary>One run of the CLI: its writers, environment and global options, and the error-to-exit-code policy.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, CliEnvironment environment)
{
    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    public CliEnvironment Environment { get; } = environment;

    public Option<string?> StoreOption { get; } = new("--store")
    {
        Description = "Store folder (default: $VSTORE_PATH, else ./.vstore).",
        Recursive = true,
        HelpName = "PATH",
    };

    public Option<string?> RedisOption { get; } = new("--redis")
    {
        Description = "Distributed mode: Redis for refs and hot objects (HOST:PORT or a StackExchange.Redis configuration); --store is then the local warm cache.",
        Recursive = true,
        HelpName = "HOST:PORT",
    };

    public Option<string?> S3EndpointOption { get; } = new("--s3-endpoint")
    {
        Description = "S3-compatible endpoint URL for the object tier (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else the AWS SDK's default chain).",
        Recursive = true,
        HelpName = "URL",
    };

    public Option<string?> BucketOption { get; } = new("--bucket")
    {
        Description = "S3 bucket: the durable object tier with --redis, else an archive of the embedded store.",
        Recursive = true,
        HelpName = "NAME",
    };

    public Option<string?> ConfigOption { get; } = new("--config")
    {
        Description = "A JSON configuration file of the store (sections rocksDb, redis, s3 bind the backends' options; mode, memoryCacheBytes at the root); overrides the other store options.",
        Recursive = true,
        HelpName = "FILE",
    };

    public Option<bool> JsonOption { get; } = new("--json")
    {
        Description = "Machine-readable output: one JSON document, camelCase property names.",
        Recursive = true,
    };

    /// <summary>Results on stdout use colour and tables (an interactive terminal, or <c>VSTORE_COLOR=always</c>).</summary>
    public bool StyledOutput => Terminal.Styled(Environment.GetVariable, Environment.OutputIsTerminal);

    /// <summary>A progress bar for long work on stderr, or null when stderr is not an interactive terminal (or colour is off).</summary>
    public Spectre.Console.IAnsiConsole? ProgressConsole
        => Terminal.Styled(Environment.GetVariable, Environment.ErrorIsTerminal) ? Terminal.Create(Stderr, interactive: true) : null;

    public string ResolvePath(string path) => Path.GetFullPath(path, Environment.CurrentDirectory);

    public string DefaultAuthor(string variable) => Environment.GetVariable(variable) is { Length: > 0 } v ? v : Environment.UserName;

    /// <summary>Runs a command body that does not need an open store.</summary>
    public void SetAction(Command command, Func<ParseResult, Output, CancellationToken, Task<int>> body)
        => command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, new Output(Stdout, parseResult.GetValue(JsonOption), StyledOutput), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return Fail(e, cancellationToken);
            }
        });

    /// <summary>
    /// Runs a command body against the opened store, closing it afterwards. The store is composed by
    /// <see cref="StoreOpener"/> through <see cref="VersionStoreBuilder"/>, the one path every application takes:
    /// embedded (the default) is the RocksDB database at the store path, which must exist; with <c>--redis</c>,
    /// <c>--bucket</c> or <c>--config</c> the tiered/distributed store, the store path being its local store.
    /// </summary>
    public void SetStoreAction(Command command, Func<ParseResult, StoreSession, CancellationToken, Task<int>> body)
        => SetAction(command, async (parseResult, output, cancellationToken) =>
        {
            var path = StoreLocator.Resolve(parseResult.GetValue(StoreOption), Environment.GetVariable, Environment.CurrentDirectory);
            var config = parseResult.GetValue(ConfigOption);
            var redis = parseResult.GetValue(RedisOption);
            var s3 = parseResult.GetValue(S3EndpointOption);
            var bucket = parseResult.GetValue(BucketOption);
            if (config is null && redis is null && s3 is null && bucket is null && !StoreLocator.Exists(path))
                throw CliException.NotFound($"no store at '{path}' (run 'vstore init', or pass --store or set {StoreLocator.PathVariable})");
            var configFile = config is null ? null : ResolvePath(config);
            var configuration = configFile is null ? null : StoreOpener.LoadConfiguration(configFile);
            // With --config the local store is the file's rocksDb:path (when it names one), not the default folder.
            if (configuration is not null && parseResult.GetValue(StoreOption) is null && StoreOpener.ConfiguredLocalPath(configuration) is { } local)
                path = ResolvePath(local);
            var builder = StoreOpener.Compose(path, configuration, redis, s3, bucket, Environment.GetVariable,
                readOnly: ReadOnlyCommands.Contains(command.Name));
            // The commit graph persists beside the local store (embedded: the database; distributed: the local cache).
            builder.Options.Store.CommitGraphPath ??= System.IO.Path.Combine(path, CommitGraphFile);
            var host = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
            await using (host.ConfigureAwait(false))
            {
                Environment.StoreOpened?.Invoke(host);
                var session = new StoreSession(this, host.Store, path, output,
                    configFile is null ? $"store '{path}'" : $"the store configured in '{configFile}'");
                // Fail-static: heads served from the local head cache while the ref store is down are marked in the output.
                if (host.FailStatic is { } failStatic) failStatic.StaleRead += (_, e) => session.MarkStale(e);
                return await body(parseResult, session, cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>Commands that never write to the store: they open the embedded database read-only (no lock, no log to write).</summary>
    private static readonly HashSet<string> ReadOnlyCommands = new(StringComparer.Ordinal)
    {
        "log", "show", "checkout", "diff", "merge-base", "is-ancestor", "audit", "verify", "repos", "channel",
    };

    /// <summary>The persisted commit graph of an embedded store, beside the database files (RocksDB ignores it).</summary>
    public const string CommitGraphFile = "commit-graph.vscg";

    /// <summary>True when the global options name a tiered or distributed store (<c>--redis</c>, <c>--bucket</c>, <c>--s3-endpoint</c>, <c>--config</c>), false for the embedded default.</summary>
    public bool IsEmbedded(ParseResult parseResult)
        => parseResult.GetValue(ConfigOption) is null && parseResult.GetValue(RedisOption) is null && parseResult.GetValue(S3EndpointOption) is null && parseResult.GetValue(BucketOption) is null;

    /// <summary>The store folder the global options name.</summary>
    public string StorePath(ParseResult parseResult) => StoreLocator.Resolve(parseResult.GetValue(StoreOption), Environment.GetVariable, Environment.CurrentDirectory);

    /// <summary>Reports <paramref name="e"/> as one line on stderr and returns its exit code.</summary>
    public int Fail(Exception e, CancellationToken cancellationToken)
    {
        var (code, message) = e switch
        {
            OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Cancelled, "cancelled"),
            CliException c => (c.ExitCode, c.Message),
            RefConflictException or NameConflictException or MergeConflictException or NonFastForwardException => (ExitCodes.Conflict, e.Message),
            RefStoreStateLostException => (ExitCodes.RefStoreStateLost, e.Message),
            BackendUnavailableException => (ExitCodes.BackendUnavailable, e.Message),
            CorruptObjectException or ObjectNotFoundException or UnexpectedObjectKindException => (ExitCodes.Corrupt, e.Message),
            VersionStoreException => (ExitCodes.NotFoundOrInvalid, e.Message),
            IOException or UnauthorizedAccessException => (ExitCodes.NotFoundOrInvalid, e.Message),
            InvalidDataException => (ExitCodes.NotFoundOrInvalid, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message), // --config not loadable
            ArgumentException => (ExitCodes.NotFoundOrInvalid, e.Message), // invalid store configuration
            _ => (ExitCodes.InternalError, $"internal error: {e.GetType().FullName}: {e.Message}"),
        };
        Error(message);
        if (code == ExitCodes.InternalError && Environment.GetVariable("VSTORE_DEBUG") is { Length: > 0 }) Stderr.WriteLine(e);
        return code;
    }

    /// <summary>Writes <c>vstore: error: MESSAGE</c> as one printable line on stderr.</summary>
    public void Error(string message) => Stderr.WriteLine("vstore: error: " + OneLine(message));

    /// <summary>A message as one printable line: line breaks become spaces, other control characters are escaped.</summary>
    public static string OneLine(string message)
    {
        var line = Output.Printable(message.ReplaceLineEndings(" ").Trim());
        return line.Length <= MaxErrorLength ? line : line[..MaxErrorLength] + $"… ({line.Length - MaxErrorLength} more characters)";
    }

    /// <summary>Longest error line: an echoed input of a megabyte is cut, not printed whole.</summary>
    private const int MaxErrorLength = 2000;
}

/// <summary>An open store for the duration of one command.</summary>
internal sealed class StoreSession(CliContext cli, RepositoryStore store, string path, Output output, string description)
{
    public CliContext Cli { get; } = cli;

    public RepositoryStore Store { get; } = store;

    public string Path { get; } = path;

    public Output Output { get; } = output;

    /// <summary>The store as error messages name it: <c>store '/path'</c>, or the configuration file it was composed from.</summary>
    public string Description { get; } = description;

    public Repository Repository(string name) => Store.GetRepository(name);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ObjectId, DateTimeOffset> _staleHeads = new();

    /// <summary>Records a head served stale (the ref store was unreachable): its commit, and when it was last seen.</summary>
    public void MarkStale(StaleRefReadEventArgs read)
    {
        if (read.Result.State.Target is { } head) _staleHeads[head] = read.Result.SeenAt;
    }

    /// <summary>When <paramref name="commit"/> was last seen as a head, if this command served it stale; else null.</summary>
    public DateTimeOffset? StaleSeenAt(ObjectId commit) => _staleHeads.TryGetValue(commit, out var seen) ? seen : null;

    /// <summary>The text mark of a stale head: <c>(stale: last seen HH:MM:SS)</c> (UTC), or null.</summary>
    public string? StaleMark(ObjectId commit) => StaleSeenAt(commit) is { } seen ? $"(stale: last seen {seen.UtcDateTime:HH:mm:ss})" : null;

    /// <summary>
    /// A repository that must already exist (hold at least one ref), so a misspelt name reports "not found"
    /// instead of an empty answer.
    /// </summary>
    public async Task<Repository> ExistingRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        var repository = Store.GetRepository(name);
        if (await repository.ExistsAsync(cancellationToken).ConfigureAwait(false)) return repository;
        throw CliException.NotFound($"no repository '{repository.Name.Value}' in {Description} (see 'vstore repos')");
    }
}
