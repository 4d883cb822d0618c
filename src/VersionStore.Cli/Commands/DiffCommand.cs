using System.CommandLine;
using VersionStore.Workflows;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore diff REPO A B</c>: entry-level changes; for workflows, the nodes and edges that changed.</summary>
internal static class DiffCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var from = Arguments.Revision("A", "The old revision.");
        var to = Arguments.Revision("B", "The new revision.");
        var command = new Command("diff", "Show the entries that differ from A to B (A added, D removed, M modified); for workflow snapshots, name the nodes and edges.")
        {
            repo, from, to,
        };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var a = await repository.CheckoutAsync(parseResult.GetRequiredValue(from), cancellationToken).ConfigureAwait(false);
            var b = await repository.CheckoutAsync(parseResult.GetRequiredValue(to), cancellationToken).ConfigureAwait(false);
            var changes = await repository.DiffAsync(a.Commit.Id, b.Commit.Id, cancellationToken).ConfigureAwait(false);

            var rows = new List<ChangeJson>();
            var lines = new List<(ChangeKind Kind, string Text)>();
            var isWorkflow = WorkflowSupport.IsWorkflowSnapshot(a) || WorkflowSupport.IsWorkflowSnapshot(b);
            if (isWorkflow && changes.Count > 0)
            {
                var before = await WorkflowSupport.TryLoadAsync(a, cancellationToken).ConfigureAwait(false);
                var after = await WorkflowSupport.TryLoadAsync(b, cancellationToken).ConfigureAwait(false);
                var byPath = changes.ToDictionary(c => c.Path, StringComparer.Ordinal);
                var described = WorkflowDiff.Describe(changes.Select(c => (c.Path, ToWorkflowKind(c.Kind))), before, after);
                foreach (var w in described)
                {
                    var c = byPath[w.Path];
                    var (item, _) = WorkflowSupport.Describe(w.Path);
                    rows.Add(new ChangeJson(c.Path, Name(c.Kind), Output.Hex(c.OldId), Output.Hex(c.NewId), item ?? "entry", w.Id, w.Title, w.NodeType));
                    lines.Add((c.Kind, DescribeLine(w)));
                }
            }
            else
            {
                foreach (var c in changes)
                {
                    rows.Add(new ChangeJson(c.Path, Name(c.Kind), Output.Hex(c.OldId), Output.Hex(c.NewId), null, null, null, null));
                    lines.Add((c.Kind, c.Path));
                }
            }

            var output = session.Output;
            if (output.Json) output.WriteJson(new DiffJson(a.Commit.Id.ToString(), b.Commit.Id.ToString(), [.. rows]), CliJson.Default.DiffJson);
            else foreach (var (kind, text) in lines) output.Line(($"{Letter(kind)} {text}", Colour(kind)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string DescribeLine(WorkflowChange w) => w.Element switch
    {
        WorkflowElement.Node => $"node {w.Id}{(w.Title is null ? "" : $" '{w.Title}'")}{(w.NodeType is null ? "" : $" ({w.NodeType})")}",
        WorkflowElement.Edge => $"edge {w.Id}{(w.Title is null ? "" : $" ({w.Title})")}",
        WorkflowElement.Settings => "settings",
        WorkflowElement.Order => "node/edge order",
        _ => w.Path,
    };

    private static WorkflowChangeKind ToWorkflowKind(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => WorkflowChangeKind.Added,
        ChangeKind.Removed => WorkflowChangeKind.Removed,
        _ => WorkflowChangeKind.Modified,
    };

    /// <summary>In a terminal: added green, removed red, modified yellow (as git colours its diffs).</summary>
    private static string Colour(ChangeKind kind) => kind switch { ChangeKind.Added => "green", ChangeKind.Removed => "red", _ => "yellow" };

    private static char Letter(ChangeKind kind) => kind switch { ChangeKind.Added => 'A', ChangeKind.Removed => 'D', _ => 'M' };

    private static string Name(ChangeKind kind) => kind switch { ChangeKind.Added => "added", ChangeKind.Removed => "removed", _ => "modified" };
}
