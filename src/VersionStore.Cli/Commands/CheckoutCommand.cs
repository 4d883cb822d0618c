using System.CommandLine;
using System.Text;
using VersionStore.Cli.Files;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore checkout REPO REV --to DIR</c> / <c>--as-workflow FILE</c>: materialises a version.</summary>
internal static class CheckoutCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var revision = Arguments.Revision("REV", "The revision to check out.");
        var to = new Option<string?>("--to") { Description = "Write each entry as a file under this directory (created when missing).", HelpName = "DIR" };
        var asWorkflow = new Option<string?>("--as-workflow") { Description = "For a workflow snapshot: write the Dify document to this file (YAML, or JSON for .json).", HelpName = "FILE" };
        var force = new Option<bool>("--force", "-f") { Description = "Write into a non-empty directory / over an existing file (files of the same name are overwritten, others kept)." };
        var command = new Command("checkout", "Write a version's entries as files, and/or a workflow snapshot back as a Dify document.") { repo, revision, to, asWorkflow, force };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var directory = parseResult.GetValue(to) is { } d ? cli.ResolvePath(d) : null;
            var workflowFile = parseResult.GetValue(asWorkflow) is { } w ? cli.ResolvePath(w) : null;
            if (directory is null && workflowFile is null) throw CliException.Usage("checkout needs --to DIR and/or --as-workflow FILE");
            var overwrite = parseResult.GetValue(force);
            if (directory is not null && !overwrite && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
                throw CliException.NotFound($"directory '{directory}' is not empty (use --force to write into it)");
            if (workflowFile is not null && !overwrite && File.Exists(workflowFile))
                throw CliException.NotFound($"file '{workflowFile}' exists (use --force to overwrite it)");
            if (workflowFile is not null) CheckoutWriter.CheckOutsideStore(workflowFile, session.Path);

            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            var snapshot = await repository.CheckoutAsync(parseResult.GetRequiredValue(revision), cancellationToken).ConfigureAwait(false);

            // Validate everything before writing anything.
            Workflows.WorkflowDocument? document = null;
            if (workflowFile is not null)
            {
                document = await WorkflowSupport.TryLoadAsync(snapshot, cancellationToken).ConfigureAwait(false)
                    ?? throw CliException.NotFound($"{Output.Short(snapshot.Commit.Id)} is not a workflow snapshot (no settings/index/nodes layout); use --to");
            }

            var files = 0;
            if (directory is not null)
            {
                var writer = CheckoutWriter.Open(directory, session.Path);
                await foreach (var entry in snapshot.EnumerateAsync(cancellationToken).ConfigureAwait(false))
                {
                    var content = await repository.GetBlobAsync(entry.BlobId, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(entry.Path, content, cancellationToken).ConfigureAwait(false);
                    files++;
                }
            }
            if (document is not null && workflowFile is not null)
            {
                var text = Path.GetExtension(workflowFile).Equals(".json", StringComparison.OrdinalIgnoreCase) ? document.ToJson(indented: true) : document.ToYaml();
                if (Path.GetDirectoryName(workflowFile) is { Length: > 0 } parent) Directory.CreateDirectory(parent);
                await File.WriteAllTextAsync(workflowFile, text, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            }

            var output = session.Output;
            if (output.Json) output.WriteJson(new CheckoutJson(snapshot.Commit.Id.ToString(), directory, files, workflowFile), CliJson.Default.CheckoutJson);
            else
            {
                if (directory is not null) output.Line($"Checked out {Output.Short(snapshot.Commit.Id)}: {files} files in {directory}");
                if (workflowFile is not null) output.Line($"Wrote workflow {Output.Short(snapshot.Commit.Id)} ({document!.Nodes.Count} nodes, {document.Edges.Count} edges) to {workflowFile}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
