using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore show REPO REV</c>: one commit's metadata, trailers and entries.</summary>
internal static class ShowCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var revision = Arguments.Revision("REV", "The revision (branch, tag, id or abbreviation, main~1, main^2, main@{1}).");
        var command = new Command("show", "Show a commit: metadata, trailers and the list of entries of its snapshot.") { repo, revision };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var snapshot = await repository.CheckoutAsync(parseResult.GetRequiredValue(revision), cancellationToken).ConfigureAwait(false);
            var isWorkflow = WorkflowSupport.IsWorkflowSnapshot(snapshot);
            var entries = new List<EntryJson>();
            await foreach (var e in snapshot.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                var (item, id) = isWorkflow ? WorkflowSupport.Describe(e.Path) : (null, null);
                entries.Add(new EntryJson(e.Path, e.BlobId.ToString(), item, id));
            }

            var output = session.Output;
            if (output.Json)
            {
                output.WriteJson(new ShowJson(CommitJson.From(snapshot.Commit, session.StaleSeenAt(snapshot.Commit.Id)), isWorkflow ? WorkflowSupport.Format : null, [.. entries]), CliJson.Default.ShowJson);
                return ExitCodes.Success;
            }
            LogCommand.WriteCommit(output, snapshot.Commit, session.StaleMark(snapshot.Commit.Id));
            output.Line();
            output.Line($"Tree:   {snapshot.Commit.Tree}");
            output.Line($"Parents: {(snapshot.Commit.Parents.Count == 0 ? "(none)" : string.Join(' ', snapshot.Commit.Parents))}");
            output.Line($"Generation: {snapshot.Commit.Generation}");
            output.Line($"Entries ({entries.Count}{(isWorkflow ? ", Dify workflow" : "")}):");
            foreach (var e in entries)
                output.Line($"  {e.BlobId[..12]} {e.Path}{(e.Item is null ? "" : $"  [{e.Item}{(e.ItemId is null ? "" : " " + e.ItemId)}]")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
