using VersionStore.Graph;

namespace VersionStore;

public sealed partial class Repository
{
    /// <summary>
    /// Resolves a revision to a commit id. Accepted forms: a branch, tag or channel short name (looked up in that
    /// order), a full ref name (<c>refs/tags/v1</c>), a full or abbreviated (≥ 4 hex digits) commit id, a reflog
    /// position <c>name@{N}</c> (the ref's value N changes ago), each followed by any number of <c>~N</c>
    /// (N-th first-parent ancestor) and <c>^N</c> (N-th parent; <c>^0</c> is the commit itself).
    /// </summary>
    /// <exception cref="RevisionNotFoundException">Nothing matches, or a suffix walks past the root.</exception>
    /// <exception cref="AmbiguousRevisionException">An abbreviated id matches several commits.</exception>
    public ValueTask<ObjectId> ResolveAsync(string revision, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(revision))
            return ValueTask.FromException<ObjectId>(new RevisionNotFoundException(Name.Value, revision ?? "", "empty revision"));
        var baseEnd = FindSuffixStart(revision);
        // The suffix walk is its own async method: in a fresh JIT process each async method's state machine is compiled
        // whole on first call, so it is only compiled when used.
        if (baseEnd != revision.Length) return ResolveWithSuffixesAsync(revision, baseEnd, cancellationToken);
        // A name or id without ~N/^N (what most calls pass): synchronous while the stores answer synchronously (the
        // embedded and in-memory backends always do), so the first resolve in a process compiles no async state machine
        // and no framework generic over this library's structs; a store that is still working hands its pending read to
        // an async continuation. Exceptions travel in the returned task, as they would from an async method.
        try { return ResolvePlain(revision, cancellationToken); }
        catch (Exception e) { return Internal.Faulted.ValueTask<ObjectId>(e); }
    }

    /// <summary>
    /// <see cref="ResolveAsync"/> of a revision without suffixes, as <see cref="ResolvePlainAsync"/> does it, completing
    /// synchronously when every read does. May throw (the caller puts exceptions in the task).
    /// </summary>
    private ValueTask<ObjectId> ResolvePlain(string revision, CancellationToken cancellationToken)
    {
        if (revision.Contains("@{", StringComparison.Ordinal)) return ResolvePlainAsync(revision, cancellationToken);
        // A full id names its commit before any ref is asked (as in ResolveBaseAsync).
        if (revision.Length == ObjectId.HexLength && ObjectId.TryParse(revision, out var full))
        {
            var stored = Reader.TryGetCommitAsync(full, cancellationToken);
            if (!stored.IsCompletedSuccessfully) return FullIdPendingAsync(revision, full, stored, cancellationToken);
            if (stored.Result is not null) return EnsureStoredCommit(revision, full, cancellationToken);
        }
        var found = FindRefStateAsync(revision, cancellationToken);
        return found.IsCompletedSuccessfully ? ResolveByRefState(revision, found.Result, cancellationToken) : RefStatePendingAsync(revision, found, cancellationToken);
    }

    /// <summary>The rest of <see cref="ResolvePlain"/> once the ref the name denotes was read (null: none).</summary>
    private ValueTask<ObjectId> ResolveByRefState(string revision, RefState? state, CancellationToken cancellationToken)
    {
        if (state?.Target is { } target) return EnsureStoredCommit(revision, target, cancellationToken);
        if (ObjectId.IsHexPrefix(revision)) return ResolveHexStoredAsync(revision, cancellationToken);
        throw new RevisionNotFoundException(Name.Value, revision, "no branch, tag, channel or commit has that name");
    }

    /// <summary><see cref="EnsureStoredCommitAsync"/>, completing synchronously when the read does.</summary>
    private ValueTask<ObjectId> EnsureStoredCommit(string revision, ObjectId id, CancellationToken cancellationToken)
    {
        var stored = Reader.TryGetCommitAsync(id, cancellationToken);
        if (!stored.IsCompletedSuccessfully) return StoredPendingAsync(revision, id, stored);
        return stored.Result is not null ? new ValueTask<ObjectId>(id) : throw NotStored(revision, id);
    }

    private RevisionNotFoundException NotStored(string revision, ObjectId id) => new(Name.Value, revision, $"{id.ToString(12)} is not stored");

    private async ValueTask<ObjectId> FullIdPendingAsync(string revision, ObjectId full, ValueTask<Commit?> stored, CancellationToken cancellationToken)
    {
        if (await stored.ConfigureAwait(false) is not null) return await EnsureStoredCommit(revision, full, cancellationToken).ConfigureAwait(false);
        var state = await FindRefStateAsync(revision, cancellationToken).ConfigureAwait(false);
        return await ResolveByRefState(revision, state, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ObjectId> RefStatePendingAsync(string revision, ValueTask<RefState?> found, CancellationToken cancellationToken)
        => await ResolveByRefState(revision, await found.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async ValueTask<ObjectId> StoredPendingAsync(string revision, ObjectId id, ValueTask<Commit?> stored)
        => await stored.ConfigureAwait(false) is not null ? id : throw NotStored(revision, id);

    private async ValueTask<ObjectId> ResolveHexStoredAsync(string revision, CancellationToken cancellationToken)
        => await EnsureStoredCommitAsync(revision, await ResolveHexAsync(revision, revision, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary><see cref="ResolveAsync"/> of a revision without suffixes.</summary>
    private async ValueTask<ObjectId> ResolvePlainAsync(string revision, CancellationToken cancellationToken)
    {
        var id = await ResolveBaseAsync(revision, revision, cancellationToken).ConfigureAwait(false);
        return await EnsureStoredCommitAsync(revision, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The commit <paramref name="id"/> a revision resolved to, once it is known to be stored (a verified read).</summary>
    private async ValueTask<ObjectId> EnsureStoredCommitAsync(string revision, ObjectId id, CancellationToken cancellationToken)
    {
        var final = await Reader.TryGetCommitAsync(id, cancellationToken).ConfigureAwait(false);
        if (final is null) throw new RevisionNotFoundException(Name.Value, revision, $"{id.ToString(12)} is not stored");
        return id;
    }

    /// <summary><see cref="ResolveAsync"/> of a revision with <c>~N</c>/<c>^N</c> suffixes from <paramref name="baseEnd"/> on.</summary>
    private async ValueTask<ObjectId> ResolveWithSuffixesAsync(string revision, int baseEnd, CancellationToken cancellationToken)
    {
        var id = await ResolveBaseAsync(revision, revision[..baseEnd], cancellationToken).ConfigureAwait(false);
        var pos = baseEnd;
        while (pos < revision.Length)
        {
            var op = revision[pos++];
            var start = pos;
            while (pos < revision.Length && char.IsAsciiDigit(revision[pos])) pos++;
            var n = 1;
            if (pos > start && !int.TryParse(revision.AsSpan(start, pos - start), out n))
                throw new RevisionNotFoundException(Name.Value, revision, "number out of range");
            if (op is not ('~' or '^')) throw new RevisionNotFoundException(Name.Value, revision, $"unexpected '{op}'");
            var graph = Graph;
            if (graph.AttachPending && (op == '^' || n <= ShortWalk)
                && await WalkHeadersAsync(graph, revision, id, op, n, cancellationToken).ConfigureAwait(false) is { } walked)
            {
                // A fresh process and a short walk: a few commit headers cost less than attaching the persisted file.
                id = walked;
                continue;
            }
            // Walk the commit graph (parents by position, loaded from the persisted graph when it has them), never
            // decoding the commits along the way.
            int at;
            try { at = await graph.GetLoadedAsync(id, cancellationToken).ConfigureAwait(false); }
            catch (ObjectNotFoundException) { throw new RevisionNotFoundException(Name.Value, revision, $"{id.ToString(12)} is not stored"); }
            if (op == '~')
            {
                for (var k = 0; k < n; k++)
                {
                    if (graph.ParentCount(at) == 0) throw new RevisionNotFoundException(Name.Value, revision, "walks past the first commit");
                    at = graph.Parent(at, 0);
                    if (!graph.IsLoaded(at)) await graph.LoadAsync(at, cancellationToken).ConfigureAwait(false);
                }
                id = graph.IdOf(at);
            }
            else
            {
                if (n == 0) continue;
                if (n > graph.ParentCount(at)) throw new RevisionNotFoundException(Name.Value, revision, $"{id.ToString(12)} has {graph.ParentCount(at)} parent(s)");
                id = graph.IdOf(graph.Parent(at, n - 1));
            }
        }
        return await EnsureStoredCommitAsync(revision, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Longest <c>~N</c> walked through commit headers while the persisted commit graph is not attached yet.</summary>
    private const int ShortWalk = 64;

    /// <summary>The commit <c>~n</c> or <c>^n</c> from <paramref name="id"/> by its stored headers; null when one is not stored (the graph walk then decides).</summary>
    private async ValueTask<ObjectId?> WalkHeadersAsync(CommitGraph graph, string revision, ObjectId id, char op, int n, CancellationToken cancellationToken)
    {
        if (op == '^')
        {
            if (n == 0) return id;
            if (await graph.TryReadHeaderAsync(id, cancellationToken).ConfigureAwait(false) is not { } header) return null;
            if (n > header.Parents.Length) throw new RevisionNotFoundException(Name.Value, revision, $"{id.ToString(12)} has {header.Parents.Length} parent(s)");
            return header.Parents[n - 1];
        }
        for (var k = 0; k < n; k++)
        {
            if (await graph.TryReadHeaderAsync(id, cancellationToken).ConfigureAwait(false) is not { } header) return null;
            if (header.Parents.Length == 0) throw new RevisionNotFoundException(Name.Value, revision, "walks past the first commit");
            id = header.Parents[0];
        }
        return id;
    }

    /// <summary>Like <see cref="ResolveAsync"/> but returns null instead of throwing when nothing matches.</summary>
    public async ValueTask<ObjectId?> TryResolveAsync(string revision, CancellationToken cancellationToken = default)
    {
        try { return await ResolveAsync(revision, cancellationToken).ConfigureAwait(false); }
        catch (RevisionNotFoundException) { return null; }
    }

    private static int FindSuffixStart(string revision)
    {
        var depth = 0;
        for (var i = 0; i < revision.Length; i++)
        {
            var c = revision[i];
            if (c == '{') depth++;
            else if (c == '}') depth--;
            else if (depth == 0 && c is '~' or '^') return i;
        }
        return revision.Length;
    }

    private async ValueTask<ObjectId> ResolveBaseAsync(string revision, string text, CancellationToken cancellationToken)
    {
        if (text.Length == 0) throw new RevisionNotFoundException(Name.Value, revision, "no base revision before '~' or '^'");
        var at = text.IndexOf("@{", StringComparison.Ordinal);
        if (at >= 0) return await ResolveReflogAsync(revision, text, at, cancellationToken).ConfigureAwait(false);

        // A full id names its commit before any ref is asked (no ref-store round trip; answerable while the ref store is down).
        if (text.Length == ObjectId.HexLength && ObjectId.IsHexPrefix(text) && ObjectId.Parse(text) is var full
            && await Reader.TryGetCommitAsync(full, cancellationToken).ConfigureAwait(false) is not null)
            return full;

        var byRef = await FindRefAsync(text, cancellationToken).ConfigureAwait(false);
        if (byRef is { } found)
        {
            var state = await Store.Refs.TryGetRefAsync(Name, found, cancellationToken).ConfigureAwait(false);
            if (state?.Target is { } target) return target;
        }

        if (ObjectId.IsHexPrefix(text)) return await ResolveHexAsync(revision, text, cancellationToken).ConfigureAwait(false);
        throw new RevisionNotFoundException(Name.Value, revision, "no branch, tag, channel or commit has that name");
    }

    /// <summary>A reflog position <c>name@{N}</c> (<paramref name="at"/>: where <c>@{</c> starts).</summary>
    private async ValueTask<ObjectId> ResolveReflogAsync(string revision, string text, int at, CancellationToken cancellationToken)
    {
        if (!text.EndsWith('}') || !int.TryParse(text.AsSpan(at + 2, text.Length - at - 3), out var n) || n < 0)
            throw new RevisionNotFoundException(Name.Value, revision, "a reflog position is name@{N} with N ≥ 0");
        var refName = await FindRefAsync(text[..at], cancellationToken).ConfigureAwait(false)
            ?? throw new RevisionNotFoundException(Name.Value, revision, "no such ref");
        var index = 0;
        await foreach (var e in Store.Refs.ReadAuditAsync(Name, refName, null, cancellationToken).ConfigureAwait(false))
        {
            if (index++ != n) continue;
            return e.New ?? throw new RevisionNotFoundException(Name.Value, revision, "the ref was deleted at that position");
        }
        throw new RevisionNotFoundException(Name.Value, revision, $"the ref has only {index} audit entries");
    }

    /// <summary>A full or abbreviated commit id that no ref name matched.</summary>
    private async ValueTask<ObjectId> ResolveHexAsync(string revision, string text, CancellationToken cancellationToken)
    {
        if (text.Length == ObjectId.HexLength)
        {
            var id = ObjectId.Parse(text);
            return await Reader.TryGetCommitAsync(id, cancellationToken).ConfigureAwait(false) is not null
                ? id : throw new RevisionNotFoundException(Name.Value, revision, "no such commit");
        }
        if (text.Length >= ObjectId.MinAbbreviationLength)
        {
            var matches = new List<ObjectId>();
            await foreach (var candidate in Store.Objects.FindByPrefixAsync(text.ToLowerInvariant(), 16, cancellationToken).ConfigureAwait(false))
            {
                var data = await Store.Objects.TryReadAsync(candidate, cancellationToken).ConfigureAwait(false);
                if (data is { Length: >= ObjectCodec.HeaderSize } d && d.Span[1] == (byte)ObjectKind.Commit) matches.Add(candidate);
            }
            if (matches.Count == 1) return matches[0];
            if (matches.Count > 1) throw new AmbiguousRevisionException(Name.Value, revision, matches);
        }
        throw new RevisionNotFoundException(Name.Value, revision, "no branch, tag, channel or commit has that name");
    }

    /// <summary>
    /// The ref a name denotes: a full ref name (<c>refs/tags/v1</c>), else the first that exists of the branch, tag
    /// and channel of that short name — including refs that were deleted (their audit log remains). Null when none.
    /// </summary>
    public ValueTask<RefName?> TryFindRefAsync(string name, CancellationToken cancellationToken = default) => FindRefAsync(name, cancellationToken);

    /// <summary>True when the repository has (or had) at least one ref.</summary>
    public async ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var _ in Store.Refs.ListRefsAsync(Name, cancellationToken).ConfigureAwait(false)) return true;
        return false;
    }

    private static readonly RefKind[] ShortNameKinds = [RefKind.Branch, RefKind.Tag, RefKind.Channel];

    /// <summary>
    /// The stored state of the ref <see cref="FindRefAsync"/> finds (null: none), read once; completes synchronously when
    /// the ref store does (no async state machine, no <c>ValueTask&lt;RefName?&gt;</c>).
    /// </summary>
    private ValueTask<RefState?> FindRefStateAsync(string text, CancellationToken cancellationToken)
    {
        if (text.StartsWith("refs/", StringComparison.Ordinal))
            return RefName.TryParse(text, out var full) ? Store.Refs.TryGetRefAsync(Name, full.Value, cancellationToken) : new ValueTask<RefState?>((RefState?)null);
        if (RefName.ValidateShortName(text) is not null) return new ValueTask<RefState?>((RefState?)null);
        return FindShortRefState(text, 0, cancellationToken);
    }

    /// <summary>The first existing (or deleted) of the branch, tag and channel <paramref name="text"/>, trying kinds from <paramref name="from"/> on.</summary>
    private ValueTask<RefState?> FindShortRefState(string text, int from, CancellationToken cancellationToken)
    {
        for (var k = from; k < ShortNameKinds.Length; k++)
        {
            var read = Store.Refs.TryGetRefAsync(Name, RefName.Create(ShortNameKinds[k], text), cancellationToken);
            if (!read.IsCompletedSuccessfully) return FindShortRefStatePendingAsync(text, k, read, cancellationToken);
            if (read.Result is { } state) return new ValueTask<RefState?>(state);
        }
        return new ValueTask<RefState?>((RefState?)null);
    }

    private async ValueTask<RefState?> FindShortRefStatePendingAsync(string text, int k, ValueTask<RefState?> read, CancellationToken cancellationToken)
        => await read.ConfigureAwait(false)
            ?? (k + 1 < ShortNameKinds.Length ? await FindShortRefState(text, k + 1, cancellationToken).ConfigureAwait(false) : null);

    /// <summary>The ref a name denotes: a full ref name, else the first existing of branch, tag, channel.</summary>
    private async ValueTask<RefName?> FindRefAsync(string text, CancellationToken cancellationToken)
    {
        if (text.StartsWith("refs/", StringComparison.Ordinal))
            return RefName.TryParse(text, out var full) ? full : null;
        if (RefName.ValidateShortName(text) is not null) return null;
        foreach (var kind in new[] { RefKind.Branch, RefKind.Tag, RefKind.Channel })
        {
            var candidate = RefName.Create(kind, text);
            var state = await Store.Refs.TryGetRefAsync(Name, candidate, cancellationToken).ConfigureAwait(false);
            if (state is not null) return candidate;
        }
        return null;
    }
}
