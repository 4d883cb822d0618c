using Spectre.Console;
using System.CommandLine;
using System.Globalization;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore retention</c>, <c>vstore pin</c> / <c>unpin</c> and <c>vstore gc</c>: what is kept, and collecting the rest.</summary>
internal static class RetentionCommands
{
    public static Command CreateRetention(CliContext cli)
    {
        var repo = Arguments.Repository();
        var keepLast = new Option<int?>("--keep-last") { Description = "Keep the newest N versions of each branch (first parent).", HelpName = "N" };
        var keepDays = new Option<int?>("--keep-days") { Description = "Keep versions younger than D days.", HelpName = "D" };
        var keepAll = new Option<bool>("--keep-all") { Description = "Keep every version (the default policy)." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit log.", HelpName = "TEXT" };
        var actor = RefCommands.ActorOption();
        var command = new Command("retention", "Show or set a repository's retention policy. Tags, ref heads, channel history and pins are always kept.")
            { repo, keepLast, keepDays, keepAll, reason, actor };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var (last, days, all) = (parseResult.GetValue(keepLast), parseResult.GetValue(keepDays), parseResult.GetValue(keepAll));
            if (all && (last is not null || days is not null)) throw CliException.Usage("--keep-all cannot be combined with --keep-last or --keep-days");
            var policy = await repository.GetRetentionPolicyAsync(cancellationToken).ConfigureAwait(false);
            if (all || last is not null || days is not null)
            {
                policy = all ? RetentionPolicy.KeepEverything : new RetentionPolicy(last ?? policy.KeepLast, days ?? policy.KeepDays);
                await repository.SetRetentionPolicyAsync(policy, parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), parseResult.GetValue(reason), cancellationToken).ConfigureAwait(false);
            }
            if (session.Output.Json) session.Output.WriteJson(new RetentionJson(repository.Name.Value, policy.KeepLast, policy.KeepDays), CliJson.Default.RetentionJson);
            else session.Output.Line($"{repository.Name.Value}: {policy}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreatePin(CliContext cli)
    {
        var repo = Arguments.Repository();
        var revision = new Argument<string?>("REV") { Description = "The version to hold (omit to list pins).", Arity = ArgumentArity.ZeroOrOne };
        var reason = new Option<string?>("--reason") { Description = "Why it must be kept (required to pin; recorded in the audit log).", HelpName = "TEXT" };
        var actor = RefCommands.ActorOption();
        var command = new Command("pin", "Hold a version so retention and GC keep its snapshot, or list the holds.") { repo, revision, reason, actor };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var pins = new List<PinInfo>();
            if (parseResult.GetValue(revision) is { } rev)
            {
                if (string.IsNullOrWhiteSpace(parseResult.GetValue(reason))) throw CliException.Usage("pin needs --reason TEXT");
                pins.Add(await repository.PinAsync(rev, parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), parseResult.GetValue(reason)!, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                await foreach (var p in repository.ListPinsAsync(cancellationToken).ConfigureAwait(false)) pins.Add(p);
            }
            if (session.Output.Json) session.Output.WriteJson([.. pins.Select(PinJson.From)], CliJson.Default.PinJsonArray);
            else foreach (var p in pins) session.Output.Line($"{Output.Short(p.Target)}  pinned by {p.Actor} at {Output.Time(p.Time)}{(p.Reason is null ? "" : ": " + CliContext.OneLine(p.Reason))}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateUnpin(CliContext cli)
    {
        var repo = Arguments.Repository();
        var revision = Arguments.Revision("REV", "The pinned version.");
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit log.", HelpName = "TEXT" };
        var actor = RefCommands.ActorOption();
        var command = new Command("unpin", "Release a hold; the version then follows the retention policy again.") { repo, revision, reason, actor };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            await repository.UnpinAsync(parseResult.GetRequiredValue(revision), parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), parseResult.GetValue(reason), cancellationToken).ConfigureAwait(false);
            if (!session.Output.Json) session.Output.Line($"unpinned {parseResult.GetRequiredValue(revision)}");
            else session.Output.WriteJson([], CliJson.Default.PinJsonArray);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateGc(CliContext cli)
    {
        var repos = new Argument<string[]>("REPO") { Description = "Apply the retention policy of these repositories only (default: all). Marking always covers every repository.", Arity = ArgumentArity.ZeroOrMore };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be pruned and deleted; change nothing." };
        var grace = new Option<string?>("--grace") { Description = "Grace period: objects written more recently are never deleted, and planned deletions wait this long (e.g. 1h, 30m, 90s; default 1h).", HelpName = "DURATION" };
        var command = new Command("gc", "Garbage collection over every tier: prune snapshots outside retention, delete objects no ref, pin or channel history reaches (after a grace period).")
            { repos, dryRun, grace };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var options = new GcOptions
            {
                DryRun = parseResult.GetValue(dryRun),
                Actor = cli.DefaultAuthor("VSTORE_ACTOR"),
                Repositories = parseResult.GetValue(repos) is { Length: > 0 } names ? names : null,
            };
            if (parseResult.GetValue(grace) is { } text) options.GracePeriod = ParseDuration(text);
            foreach (var name in options.Repositories ?? []) await session.ExistingRepositoryAsync(name, cancellationToken).ConfigureAwait(false);
            GcResult result;
            if (cli.ProgressConsole is { } terminal)
            {
                // A progress bar per phase on an interactive stderr, fed by the collector's IProgress reports.
                result = await terminal.Progress().AutoClear(true).StartAsync(async context =>
                    await session.Store.CollectGarbageAsync(options, new PhaseProgress(context), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
            else result = await session.Store.CollectGarbageAsync(options, null, cancellationToken).ConfigureAwait(false);
            var output = session.Output;
            if (output.Json)
            {
                output.WriteJson(new GcJson(result.DryRun, result.ObjectsDeleted, result.BytesFreed, result.ObjectsMarked, result.ObjectsScanned, result.CommitsKept,
                    result.VersionsPruned, result.CandidatesPlanned, [.. result.Tiers.Select(t => new TierJson(t.Tier, t.ObjectsDeleted, t.BytesFreed))],
                    result.Duration.TotalMilliseconds, [.. result.Problems]), CliJson.Default.GcJson);
            }
            else
            {
                output.Line($"{(result.DryRun ? "dry run: would delete" : "deleted")} {result.ObjectsDeleted} objects, {FormatBytes(result.BytesFreed)} freed");
                foreach (var t in result.Tiers) output.Line($"  {t.Tier}: {t.ObjectsDeleted} objects, {FormatBytes(t.BytesFreed)}");
                output.Line($"kept {result.ObjectsMarked} objects ({result.CommitsKept} commits) of {result.ObjectsScanned} stored; {result.VersionsPruned} versions pruned by retention; {result.CandidatesPlanned} unreached objects planned for the next run");
                foreach (var p in result.Problems) output.Line("  note: " + CliContext.OneLine(p));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses <c>90s</c>, <c>30m</c>, <c>1h</c>, <c>2d</c>, <c>0</c>, or a .NET time span (<c>00:30:00</c>).</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim();
        if (t == "0") return TimeSpan.Zero;
        if (t.Length >= 2 && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n < 1e6)
        {
            switch (t[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw CliException.Usage($"'{CliContext.OneLine(text.Length > 40 ? text[..40] : text)}' is not a duration (use e.g. 90s, 30m, 1h, 2d)");
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MiB",
    };

    /// <summary>One Spectre progress task per GC phase (mark, sweep, …), its bar set from the collector's reports.</summary>
    private sealed class PhaseProgress(Spectre.Console.ProgressContext context) : IProgress<GcProgress>
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<GcPhase, Spectre.Console.ProgressTask> _tasks = [];

        public void Report(GcProgress value)
        {
            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.Phase, out var task))
                {
                    foreach (var done in _tasks.Values) done.StopTask();
                    _tasks[value.Phase] = task = context.AddTask("gc " + value.Phase.ToString().ToLowerInvariant());
                }
                if (value.Total is { } total && total > 0)
                {
                    task.MaxValue = total;
                    task.Value = value.Processed;
                }
                else task.IsIndeterminate = true;
            }
        }
    }
}
