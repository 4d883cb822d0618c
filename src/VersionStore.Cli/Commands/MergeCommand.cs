using System.CommandLine;
using System.Text.Json.Serialization;

namespace VersionStore.Cli.Commands;

/// <summary>
/// <c>vstore merge REPO --into B --from REV [--strategy ours|theirs|json] [--ff|--ff-only]</c>: three-way merge at entry
/// level. Prints the new head, or the conflicting entries and exits 4 (<see cref="ExitCodes.Conflict"/>) with the
/// branch unchanged.
/// </summary>
internal static class MergeCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var into = new Option<string>("--into") { Description = "The branch to merge into.", Required = true, HelpName = "BRANCH" };
        var from = new Option<string>("--from") { Description = "The revision to merge (branch, tag, id, …).", Required = true, HelpName = "REV" };
        var strategy = new Option<string?>("--strategy", "-s") { Description = "Settle conflicting entries: ours, theirs, or json (field-level merge of JSON objects). Default: report them.", HelpName = "NAME" };
        strategy.AcceptOnlyFromAmong("ours", "theirs", "json");
        var ff = new Option<bool>("--ff") { Description = "Fast-forward when possible instead of recording a merge commit." };
        var ffOnly = new Option<bool>("--ff-only") { Description = "Only fast-forward; exit 4 when the histories diverged." };
        var author = new Option<string?>("--author") { Description = "Author of the merge commit (default: $VSTORE_AUTHOR, else the OS user name).", HelpName = "NAME" };
        var message = new Option<string?>("--message", "-m") { Description = "Merge commit message.", HelpName = "TEXT" };
        var expectedHead = new Option<string?>("--expected-head") { Description = "Fail with a conflict unless the branch is at this commit.", HelpName = "ID" };
        var command = new Command("merge", "Merge a revision into a branch (three-way, per entry); prints the new head, or the conflicts (exit 4).")
        {
            repo, into, from, strategy, ff, ffOnly, author, message, expectedHead,
        };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            ObjectId? expected = parseResult.GetValue(expectedHead) is { } e
                ? await Arguments.ResolveIdAsync(repository, e, cancellationToken).ConfigureAwait(false)
                : null;
            var resolver = parseResult.GetValue(strategy) is { } s ? MergeResolvers.FromName(s) : null;
            var result = await repository.MergeAsync(parseResult.GetRequiredValue(into), parseResult.GetRequiredValue(from), new MergeOptions
            {
                Resolvers = resolver is null ? [] : MergeOptions.ForAll(resolver),
                Author = parseResult.GetValue(author) ?? cli.DefaultAuthor("VSTORE_AUTHOR"),
                Message = parseResult.GetValue(message),
                ExpectedHead = expected,
                FastForward = parseResult.GetValue(ffOnly) ? FastForwardMode.Only : parseResult.GetValue(ff) ? FastForwardMode.WhenPossible : FastForwardMode.Never,
            }, cancellationToken).ConfigureAwait(false);

            var output = session.Output;
            var status = result.Status switch
            {
                MergeStatus.UpToDate => "up-to-date",
                MergeStatus.FastForwarded => "fast-forward",
                MergeStatus.Merged => "merged",
                MergeStatus.Conflicted => "conflicted",
                _ => "not-fast-forward",
            };
            if (output.Json)
            {
                output.WriteJson(new MergeJson(status, result.Head.ToString(), result.Commit?.Id.ToString(), [.. result.MergeBases.Select(b => b.ToString())],
                    [.. result.Conflicts.Select(c => new MergeConflictJson(c.Path, KindName(c.Kind), c.Base?.ToString(), c.Ours?.ToString(), c.Theirs?.ToString()))]),
                    MergeJsonContext.Default.MergeJson);
            }
            else if (result.Status == MergeStatus.Conflicted)
            {
                foreach (var c in result.Conflicts) output.Line($"CONFLICT ({KindName(c.Kind)}) {c.Path}");
            }
            else if (result.Status == MergeStatus.NotFastForward)
            {
                output.Line("not possible to fast-forward: the histories diverged");
            }
            else
            {
                output.Line(result.Head.ToString());
            }
            return result.Succeeded ? ExitCodes.Success : ExitCodes.Conflict;
        });
        return command;
    }

    private static string KindName(MergeConflictKind kind) => kind switch
    {
        MergeConflictKind.BothModified => "modify/modify",
        MergeConflictKind.BothAdded => "add/add",
        MergeConflictKind.ModifiedDeleted => "modify/delete",
        MergeConflictKind.DeletedModified => "delete/modify",
        _ => "file/folder",
    };
}

internal sealed record MergeConflictJson(string Path, string Kind, string? Base, string? Ours, string? Theirs);

internal sealed record MergeJson(string Status, string Head, string? Commit, string[] MergeBases, MergeConflictJson[] Conflicts);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MergeJson))]
internal sealed partial class MergeJsonContext : JsonSerializerContext;
