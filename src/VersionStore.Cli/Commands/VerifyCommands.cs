using Spectre.Console;
using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore verify [REPO]</c> (fsck) and <c>vstore repos</c>.</summary>
internal static class VerifyCommands
{
    public static Command CreateVerify(CliContext cli)
    {
        var repo = new Argument<string?>("REPO") { Description = "One repository (default: all).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("verify", "fsck: check that every ref's snapshot and history is stored intact and every audit chain is unbroken (exit 6 on a problem).") { repo };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repositories = new List<Repository>();
            if (parseResult.GetValue(repo) is { } name) repositories.Add(await session.ExistingRepositoryAsync(name, cancellationToken).ConfigureAwait(false));
            else await foreach (var r in session.Store.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false)) repositories.Add(session.Repository(r.Value));

            var reports = new List<VerifyReport>();
            if (cli.ProgressConsole is { } terminal && repositories.Count > 0)
            {
                // A progress bar on an interactive stderr (stdout keeps only the results).
                await terminal.Progress().AutoClear(true).HideCompleted(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask("verify", maxValue: repositories.Count);
                    foreach (var r in repositories)
                    {
                        task.Description = "verify " + Terminal.Escape(r.Name.Value);
                        reports.Add(await r.VerifyAsync(cancellationToken).ConfigureAwait(false));
                        task.Increment(1);
                    }
                }).ConfigureAwait(false);
            }
            else foreach (var r in repositories) reports.Add(await r.VerifyAsync(cancellationToken).ConfigureAwait(false));

            var output = session.Output;
            if (output.Json)
                output.WriteJson([.. reports.Select(r => new VerifyReportJson(r.Repository.Value, r.RefsChecked, r.ObjectsChecked, r.IsHealthy, [.. r.Problems]))],
                    CliJson.Default.VerifyReportJsonArray);
            else
            {
                foreach (var r in reports)
                {
                    output.Line((r.IsHealthy ? "ok  " : "FAIL", r.IsHealthy ? "green" : "bold red"),
                        ($" {r.Repository.Value}: {r.RefsChecked} refs, {r.ObjectsChecked} objects{(r.IsHealthy ? "" : $", {r.Problems.Count} problems")}", null));
                    foreach (var p in r.Problems) output.Line("     " + CliContext.OneLine(p));
                }
                if (reports.Count == 0) output.Line("no repositories");
            }
            var failed = reports.Where(r => !r.IsHealthy).ToList();
            if (failed.Count == 0) return ExitCodes.Success;
            cli.Error($"verification found problems in {failed.Count} repositories: {string.Join(", ", failed.Select(r => r.Repository.Value))}");
            return ExitCodes.Corrupt;
        });
        return command;
    }

    public static Command CreateRepos(CliContext cli)
    {
        var command = new Command("repos", "List the repositories of the store.");
        cli.SetStoreAction(command, async (_, session, cancellationToken) =>
        {
            var names = new List<string>();
            await foreach (var r in session.Store.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false)) names.Add(r.Value);
            names.Sort(StringComparer.Ordinal);
            if (session.Output.Json) session.Output.WriteJson([.. names.Select(n => new RepositoryJson(n))], CliJson.Default.RepositoryJsonArray);
            else foreach (var n in names) session.Output.Line(n);
            return ExitCodes.Success;
        });
        return command;
    }
}
