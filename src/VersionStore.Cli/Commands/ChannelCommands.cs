using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using VersionStore.Releases;

namespace VersionStore.Cli.Commands;

/// <summary>
/// Release channels: <c>vstore publish</c> (stable or gray at <c>--percent</c>), <c>vstore promote</c> (canary → stable),
/// <c>vstore channel</c> (stable, canary, last-known-good; <c>--history</c>: what was live when) and <c>vstore watch</c>
/// (one line per change until interrupted).
/// </summary>
internal static class ChannelCommands
{
    private static Option<string> ChannelOption(bool required = true) => new("--channel", "-c")
    {
        Description = "The release channel (for example prod).",
        Required = required,
        HelpName = "CHANNEL",
    };

    public static Command CreatePublish(CliContext cli)
    {
        var repo = Arguments.Repository();
        var revision = Arguments.Revision("REV", "The version to publish (tag, id, branch, main~1, …).");
        var channel = ChannelOption();
        var percent = new Option<double?>("--percent", "-p") { Description = "Gray release: serve REV to this share of keys (0–100, two decimals) beside the stable version; 100 (default) makes it stable, 0 retires it as canary.", HelpName = "P" };
        var reason = new Option<string>("--reason") { Description = "Why (required; recorded in the audit log).", Required = true, HelpName = "TEXT" };
        var actor = RefCommands.ActorOption();
        var command = new Command("publish", "Publish a version to a release channel (creating it), or to a share of its keys, in one audited compare-and-swap.")
        {
            repo, revision, channel, percent, reason, actor,
        };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(parseResult.GetValue(reason))) throw CliException.Usage("publish needs a non-empty --reason");
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var channels = new ReleaseChannels(repository);
            var who = parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR");
            var entry = await channels.PublishAsync(parseResult.GetRequiredValue(channel), parseResult.GetRequiredValue(revision), parseResult.GetValue(percent) ?? 100,
                who, parseResult.GetValue(reason), cancellationToken).ConfigureAwait(false);
            return WriteChange(session.Output, entry);
        });
        return command;
    }

    public static Command CreatePromote(CliContext cli)
    {
        var repo = Arguments.Repository();
        var channel = ChannelOption();
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var actor = RefCommands.ActorOption();
        var command = new Command("promote", "Make the channel's canary its stable version (every key runs it), in one audited compare-and-swap.") { repo, channel, reason, actor };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var entry = await new ReleaseChannels(repository).PromoteAsync(parseResult.GetRequiredValue(channel),
                parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), parseResult.GetValue(reason), cancellationToken).ConfigureAwait(false);
            return WriteChange(session.Output, entry);
        });
        return command;
    }

    public static Command CreateChannel(CliContext cli)
    {
        var repo = Arguments.Repository();
        var name = new Argument<string?>("CHANNEL") { Description = "The channel (omit to list every channel).", Arity = ArgumentArity.ZeroOrOne };
        var history = new Option<bool>("--history") { Description = "What was live when: every change of the channel, newest first, with the stable and canary versions it left." };
        var limit = new Option<int>("--limit", "-n") { Description = "Most history entries to show.", DefaultValueFactory = _ => 50, HelpName = "N" };
        var command = new Command("channel", "Show release channels: stable version, canary and its share, last-known-good; --history: what was live when.") { repo, name, history, limit };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var channels = new ReleaseChannels(repository);
            var output = session.Output;
            if (parseResult.GetValue(name) is not { } channel)
            {
                if (parseResult.GetValue(history)) throw CliException.Usage("--history needs a CHANNEL");
                var list = new List<ChannelJson>();
                await foreach (var r in channels.ListAsync(cancellationToken).ConfigureAwait(false))
                    list.Add(ChannelJson.From(repository.Name, await channels.GetAsync(r.Name.ShortName, cancellationToken).ConfigureAwait(false)));
                if (output.Json) output.WriteJson(list.ToArray(), ChannelJsonContext.Default.ChannelJsonArray);
                else if (list.Count == 0) output.Line("(no channels)");
                else foreach (var c in list) output.Line(Describe(c));
                return ExitCodes.Success;
            }
            var info = await channels.GetAsync(channel, cancellationToken).ConfigureAwait(false);
            if (info.Head is null) throw CliException.NotFound($"repository '{repository.Name.Value}' has no channel '{ReleaseChannels.ChannelRef(channel).ShortName}'");
            if (!parseResult.GetValue(history))
            {
                var json = ChannelJson.From(repository.Name, info);
                if (output.Json) output.WriteJson(json, ChannelJsonContext.Default.ChannelJson);
                else
                {
                    output.Line($"channel:        {json.Channel}");
                    output.Line($"stable:         {json.Stable}");
                    output.Line($"canary:         {(json.Canary is null ? "(none)" : $"{json.Canary} at {Percent(json.CanaryPercent)}")}");
                    output.Line($"last-known-good:{(json.LastKnownGood is null ? " (none)" : " " + json.LastKnownGood)}");
                    output.Line($"sequence:       {json.Sequence}");
                    output.Line($"changed:        {(json.ChangedAt is { } t ? Output.Time(t) : "(unknown)")}");
                }
                return ExitCodes.Success;
            }
            var max = Math.Max(1, parseResult.GetValue(limit));
            var entries = new List<ChannelEventJson>();
            await foreach (var e in channels.HistoryAsync(channel, cancellationToken).ConfigureAwait(false))
            {
                entries.Add(ChannelEventJson.From(e));
                if (entries.Count >= max) break;
            }
            if (output.Json) output.WriteJson(entries.ToArray(), ChannelJsonContext.Default.ChannelEventJsonArray);
            else foreach (var e in entries) output.Line(Describe(e));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateWatch(CliContext cli)
    {
        var repo = Arguments.Repository();
        var channel = ChannelOption();
        var interval = new Option<int>("--interval")
        {
            Description = "Embedded store only: how often (ms) the database is re-opened read-only to look for changes made by other processes (distributed stores push changes).",
            DefaultValueFactory = _ => 200,
            HelpName = "MS",
        };
        var command = new Command("watch", "Print one line per change of a channel as it happens (with --json one JSON object per line), until interrupted.") { repo, channel, interval };
        cli.SetAction(command, async (parseResult, output, cancellationToken) =>
        {
            var channelName = ReleaseChannels.ChannelRef(parseResult.GetRequiredValue(channel)).ShortName;
            var repositoryName = new RepositoryName(parseResult.GetRequiredValue(repo));
            try
            {
                if (cli.IsEmbedded(parseResult))
                    await WatchEmbeddedAsync(cli.StorePath(parseResult), repositoryName, channelName, TimeSpan.FromMilliseconds(Math.Clamp(parseResult.GetValue(interval), 10, 60_000)), output, cancellationToken).ConfigureAwait(false);
                else
                    await WatchStoreAsync(cli, parseResult, repositoryName, channelName, output, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Interrupted: the normal end of a watch.
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Distributed (or tiered) store: changes are pushed (Redis pub/sub), reconciled after gaps by <see cref="Repository.WatchAsync"/>.</summary>
    private static async Task WatchStoreAsync(CliContext cli, ParseResult parseResult, RepositoryName repository, string channel, Output output, CancellationToken cancellationToken)
    {
        var config = parseResult.GetValue(cli.ConfigOption);
        var builder = StoreOpener.Compose(cli.StorePath(parseResult), config is null ? null : StoreOpener.LoadConfiguration(cli.ResolvePath(config)), parseResult.GetValue(cli.RedisOption),
            parseResult.GetValue(cli.S3EndpointOption), parseResult.GetValue(cli.BucketOption), cli.Environment.GetVariable);
        var host = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            var repo = host.Store.GetRepository(repository);
            await foreach (var change in repo.WatchAsync(ReleaseChannels.ChannelRef(channel), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (change.Target is null && change.Sequence == 0)
                {
                    cli.Stderr.WriteLine($"vstore: channel '{channel}' of '{repository.Value}' does not exist yet; waiting for it");
                    continue;
                }
                WriteWatchLine(output, channel, change.Entry, ChannelState.From(change.Target, change.Sequence, change.Entry));
            }
        }
    }

    /// <summary>
    /// Embedded store: another process (the application, <c>vstore publish</c>) holds the database for writing, so it is
    /// re-opened read-only (no lock) every <paramref name="interval"/> and the channel's newest audit entry compared.
    /// </summary>
    private static async Task WatchEmbeddedAsync(string path, RepositoryName repository, string channel, TimeSpan interval, Output output, CancellationToken cancellationToken)
    {
        if (!StoreLocator.Exists(path)) throw CliException.NotFound($"no store at '{path}' (run 'vstore init', or pass --store or set {StoreLocator.PathVariable})");
        var name = ReleaseChannels.ChannelRef(channel);
        long last = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = path, CreateIfMissing = false, ReadOnly = true }))
            {
                var state = await backend.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
                var sequence = state?.Sequence ?? 0;
                if (state?.Target is not null && sequence > last)
                {
                    // One line per change since the last poll (the first poll: the current state only), oldest first, from
                    // the audit log: changes between two polls are not folded, and an older snapshot never prints twice.
                    var entries = new List<AuditEntry>();
                    await foreach (var e in backend.ReadAuditAsync(repository, name, sequence + 1, cancellationToken).ConfigureAwait(false))
                    {
                        if (e.Sequence <= last) break;
                        entries.Add(e);
                        if (last < 0) break;
                    }
                    entries.Reverse();
                    foreach (var e in entries)
                        if (e.New is not null) WriteWatchLine(output, channel, e, ChannelState.From(e.New, e.Sequence, e));
                    last = sequence;
                }
            }
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void WriteWatchLine(Output output, string channel, AuditEntry? entry, ChannelState state)
    {
        var line = new WatchLineJson(channel, state.Stable?.ToString(), state.Sequence, entry?.Time ?? state.ChangedAt, entry?.Operation, entry?.Actor, entry?.Reason,
            state.Canary?.ToString(), state.Canary is null ? null : state.CanaryPercent);
        if (output.Json) output.Text.WriteLine(JsonSerializer.Serialize(line, ChannelJsonContext.Compact.WatchLineJson));
        else
        {
            var canary = line.Canary is null ? "" : $"  canary {line.Canary[..12]} at {Percent(line.CanaryPercent ?? 0)}";
            output.Line($"{(line.Time is { } t ? Output.Time(t) : "(time unknown)")}  {channel}@{{{line.Sequence}}}  {line.Operation ?? "?"}  stable {line.Version?[..12] ?? "(none)"}{canary}" +
                $"{(line.Actor is null ? "" : "  by " + line.Actor)}{(line.Reason is null ? "" : ": " + CliContext.OneLine(line.Reason))}");
        }
        output.Text.Flush();
    }

    private static int WriteChange(Output output, AuditEntry entry)
    {
        var state = ChannelState.From(entry.New, entry.Sequence, entry);
        var json = new ChannelChangeJson(entry.Ref.ShortName, entry.Operation, state.Stable?.ToString(), state.Canary?.ToString(),
            state.Canary is null ? 0 : state.CanaryPercent, entry.Sequence, entry.Time);
        if (output.Json) output.WriteJson(json, ChannelJsonContext.Default.ChannelChangeJson);
        else
        {
            output.Line($"{json.Channel}@{{{json.Sequence}}} {json.Operation}: stable {json.Stable}");
            if (json.Canary is not null) output.Line($"canary {json.Canary} at {Percent(json.CanaryPercent)}");
        }
        return ExitCodes.Success;
    }

    private static string Describe(ChannelJson c)
        => $"{c.Channel,-12} stable {c.Stable?[..12] ?? "(none)"}  canary {(c.Canary is null ? "(none)" : $"{c.Canary[..12]} at {Percent(c.CanaryPercent)}")}  lkg {c.LastKnownGood?[..12] ?? "(none)"}";

    private static string Describe(ChannelEventJson e)
        => $"{Output.Time(e.Time)}  @{{{e.Sequence}}}  {e.Operation,-17} stable {e.Stable?[..12] ?? "(none)"}{(e.Canary is null ? "" : $"  canary {e.Canary[..12]} at {Percent(e.CanaryPercent)}")}  by {e.Actor}{(e.Reason is null ? "" : ": " + CliContext.OneLine(e.Reason))}";

    private static string Percent(double p) => p.ToString("0.##", CultureInfo.InvariantCulture) + " %";
}

internal sealed record ChannelJson(string Repository, string Channel, string? Stable, string? Canary, double CanaryPercent, string? LastKnownGood, long Sequence, DateTimeOffset? ChangedAt)
{
    public static ChannelJson From(RepositoryName repository, ChannelInfo info)
        => new(repository.Value, info.Channel, info.Head?.ToString(), info.Canary?.ToString(), info.CanaryPercent, info.LastKnownGood?.ToString(), info.Sequence, info.ChangedAt);
}

internal sealed record ChannelEventJson(long Sequence, DateTimeOffset Time, string Operation, string Actor, string? Reason, string? Stable, string? Canary, double CanaryPercent)
{
    public static ChannelEventJson From(AuditEntry e)
    {
        var state = ChannelState.From(e.New, e.Sequence, e);
        return new(e.Sequence, e.Time, e.Operation, e.Actor, e.Reason, state.Stable?.ToString(), state.Canary?.ToString(), state.CanaryPercent);
    }
}

internal sealed record ChannelChangeJson(string Channel, string Operation, string? Stable, string? Canary, double CanaryPercent, long Sequence, DateTimeOffset Time);

/// <summary>One line of <c>vstore watch --json</c>: <c>version</c> is the stable version's full id.</summary>
internal sealed record WatchLineJson(string Channel, string? Version, long Sequence, DateTimeOffset? Time, string? Operation, string? Actor, string? Reason,
    string? Canary, double? CanaryPercent);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ChannelJson))]
[JsonSerializable(typeof(ChannelJson[]))]
[JsonSerializable(typeof(ChannelEventJson[]))]
[JsonSerializable(typeof(ChannelChangeJson))]
[JsonSerializable(typeof(WatchLineJson))]
internal sealed partial class ChannelJsonContext : JsonSerializerContext
{
    /// <summary>One object per line (<c>vstore watch --json</c>).</summary>
    public static ChannelJsonContext Compact { get; } = new(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false });
}
