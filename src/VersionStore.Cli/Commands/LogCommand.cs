using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore log REPO [REV]</c>: history, newest first.</summary>
internal static class LogCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var revision = new Argument<string?>("REV") { Description = "A revision or a range 'a..b' (default: every branch).", Arity = ArgumentArity.ZeroOrOne };
        var firstParent = new Option<bool>("--first-parent") { Description = "Follow only the first parent of merges." };
        var maxCount = new Option<int?>("--max-count", "-n") { Description = "Show at most N commits.", HelpName = "N" };
        var dateOrder = new Option<bool>("--date-order") { Description = "Newest timestamp first (never a parent before its child); default is topological order." };
        var oneline = new Option<bool>("--oneline") { Description = "One line per commit: short id and subject." };
        var command = new Command("log", "Show the history of a revision or range, newest first.") { repo, revision, firstParent, maxCount, dateOrder, oneline };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(maxCount) is < 0) throw CliException.Usage("--max-count cannot be negative");
            IReadOnlyList<string> include;
            IReadOnlyList<string> exclude = [];
            if (parseResult.GetValue(revision) is { } range)
            {
                var parsed = LogOptions.FromRange(range);
                include = parsed.IncludeReachableFrom;
                exclude = parsed.ExcludeReachableFrom;
            }
            else
            {
                var branches = new List<string>();
                await foreach (var r in repository.ListRefsAsync(RefKind.Branch, cancellationToken).ConfigureAwait(false)) branches.Add(r.Name.FullName);
                if (branches.Count == 0) throw CliException.NotFound($"repository '{repository.Name.Value}' has no branches; name a revision");
                include = branches;
            }
            var options = new LogOptions
            {
                IncludeReachableFrom = include,
                ExcludeReachableFrom = exclude,
                FirstParentOnly = parseResult.GetValue(firstParent),
                Order = parseResult.GetValue(dateOrder) ? LogOrder.Date : LogOrder.Topological,
                MaxCount = parseResult.GetValue(maxCount),
            };

            var output = session.Output;
            var json = new List<CommitJson>();
            var first = true;
            await foreach (var commit in repository.LogAsync(options, cancellationToken).ConfigureAwait(false))
            {
                var stale = session.StaleMark(commit.Id);
                if (output.Json) json.Add(CommitJson.From(commit, session.StaleSeenAt(commit.Id)));
                else if (parseResult.GetValue(oneline)) output.Line(stale is null ? $"{Output.Short(commit.Id)} {commit.Subject}" : $"{Output.Short(commit.Id)} {stale} {commit.Subject}");
                else
                {
                    if (!first) output.Line();
                    WriteCommit(output, commit, stale);
                }
                first = false;
            }
            if (output.Json) output.WriteJson(json.ToArray(), CliJson.Default.CommitJsonArray);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A commit in the familiar git layout: id, merge parents, author, date, indented message, trailers.</summary>
    internal static void WriteCommit(Output output, Commit commit, string? staleMark = null)
    {
        output.Line(staleMark is null ? $"commit {commit.Id}" : $"commit {commit.Id} {staleMark}");
        if (commit.Parents.Count > 1) output.Line("Merge: " + string.Join(' ', commit.Parents.Select(Output.Short)));
        output.Line($"Author: {commit.Author}");
        output.Line($"Date:   {Output.Time(commit.Timestamp)}");
        if (commit.Message.Length > 0)
        {
            output.Line();
            foreach (var line in commit.Message.TrimEnd('\n').Split('\n')) output.Line("    " + line);
        }
        if (commit.Trailers.Count > 0)
        {
            output.Line();
            foreach (var t in commit.Trailers) output.Line($"    {t.Key}: {t.Value}");
        }
    }
}
