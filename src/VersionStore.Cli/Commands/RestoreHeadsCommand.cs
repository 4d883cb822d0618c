using System.CommandLine;
using System.Text.Json.Serialization;

namespace VersionStore.Cli.Commands;

/// <summary>
/// <c>vstore restore-heads REPO|--all</c>: after the shared ref store (Redis) lost its state, re-publishes the heads this
/// machine's local store remembers (create-if-absent, audited) and writes the store marker again
/// (<see cref="RepositoryStore.RestoreHeadsAsync"/>; docs/OPERATIONS.md, "Ref store lost its state").
/// </summary>
internal static class RestoreHeadsCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = new Argument<string?>("REPO") { Description = "The repository whose heads to restore.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Restore every repository this machine remembers." };
        var actor = RefCommands.ActorOption();
        var command = new Command("restore-heads",
            "Distributed mode, after Redis lost its state: re-publish the heads this machine remembers where Redis lacks them " +
            "(never overwriting a ref someone re-created; audited), and write the store marker again so writes are accepted.")
        { repo, all, actor };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var name = parseResult.GetValue(repo);
            if ((name is null) == !parseResult.GetValue(all)) throw CliException.Usage("name one repository or pass --all");
            var repository = name is null ? (RepositoryName?)null : new RepositoryName(name);
            var report = await session.Store.RestoreHeadsAsync(repository, parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), cancellationToken).ConfigureAwait(false);

            var output = session.Output;
            if (output.Json)
                output.WriteJson(new RestoreHeadsJson([.. report.Refs.Select(r => new RestoredHeadJson(r.Repository.Value, r.Ref.FullName, Outcome(r.Outcome),
                        r.Remembered.State.Target?.ToString(), r.Remembered.State.Sequence, r.Remembered.SeenAt, r.Current?.Target?.ToString(), r.Current?.Sequence))],
                    report.Epoch, report.EpochWritten, report.Complete), RestoreHeadsJsonContext.Default.RestoreHeadsJson);
            else
            {
                foreach (var r in report.Refs) output.Line(Describe(r));
                if (report.Refs.Count == 0) output.Line(name is null ? "no remembered heads" : $"no remembered heads of '{name}'");
                if (report.Epoch is { } epoch) output.Line($"store marker {epoch}{(report.EpochWritten ? " written" : " present")}");
            }
            if (report.Complete) return ExitCodes.Success;
            var kept = report.Refs.Count(r => r.Outcome == HeadRestoreOutcome.Kept);
            var missing = report.Refs.Count(r => r.Outcome == HeadRestoreOutcome.CommitMissing);
            cli.Error($"{kept + missing} of {report.Refs.Count} remembered heads were not re-published ({kept} kept as found, {missing} with missing commits); see above");
            return kept > 0 ? ExitCodes.Conflict : ExitCodes.Corrupt;
        });
        return command;
    }

    private static string Describe(HeadRestoreResult r)
    {
        var remembered = $"{Id(r.Remembered.State.Target)} (seen {r.Remembered.SeenAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)";
        var where = $"{r.Ref.FullName} of '{r.Repository.Value}'";
        return r.Outcome switch
        {
            HeadRestoreOutcome.Restored => $"restored {where} at {remembered}",
            HeadRestoreOutcome.Present => $"present  {where} at {Id(r.Current?.Target)}",
            HeadRestoreOutcome.Kept => $"kept     {where}: the ref store holds {Id(r.Current?.Target)} (re-created since the loss), not overwritten; "
                + $"this machine's head was {remembered} (still stored: branch it to keep it)",
            _ => $"missing  {where}: commit {remembered} is in no object tier; not re-published",
        };
    }

    private static string Id(ObjectId? id) => id is { } i ? Output.Short(i) : "(deleted)";

    private static string Outcome(HeadRestoreOutcome outcome) => outcome switch
    {
        HeadRestoreOutcome.Restored => "restored",
        HeadRestoreOutcome.Present => "present",
        HeadRestoreOutcome.Kept => "kept",
        _ => "commitMissing",
    };
}

internal sealed record RestoredHeadJson(string Repository, string Ref, string Outcome, string? Remembered, long RememberedSequence, DateTimeOffset SeenAt,
    string? Current, long? CurrentSequence);

internal sealed record RestoreHeadsJson(RestoredHeadJson[] Refs, string? Epoch, bool EpochWritten, bool Complete);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RestoreHeadsJson))]
internal sealed partial class RestoreHeadsJsonContext : JsonSerializerContext;
