using System.CommandLine;
using VersionStore.Cli.Files;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore commit REPO --branch B --from PATH</c>: records a directory or a workflow file as a new version.</summary>
internal static class CommitCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var branch = new Option<string>("--branch", "-b") { Description = "Branch to commit to (created when missing).", Required = true, HelpName = "BRANCH" };
        var from = new Option<string>("--from") { Description = "A directory (one entry per file) or a Dify workflow file (.yml, .yaml, .json; one entry per node).", Required = true, HelpName = "PATH" };
        var author = new Option<string?>("--author") { Description = "Author (default: $VSTORE_AUTHOR, else the OS user name).", HelpName = "NAME" };
        var message = new Option<string?>("--message", "-m") { Description = "Commit message.", HelpName = "TEXT" };
        var parents = new Option<string[]>("--parent") { Description = "Plumbing: an explicit parent (repeatable; first = the base of the snapshot). Default: the branch head.", HelpName = "REV" };
        var expectedHead = new Option<string?>("--expected-head") { Description = "Fail with a conflict unless the branch is at this commit ('none': the branch must not exist).", HelpName = "ID" };
        var force = new Option<bool>("--force") { Description = "With --parent: move the branch even when the new commit does not descend from its head (audited as commit.force)." };
        var command = new Command("commit", "Record a directory or a workflow file as a new version on a branch; prints the new commit id.")
        {
            repo, branch, from, author, message, parents, expectedHead, force,
        };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = session.Repository(parseResult.GetRequiredValue(repo));
            var branchName = parseResult.GetRequiredValue(branch);
            var source = cli.ResolvePath(parseResult.GetRequiredValue(from));

            string kind;
            SnapshotChanges changes;
            if (Directory.Exists(source))
            {
                kind = "directory";
                changes = SnapshotChanges.FromEntries(SourceFiles.ReadFolder(source, session.Path, session.Store.Options.MaxBlobBytes));
            }
            else if (File.Exists(source))
            {
                if (!WorkflowSupport.IsWorkflowFile(source))
                    throw CliException.NotFound($"'{source}' is neither a directory nor a workflow file (.yml, .yaml, .json)");
                kind = "workflow";
                var bytes = SourceFiles.ReadBounded(source, Workflows.WorkflowCodecOptions.Default.MaxInputBytes, "--from");
                changes = SnapshotChanges.FromEntries(WorkflowSupport.ReadEntries(bytes));
            }
            else
            {
                throw CliException.NotFound($"--from path '{source}' does not exist");
            }

            List<ObjectId>? parentIds = null;
            if (parseResult.GetValue(parents) is { Length: > 0 } given)
            {
                parentIds = [];
                foreach (var p in given) parentIds.Add(await Arguments.ResolveIdAsync(repository, p, cancellationToken).ConfigureAwait(false));
            }
            ObjectId? expected = parseResult.GetValue(expectedHead) is { } e
                ? await Arguments.ResolveIdAsync(repository, e, cancellationToken).ConfigureAwait(false)
                : null;

            var result = await repository.CommitAsync(branchName, changes, new CommitOptions
            {
                Author = parseResult.GetValue(author) ?? cli.DefaultAuthor("VSTORE_AUTHOR"),
                Message = parseResult.GetValue(message) ?? "",
                Parents = parentIds,
                ExpectedHead = expected,
                Force = parseResult.GetValue(force),
            }, cancellationToken).ConfigureAwait(false);

            var output = session.Output;
            if (output.Json)
                output.WriteJson(new CommitResultJson(result.Id.ToString(), repository.Name.Value, branchName, Output.Hex(result.PreviousHead), kind,
                    changes.Count, result.ObjectsWritten, result.BytesWritten), CliJson.Default.CommitResultJson);
            else
                output.Line(result.Id.ToString());
            return ExitCodes.Success;
        });
        return command;
    }
}
