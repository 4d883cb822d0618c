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
        var graph = new Option<bool>("--graph") { Description = "Draw the commit graph beside the history (merges open a column, joins close it); text only, --json is unchanged." };
        var command = new Command("log", "Show the history of a revision or range, newest first.") { repo, revision, firstParent, maxCount, dateOrder, oneline, graph };
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
            if (parseResult.GetValue(graph) && !output.Json)
            {
                // The graph needs to know which parents the log shows, so the (bounded by -n or by the range) history is read first.
                var commits = new List<Commit>();
                await foreach (var commit in repository.LogAsync(options, cancellationToken).ConfigureAwait(false)) commits.Add(commit);
                WriteGraph(output, commits, options.FirstParentOnly, parseResult.GetValue(oneline), session.StaleMark);
                return ExitCodes.Success;
            }
            var json = new List<CommitJson>();
            var first = true;
            await foreach (var commit in repository.LogAsync(options, cancellationToken).ConfigureAwait(false))
            {
                var stale = session.StaleMark(commit.Id);
                if (output.Json) json.Add(CommitJson.From(commit, session.StaleSeenAt(commit.Id)));
                else if (parseResult.GetValue(oneline)) output.Line((Output.Short(commit.Id), "yellow"), (stale is null ? "" : " " + stale, "red"), (" " + commit.Subject, null));
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
        var rows = CommitLines(commit).GetEnumerator();
        rows.MoveNext();
        output.Line(("commit " + commit.Id, "yellow"), (staleMark is null ? "" : " " + staleMark, "red"));
        while (rows.MoveNext()) output.Line(rows.Current);
    }

    /// <summary>The lines of <see cref="WriteCommit"/>, the <c>commit ID</c> line first.</summary>
    private static IEnumerable<string> CommitLines(Commit commit)
    {
        yield return $"commit {commit.Id}";
        if (commit.Parents.Count > 1) yield return "Merge: " + string.Join(' ', commit.Parents.Select(Output.Short));
        yield return $"Author: {commit.Author}";
        yield return $"Date:   {Output.Time(commit.Timestamp)}";
        if (commit.Message.Length > 0)
        {
            yield return "";
            foreach (var line in commit.Message.TrimEnd('\n').Split('\n')) yield return "    " + line;
        }
        if (commit.Trailers.Count > 0)
        {
            yield return "";
            foreach (var t in commit.Trailers) yield return $"    {t.Key}: {t.Value}";
        }
    }

    /// <summary><c>log --graph</c>: each commit's row of the graph (<see cref="LogGraph"/>) before its line(s).</summary>
    private static void WriteGraph(Output output, IReadOnlyList<Commit> commits, bool firstParentOnly, bool oneline, Func<ObjectId, string?> staleMark)
    {
        var graph = new LogGraph(commits.Select(c => c.Id).ToHashSet());
        foreach (var commit in commits)
        {
            var (row, opens, continuation, joins) = graph.Next(commit.Id, commit.Parents, firstParentOnly);
            var stale = staleMark(commit.Id) is { } mark ? " " + mark : "";
            if (oneline) output.Line((row + " ", "blue"), (Output.Short(commit.Id), "yellow"), (stale, "red"), (" " + commit.Subject, null));
            else output.Line((row + " ", "blue"), ("commit " + commit.Id, "yellow"), (stale, "red"));
            foreach (var c in opens) output.Line((c, "blue"));
            if (!oneline)
            {
                // After a root ended the only open column the prefix is blank: the text then starts at the margin.
                var open = continuation.Trim().Length > 0;
                foreach (var line in CommitLines(commit).Skip(1))
                    output.Line((open ? continuation + (line.Length > 0 ? " " : "") : "", "blue"), (line, null));
                if (!ReferenceEquals(commit, commits[^1]) && joins.Count == 0) output.Line((continuation, "blue"));
            }
            foreach (var c in joins) output.Line((c, "blue"));
        }
    }
}
