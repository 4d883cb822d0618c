using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore merge-base</c> and <c>vstore is-ancestor</c>: questions about the commit DAG, answered like git.</summary>
internal static class AncestryCommands
{
    public static Command CreateMergeBase(CliContext cli)
    {
        var repo = Arguments.Repository();
        var left = Arguments.Revision("A", "One revision.");
        var right = Arguments.Revision("B", "The other revision.");
        var all = new Option<bool>("--all") { Description = "Print every best common ancestor, not just one." };
        var command = new Command("merge-base", "Print the best common ancestor of A and B (exit 1 when they share none).") { repo, left, right, all };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var a = await repository.ResolveAsync(parseResult.GetRequiredValue(left), cancellationToken).ConfigureAwait(false);
            var b = await repository.ResolveAsync(parseResult.GetRequiredValue(right), cancellationToken).ConfigureAwait(false);
            var bases = await repository.MergeBasesAsync(a, b, cancellationToken).ConfigureAwait(false);
            var shown = parseResult.GetValue(all) ? bases : bases.Take(1).ToList();
            var output = session.Output;
            if (output.Json) output.WriteJson(new MergeBaseJson(a.ToString(), b.ToString(), [.. shown.Select(x => x.ToString())]), CliJson.Default.MergeBaseJson);
            else foreach (var id in shown) output.Line(id.ToString());
            return bases.Count > 0 ? ExitCodes.Success : ExitCodes.No;
        });
        return command;
    }

    public static Command CreateIsAncestor(CliContext cli)
    {
        var repo = Arguments.Repository();
        var ancestor = Arguments.Revision("A", "The candidate ancestor.");
        var descendant = Arguments.Revision("B", "The candidate descendant.");
        var command = new Command("is-ancestor", "Exit 0 when A is B or an ancestor of B, 1 when not (like 'git merge-base --is-ancestor').") { repo, ancestor, descendant };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var a = await repository.ResolveAsync(parseResult.GetRequiredValue(ancestor), cancellationToken).ConfigureAwait(false);
            var d = await repository.ResolveAsync(parseResult.GetRequiredValue(descendant), cancellationToken).ConfigureAwait(false);
            var yes = await repository.IsAncestorAsync(a, d, cancellationToken).ConfigureAwait(false);
            if (session.Output.Json) session.Output.WriteJson(new IsAncestorJson(a.ToString(), d.ToString(), yes), CliJson.Default.IsAncestorJson);
            return yes ? ExitCodes.Success : ExitCodes.No;
        });
        return command;
    }
}
