using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore audit REPO [REF]</c>: who changed which ref, when and why; <c>--verify</c> checks the hash chain.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext cli)
    {
        var repo = Arguments.Repository();
        var refArgument = new Argument<string?>("REF") { Description = "A branch, tag or channel (short or full name); default: every ref.", Arity = ArgumentArity.ZeroOrOne };
        var verify = new Option<bool>("--verify") { Description = "Check each ref's audit hash chain (exit 6 when broken)." };
        var maxCount = new Option<int?>("--max-count", "-n") { Description = "Show at most N entries.", HelpName = "N" };
        var command = new Command("audit", "Show the audit log (newest first): operation, actor, time, reason, old and new head.") { repo, refArgument, verify, maxCount };
        cli.SetStoreAction(command, async (parseResult, session, cancellationToken) =>
        {
            var repository = await session.ExistingRepositoryAsync(parseResult.GetRequiredValue(repo), cancellationToken).ConfigureAwait(false);
            RefName? one = parseResult.GetValue(refArgument) is { } text ? await FindRefAsync(session, repository, text, cancellationToken).ConfigureAwait(false) : null;
            var limit = parseResult.GetValue(maxCount) ?? int.MaxValue;
            if (limit < 0) throw CliException.Usage("--max-count cannot be negative");

            var entries = new List<AuditEntry>();
            await foreach (var e in repository.AuditAsync(one, cancellationToken).ConfigureAwait(false))
            {
                if (entries.Count >= limit) break;
                entries.Add(e);
            }

            List<AuditVerification>? checks = null;
            if (parseResult.GetValue(verify))
            {
                checks = [];
                var refs = new List<RefName>();
                if (one is { } r) refs.Add(r);
                else await foreach (var (name, _) in session.Store.Refs.ListRefsAsync(repository.Name, cancellationToken).ConfigureAwait(false)) refs.Add(name);
                foreach (var name in refs) checks.Add(await repository.VerifyAuditAsync(name, cancellationToken).ConfigureAwait(false));
            }

            var output = session.Output;
            if (output.Json)
            {
                output.WriteJson(new AuditJson([.. entries.Select(AuditEntryJson.From)],
                    checks?.Select(c => new AuditVerificationJson(c.Ref.FullName, c.Entries, c.Intact, c.Problem)).ToArray()), CliJson.Default.AuditJson);
            }
            else
            {
                output.Table(["time", "ref", "operation", "actor", "from", "to", "reason"],
                    [.. entries.Select(e => (IReadOnlyList<string>)[Output.Time(e.Time), $"{e.Ref.FullName}@{{{e.Sequence}}}", e.Operation, e.Actor,
                        Show(e.Old, "(none)"), Show(e.New, "(deleted)"), e.Reason is null ? "" : CliContext.OneLine(e.Reason)])],
                    row => $"{row[0]}  {row[1]}  {row[2]}  by {row[3]}  {row[4]} -> {row[5]}{(row[6].Length == 0 ? "" : "  reason: " + row[6])}");
                foreach (var c in checks ?? [])
                    output.Line(c.Intact ? ($"audit chain of {c.Ref.FullName}: intact ({c.Entries} entries)", "green") : ($"audit chain of {c.Ref.FullName}: BROKEN: {c.Problem}", "bold red"));
            }
            if (checks?.FirstOrDefault(c => !c.Intact) is { } broken)
            {
                cli.Error($"audit chain of {broken.Ref.FullName} is broken: {CliContext.OneLine(broken.Problem ?? "")}");
                return ExitCodes.Corrupt;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Show(ObjectId? id, string none) => id is { } v ? Output.Short(v) : none;

    /// <summary>A ref by full name, or the first existing (or once existing) branch, tag or channel of that short name.</summary>
    private static async Task<RefName> FindRefAsync(StoreSession session, Repository repository, string text, CancellationToken cancellationToken)
    {
        if (text.StartsWith("refs/", StringComparison.Ordinal)) RefName.Parse(text); // a malformed full name is invalid input, not "not found"
        return await repository.TryFindRefAsync(text, cancellationToken).ConfigureAwait(false)
            ?? throw CliException.NotFound($"no branch, tag or channel '{text}' in repository '{repository.Name.Value}'");
    }
}
