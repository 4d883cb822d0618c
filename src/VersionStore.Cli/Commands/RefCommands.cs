using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore branch</c> and <c>vstore tag</c>: create or list refs.</summary>
internal static class RefCommands
{
    public static Command CreateBranch(CliContext cli)
    {
        var repo = Arguments.Repository();
        var name = new Argument<string?>("NAME") { Description = "The new branch (omit to list branches).", Arity = ArgumentArity.ZeroOrOne };
        var revision = new Argument<string?>("REV") { Description = "Where it starts (default: main).", Arity = ArgumentArity.ZeroOrOne };
        var actor = ActorOption();
        var delete = new Option<string?>("--delete", "-d") { Description = "Delete this branch (its audit log remains; GC may then collect what only it reached).", HelpName = "NAME" };
        var command = new Command("branch", "Create a branch at a revision, list branches, or delete one.") { repo, name, revision, actor, delete };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repositoryName = parseResult.GetRequiredValue(repo);
            if (parseResult.GetValue(delete) is { } doomed)
            {
                if (parseResult.GetValue(name) is not null) throw CliException.Usage("branch --delete NAME takes no other branch name");
                var owner = await session.ExistingRepositoryAsync(repositoryName, cancellationToken).ConfigureAwait(false);
                var refName = RefName.Branch(doomed);
                var head = await owner.TryGetRefAsync(refName, cancellationToken).ConfigureAwait(false)
                    ?? throw CliException.NotFound($"no branch '{doomed}' in repository '{owner.Name.Value}'");
                await owner.DeleteRefAsync(refName, parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), "branch deleted", cancellationToken).ConfigureAwait(false);
                if (session.Output.Json) session.Output.WriteJson(new BranchDeletedJson(doomed, refName.FullName, head.Target.ToString()), CliJson.Default.BranchDeletedJson);
                else session.Output.Line($"deleted {refName.FullName} (was {Output.Short(head.Target)})");
                return ExitCodes.Success;
            }
            if (parseResult.GetValue(name) is not { } branch)
                return await ListAsync(session, await session.ExistingRepositoryAsync(repositoryName, cancellationToken).ConfigureAwait(false), RefKind.Branch, cancellationToken).ConfigureAwait(false);
            var repository = session.Repository(repositoryName);
            var created = await repository.CreateBranchAsync(branch, parseResult.GetValue(revision) ?? "main",
                parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), cancellationToken).ConfigureAwait(false);
            return Created(session.Output, created);
        });
        return command;
    }

    public static Command CreateTag(CliContext cli)
    {
        var repo = Arguments.Repository();
        var name = new Argument<string?>("NAME") { Description = "The new tag (omit NAME and REV to list tags).", Arity = ArgumentArity.ZeroOrOne };
        var revision = new Argument<string?>("REV") { Description = "What it names.", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force", "-f") { Description = "Move an existing tag (tags are immutable otherwise)." };
        var message = new Option<string?>("--message", "-m") { Description = "A note recorded in the audit log.", HelpName = "TEXT" };
        var actor = ActorOption();
        var command = new Command("tag", "Create a tag at a revision, or list tags.") { repo, name, revision, force, message, actor };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repositoryName = parseResult.GetRequiredValue(repo);
            var tag = parseResult.GetValue(name);
            if (tag is null)
                return await ListAsync(session, await session.ExistingRepositoryAsync(repositoryName, cancellationToken).ConfigureAwait(false), RefKind.Tag, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(revision) is not { } target) throw CliException.Usage("tag needs a revision: vstore tag REPO NAME REV");
            var repository = await session.ExistingRepositoryAsync(repositoryName, cancellationToken).ConfigureAwait(false);
            var created = await repository.CreateTagAsync(tag, target, parseResult.GetValue(force),
                parseResult.GetValue(actor) ?? cli.DefaultAuthor("VSTORE_ACTOR"), parseResult.GetValue(message), cancellationToken).ConfigureAwait(false);
            return Created(session.Output, created);
        });
        return command;
    }

    internal static Option<string?> ActorOption() => new("--actor") { Description = "Who does it, for the audit log (default: $VSTORE_ACTOR, else the OS user name).", HelpName = "NAME" };

    private static int Created(Output output, RefInfo created)
    {
        if (output.Json) output.WriteJson(RefJson.From(created), CliJson.Default.RefJson);
        else output.Line($"{created.Name.FullName} -> {created.Target}");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(StoreSession session, Repository repository, RefKind kind, CancellationToken cancellationToken)
    {
        var refs = new List<RefInfo>();
        await foreach (var r in repository.ListRefsAsync(kind, cancellationToken).ConfigureAwait(false)) refs.Add(r);
        var output = session.Output;
        if (output.Json)
        {
            output.WriteJson([.. refs.Select(RefJson.From)], CliJson.Default.RefJsonArray);
            return ExitCodes.Success;
        }
        var width = refs.Count == 0 ? 0 : refs.Max(r => r.Name.ShortName.Length);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in refs)
        {
            var commit = await repository.GetCommitAsync(r.Target, cancellationToken).ConfigureAwait(false);
            rows.Add([r.Name.ShortName, Output.Short(r.Target), commit.Subject, Output.Time(commit.Timestamp)]);
        }
        output.Table([kind == RefKind.Tag ? "tag" : "branch", "commit", "subject", "date"], rows, row => $"{row[0].PadRight(width)}  {row[1]} {row[2]}");
        return ExitCodes.Success;
    }
}
