using System.CommandLine;
using System.Globalization;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore rollback REPO --branch B --to REV --reason TEXT</c>: audited rollback in one compare-and-swap.</summary>
internal static class RollbackCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var branch = new Option<string?>("--branch", "-b") { Description = "The branch to roll back.", HelpName = "BRANCH" };
        var channel = new Option<string?>("--channel") { Description = "The release channel to roll back (instead of --branch).", HelpName = "CHANNEL" };
        var to = new Option<string>("--to") { Description = "The revision whose snapshot to restore (tag, id, main~2, main@{1}, …).", Required = true, HelpName = "REV" };
        var reason = new Option<string>("--reason") { Description = "Why (required; recorded in the audit log and the revert commit).", Required = true, HelpName = "TEXT" };
        var mode = new Option<string>("--mode")
        {
            Description = "revert: a new commit restoring the target's snapshot (history kept); reset: move the ref back to the target.",
            DefaultValueFactory = _ => "revert",
            HelpName = "revert|reset",
        };
        mode.AcceptOnlyFromAmong("revert", "reset");
        var actor = RefCommands.ActorOption();
        var expectedHead = new Option<string?>("--expected-head") { Description = "Fail with a conflict unless the ref is at this commit.", HelpName = "ID" };
        var command = new Command("rollback", "Roll a branch or channel back to an earlier version, atomically, audited with actor and reason.")
        {
            repo, branch, channel, to, reason, mode, actor, expectedHead,
        };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var refName = (parseResult.GetValue(branch), parseResult.GetValue(channel)) switch
            {
                ({ } b, null) => RefName.Branch(b),
                (null, { } c) => RefName.Channel(c),
                _ => throw CliException.Usage("rollback needs exactly one of --branch or --channel"),
            };
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            ObjectId? expected = parseResult.GetValue(expectedHead) is { } e
                ? await Arguments.ResolveIdAsync(repository, e, cancellationToken).ConfigureAwait(false)
                : null;
            var result = await repository.RollbackAsync(new RollbackRequest
            {
                Ref = refName,
                Target = parseResult.GetRequiredValue(to),
                Reason = parseResult.GetRequiredValue(reason),
                Actor = parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"),
                Mode = parseResult.GetValue(mode) == "reset" ? RollbackMode.Reset : RollbackMode.Revert,
                ExpectedHead = expected,
            }, cancellationToken).ConfigureAwait(false);

            var output = session.Output;
            var v = result.Verification;
            if (output.Json)
            {
                output.WriteJson(new RollbackJson(Status(result.Status), result.Ref.FullName, result.From.ToString(), result.To.ToString(), result.NewHead.ToString(),
                    result.EffectiveTime, result.Elapsed.TotalMilliseconds, new VerificationJson(v.Passed, v.ChecksRun, v.ObjectsVerified, v.Failure)),
                    CliJson.Default.RollbackJson);
            }
            else
            {
                output.Line($"status:    {Status(result.Status)}");
                output.Line($"ref:       {result.Ref.FullName}");
                output.Line($"from:      {result.From}");
                output.Line($"to:        {result.To}");
                output.Line($"new head:  {result.NewHead}");
                output.Line($"effective: {(result.EffectiveTime is { } t ? Output.Time(t) : "(unchanged)")}");
                output.Line($"elapsed:   {result.Elapsed.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms");
                output.Line($"verified:  {(v.Passed ? "yes" : "NO: " + v.Failure)} ({v.ObjectsVerified} objects, {v.ChecksRun} checks)");
            }
            if (result.Status is RollbackStatus.Rejected or RollbackStatus.Compensated)
            {
                cli.Error($"rollback {Status(result.Status)}: {CliContext.OneLine(v.Failure ?? "verification failed")}");
                return ExitCodes.Corrupt;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Status(RollbackStatus status) => status switch
    {
        RollbackStatus.Succeeded => "succeeded",
        RollbackStatus.AlreadyAtTarget => "already-at-target",
        RollbackStatus.Compensated => "compensated",
        _ => "rejected",
    };
}
