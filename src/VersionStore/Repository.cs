using System.Runtime.CompilerServices;
using System.Text;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// One repository (one workflow's history): commits, refs (branches, tags, channels), the audit log, and the
/// operations over them — commit, checkout, log, diff, ancestry, rollback, verify. Obtain it from
/// <see cref="RepositoryStore.GetRepository(string)"/>. Thread-safe; every ref change is a compare-and-swap.
/// </summary>
public sealed partial class Repository
{
    internal Repository(RepositoryStore store, RepositoryName name)
    {
        Store = store;
        Name = name;
    }

    /// <summary>The repository's name.</summary>
    public RepositoryName Name { get; }

    /// <summary>The store it belongs to.</summary>
    public RepositoryStore Store { get; }

    internal ObjectReader Reader => Store.ObjectReader;
    private TimeProvider Clock => Store.Options.TimeProvider;

    // ------------------------------------------------------------------ objects

    /// <summary>The commit <paramref name="id"/>.</summary>
    /// <exception cref="ObjectNotFoundException">Not stored.</exception>
    /// <exception cref="CorruptObjectException">Stored bytes do not match the id.</exception>
    public ValueTask<Commit> GetCommitAsync(ObjectId id, CancellationToken cancellationToken = default) => Reader.GetCommitAsync(id, cancellationToken);

    /// <summary>The commit <paramref name="id"/>, or null when not stored.</summary>
    public ValueTask<Commit?> TryGetCommitAsync(ObjectId id, CancellationToken cancellationToken = default) => Reader.TryGetCommitAsync(id, cancellationToken);

    /// <summary>The tree <paramref name="id"/>.</summary>
    public ValueTask<Tree> GetTreeAsync(ObjectId id, CancellationToken cancellationToken = default) => Reader.GetTreeAsync(id, cancellationToken);

    /// <summary>The content of blob <paramref name="id"/>.</summary>
    public ValueTask<ReadOnlyMemory<byte>> GetBlobAsync(ObjectId id, CancellationToken cancellationToken = default) => Reader.GetBlobAsync(id, cancellationToken);

    // ------------------------------------------------------------------ refs

    /// <summary>The ref <paramref name="name"/>, or null when it does not exist (or was deleted).</summary>
    public async ValueTask<RefInfo?> TryGetRefAsync(RefName name, CancellationToken cancellationToken = default)
    {
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        return state?.Target is { } t ? new RefInfo(name, t, state.Sequence) : null;
    }

    /// <summary>Live refs, optionally of one kind, in ordinal order.</summary>
    public async IAsyncEnumerable<RefInfo> ListRefsAsync(RefKind? kind = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (name, state) in Store.Refs.ListRefsAsync(Name, cancellationToken).ConfigureAwait(false))
            if (state.Target is { } t && (kind is null || name.Kind == kind))
                yield return new RefInfo(name, t, state.Sequence);
    }

    /// <summary>Creates branch <paramref name="name"/> at <paramref name="revision"/>.</summary>
    /// <exception cref="NameConflictException">The branch exists.</exception>
    /// <exception cref="RevisionNotFoundException">The revision names nothing.</exception>
    public async Task<RefInfo> CreateBranchAsync(string name, string revision, string actor = "unknown", CancellationToken cancellationToken = default)
    {
        var refName = RefName.Branch(name);
        var target = await ResolveAsync(revision, cancellationToken).ConfigureAwait(false);
        var state = await Store.Refs.TryGetRefAsync(Name, refName, cancellationToken).ConfigureAwait(false);
        if (state?.Target is not null) throw new NameConflictException(Name.Value, refName, "the branch already exists");
        await EnsureNotPrunedAsync(target, cancellationToken).ConfigureAwait(false);
        var next = await CompareAndSwapAsync(refName, state, target, "branch", actor, null, null, cancellationToken).ConfigureAwait(false);
        return new RefInfo(refName, target, next.Sequence);
    }

    /// <summary>Creates tag <paramref name="name"/> at <paramref name="revision"/>. Tags are immutable unless <paramref name="force"/>.</summary>
    /// <exception cref="NameConflictException">The tag exists and <paramref name="force"/> is false.</exception>
    public async Task<RefInfo> CreateTagAsync(string name, string revision, bool force = false, string actor = "unknown", string? message = null, CancellationToken cancellationToken = default)
    {
        var refName = RefName.Tag(name);
        var target = await ResolveAsync(revision, cancellationToken).ConfigureAwait(false);
        var state = await Store.Refs.TryGetRefAsync(Name, refName, cancellationToken).ConfigureAwait(false);
        if (state?.Target is { } existing && !force)
            throw new NameConflictException(Name.Value, refName, $"the tag already points to {existing.ToString(12)}; tags are immutable unless forced");
        await EnsureNotPrunedAsync(target, cancellationToken).ConfigureAwait(false);
        var next = await CompareAndSwapAsync(refName, state, target, state?.Target is null ? "tag" : "tag.force", actor, message, null, cancellationToken).ConfigureAwait(false);
        return new RefInfo(refName, target, next.Sequence);
    }

    /// <summary>
    /// Moves (or creates, or with a null <paramref name="target"/> deletes) any ref by compare-and-swap, with an audit entry.
    /// Plumbing for integrations such as release channels; prefer the specific operations.
    /// </summary>
    /// <param name="name">The ref.</param>
    /// <param name="target">The new target, which must be a stored commit; null deletes the ref.</param>
    /// <param name="expected">The target the ref must hold now (null: it must not exist).</param>
    /// <param name="operation">The audit operation name.</param>
    /// <param name="actor">Who.</param>
    /// <param name="reason">Why.</param>
    /// <param name="details">Extra audit evidence.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="RefConflictException">The ref did not hold <paramref name="expected"/>.</exception>
    public async Task<AuditEntry> UpdateRefAsync(RefName name, ObjectId? target, ObjectId? expected, string operation, string actor, string? reason = null,
        IReadOnlyList<Trailer>? details = null, CancellationToken cancellationToken = default)
    {
        if (target is { } t) await Reader.GetCommitAsync(t, cancellationToken).ConfigureAwait(false);
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        if (state?.Target != expected) throw Conflict(name, expected, state?.Target);
        if (target is { } moveTo && moveTo != state?.Target) await EnsureNotPrunedAsync(moveTo, cancellationToken).ConfigureAwait(false);
        var entry = NewAuditEntry(name, state, target, operation, actor, reason, details);
        await ApplyAsync(name, state, entry, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>
    /// As <see cref="UpdateRefAsync(RefName, ObjectId?, ObjectId?, string, string, string?, IReadOnlyList{Trailer}?, CancellationToken)"/>,
    /// but the ref must be at audit sequence <paramref name="expectedSequence"/> (0: it must never have existed): for
    /// changes decided on the ref's whole state (its newest audit entry), not only its target — such as a release
    /// channel's canary, whose entries leave the target unchanged.
    /// </summary>
    /// <exception cref="RefConflictException">The ref is not at <paramref name="expectedSequence"/>.</exception>
    public async Task<AuditEntry> UpdateRefAsync(RefName name, ObjectId? target, long expectedSequence, string operation, string actor, string? reason = null,
        IReadOnlyList<Trailer>? details = null, CancellationToken cancellationToken = default)
    {
        if (target is { } t) await Reader.GetCommitAsync(t, cancellationToken).ConfigureAwait(false);
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        if ((state?.Sequence ?? 0) != expectedSequence) throw Conflict(name, state?.Target, state?.Target, $"expected audit sequence {expectedSequence}, found {state?.Sequence ?? 0}");
        var entry = NewAuditEntry(name, state, target, operation, actor, reason, details);
        await ApplyAsync(name, state, entry, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>Deletes a ref (the audit log keeps its history).</summary>
    /// <exception cref="RevisionNotFoundException">No such ref.</exception>
    public async Task DeleteRefAsync(RefName name, string actor = "unknown", string? reason = null, CancellationToken cancellationToken = default)
    {
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        if (state?.Target is null) throw new RevisionNotFoundException(Name.Value, name.FullName, "no such ref");
        await CompareAndSwapAsync(name, state, null, "delete", actor, reason, null, cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ commit

    /// <summary>
    /// Writes a new version to <paramref name="branch"/>: new objects first, then one compare-and-swap of the
    /// branch with its audit entry (invariant 2: a ref never points at an incomplete closure). When a concurrent
    /// writer wins the race and no <see cref="CommitOptions.ExpectedHead"/> was given, the change is rebased onto
    /// the new head (three-way, entry level) and retried — see <see cref="RebaseOptions"/>.
    /// </summary>
    /// <exception cref="RefConflictException"><see cref="CommitOptions.ExpectedHead"/> is stale, or a concurrent writer moved the branch and rebase is off.</exception>
    /// <exception cref="MergeConflictException">A concurrent writer changed the same entries differently.</exception>
    /// <exception cref="PayloadTooLargeException">An entry or message exceeds a limit.</exception>
    /// <exception cref="InvalidNameException">A branch name or path is invalid.</exception>
    public Task<CommitResult> CommitAsync(string branch, SnapshotChanges changes, CommitOptions? options = null, CancellationToken cancellationToken = default)
        => CommitCoreAsync(branch, changes, options, options?.Rebase ?? RebaseOptions.Default, cancellationToken);

    // ------------------------------------------------------------------ read

    /// <summary>Checks out <paramref name="revision"/>: the commit and its root tree; entry contents load on demand.</summary>
    /// <exception cref="RevisionNotFoundException">The revision names nothing.</exception>
    /// <exception cref="ObjectNotFoundException">The snapshot's root tree is missing.</exception>
    /// <exception cref="VersionPrunedException">The version's snapshot was pruned by retention.</exception>
    public async ValueTask<Snapshot> CheckoutAsync(string revision, CancellationToken cancellationToken = default)
    {
        var commit = await Reader.GetCommitAsync(await ResolveAsync(revision, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return new Snapshot(this, commit, await GetSnapshotTreeAsync(commit, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Entry-level changes from <paramref name="from"/> to <paramref name="to"/>, in path order. Cost follows the change, not the snapshot.</summary>
    public async Task<IReadOnlyList<EntryChange>> DiffAsync(string from, string to, CancellationToken cancellationToken = default)
    {
        var a = await ResolveAsync(from, cancellationToken).ConfigureAwait(false);
        var b = await ResolveAsync(to, cancellationToken).ConfigureAwait(false);
        return await DiffAsync(a, b, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Entry-level changes between two commits.</summary>
    public async Task<IReadOnlyList<EntryChange>> DiffAsync(ObjectId from, ObjectId to, CancellationToken cancellationToken = default)
    {
        var a = await Reader.GetCommitAsync(from, cancellationToken).ConfigureAwait(false);
        var b = await Reader.GetCommitAsync(to, cancellationToken).ConfigureAwait(false);
        await GetSnapshotTreeAsync(a, cancellationToken).ConfigureAwait(false);
        await GetSnapshotTreeAsync(b, cancellationToken).ConfigureAwait(false);
        return await TreeDiff.DiffAsync(Reader, a.Tree, b.Tree, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Entry-level changes between two trees (either may be null for "empty").</summary>
    public async Task<IReadOnlyList<EntryChange>> DiffTreesAsync(ObjectId? fromTree, ObjectId? toTree, CancellationToken cancellationToken = default)
        => await TreeDiff.DiffAsync(Reader, fromTree, toTree, cancellationToken).ConfigureAwait(false);

    /// <summary>History per <paramref name="options"/>, streamed.</summary>
    public async IAsyncEnumerable<Commit> LogAsync(LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (options.IncludeReachableFrom.Count == 0) throw new InvalidRequestException("A log query needs at least one revision to start from.");
        var include = new List<ObjectId>();
        foreach (var r in options.IncludeReachableFrom) include.Add(await ResolveAsync(r, cancellationToken).ConfigureAwait(false));
        var exclude = new List<ObjectId>();
        foreach (var r in options.ExcludeReachableFrom) exclude.Add(await ResolveAsync(r, cancellationToken).ConfigureAwait(false));
        await foreach (var c in History.WalkAsync(Reader, Graph, include, exclude, options.FirstParentOnly, options.Order, options.MaxCount, cancellationToken).ConfigureAwait(false))
            yield return c;
    }

    /// <summary>History of <paramref name="range"/> (<c>rev</c> or <c>a..b</c>), newest first.</summary>
    public IAsyncEnumerable<Commit> LogAsync(string range, CancellationToken cancellationToken = default) => LogAsync(LogOptions.FromRange(range), cancellationToken);

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="descendant"/> or one of its ancestors.</summary>
    public Task<bool> IsAncestorAsync(string ancestor, string descendant, CancellationToken cancellationToken = default)
    {
        // Synchronous while every step is (resolving on the embedded or in-memory backends, the walk over an attached
        // graph): a fresh process's first query then compiles no async state machine of this method; else the pending
        // step continues in one. Exceptions travel in the returned task, as from an async method.
        try
        {
            var a = ResolveAsync(ancestor, cancellationToken);
            if (!a.IsCompletedSuccessfully) return IsAncestorPendingAsync(a, descendant, cancellationToken);
            var d = ResolveAsync(descendant, cancellationToken);
            if (!d.IsCompletedSuccessfully) return IsAncestorPendingAsync(a.Result, d, cancellationToken);
            var walk = History.IsAncestorAsync(Graph, a.Result, d.Result, cancellationToken);
            return walk.IsCompletedSuccessfully ? (walk.Result ? True : False) : walk.AsTask();
        }
        catch (Exception e) { return Faulted.Task<bool>(e); }
    }

    private static readonly Task<bool> True = Task.FromResult(true), False = Task.FromResult(false);

    private async Task<bool> IsAncestorPendingAsync(ValueTask<ObjectId> ancestor, string descendant, CancellationToken cancellationToken)
    {
        var a = await ancestor.ConfigureAwait(false);
        var d = await ResolveAsync(descendant, cancellationToken).ConfigureAwait(false);
        return await History.IsAncestorAsync(Graph, a, d, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsAncestorPendingAsync(ObjectId ancestor, ValueTask<ObjectId> descendant, CancellationToken cancellationToken)
        => await History.IsAncestorAsync(Graph, ancestor, await descendant.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>True when commit <paramref name="ancestor"/> is <paramref name="descendant"/> or one of its ancestors.</summary>
    public async Task<bool> IsAncestorAsync(ObjectId ancestor, ObjectId descendant, CancellationToken cancellationToken = default)
        => await History.IsAncestorAsync(Graph, ancestor, descendant, cancellationToken).ConfigureAwait(false);

    /// <summary>All best common ancestors of two revisions (like <c>git merge-base --all</c>); empty when unrelated.</summary>
    public async Task<IReadOnlyList<ObjectId>> MergeBasesAsync(string left, string right, CancellationToken cancellationToken = default)
    {
        var a = await ResolveAsync(left, cancellationToken).ConfigureAwait(false);
        var b = await ResolveAsync(right, cancellationToken).ConfigureAwait(false);
        return await History.MergeBasesAsync(Graph, a, b, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>All best common ancestors of two commits.</summary>
    public Task<IReadOnlyList<ObjectId>> MergeBasesAsync(ObjectId left, ObjectId right, CancellationToken cancellationToken = default)
        => History.MergeBasesAsync(Graph, left, right, cancellationToken);

    // ------------------------------------------------------------------ audit

    /// <summary>The audit log of one ref (newest first), or of every ref merged by time (newest first) when <paramref name="name"/> is null.</summary>
    public async IAsyncEnumerable<AuditEntry> AuditAsync(RefName? name = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (name is { } one)
        {
            await foreach (var e in Store.Refs.ReadAuditAsync(Name, one, null, cancellationToken).ConfigureAwait(false)) yield return e;
            yield break;
        }
        var all = new List<AuditEntry>();
        await foreach (var (refName, _) in Store.Refs.ListRefsAsync(Name, cancellationToken).ConfigureAwait(false))
            await foreach (var e in Store.Refs.ReadAuditAsync(Name, refName, null, cancellationToken).ConfigureAwait(false)) all.Add(e);
        foreach (var e in all.OrderByDescending(e => e.Time).ThenBy(e => e.Ref.FullName, StringComparer.Ordinal).ThenByDescending(e => e.Sequence))
            yield return e;
    }

    /// <summary>Checks a ref's audit hash chain: contiguous sequences, each entry naming its predecessor's hash, the newest matching the ref state.</summary>
    public async Task<AuditVerification> VerifyAuditAsync(RefName name, CancellationToken cancellationToken = default)
    {
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        if (state is null) return new AuditVerification(name, 0, true, null);
        long count = 0;
        AuditEntry? newer = null;
        string? problem = null;
        try
        {
            await foreach (var e in Store.Refs.ReadAuditAsync(Name, name, null, cancellationToken).ConfigureAwait(false))
            {
                count++;
                if (newer is null)
                {
                    if (e.Sequence != state.Sequence || e.Hash != state.AuditHash || e.New != state.Target) { problem = $"newest entry @{{{e.Sequence}}} does not match the ref state"; break; }
                }
                else
                {
                    if (e.Sequence != newer.Sequence - 1) { problem = $"entry @{{{newer.Sequence - 1}}} is missing"; break; }
                    if (newer.PreviousHash != e.Hash) { problem = $"entry @{{{e.Sequence}}} was altered (hash chain broken)"; break; }
                    if (newer.Old != e.New) { problem = $"entry @{{{newer.Sequence}}} does not continue from @{{{e.Sequence}}}"; break; }
                }
                newer = e;
            }
        }
        catch (CorruptObjectException ex)
        {
            problem = ex.Message;
        }
        // A log may begin with the entry that re-published the head after the ref store lost its state (and the entries before it).
        if (problem is null && newer is not null && (newer.Sequence != 1 || !newer.PreviousHash.IsZero)
            && !(newer.Operation == FailStaticRefStore.RestoreOperation && newer.Old == newer.New)) problem = "the oldest entries are missing";
        if (problem is null && newer is null) problem = "the ref has no audit entries";
        return new AuditVerification(name, count, problem is null, problem);
    }

    /// <summary>
    /// fsck: every live ref's full closure (commits, trees, blobs) is stored and hashes to its id, and every
    /// ref's audit chain is intact. Reads everything: cost follows the repository's size.
    /// </summary>
    public async Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        var seen = new HashSet<ObjectId>();
        var commits = new Dictionary<ObjectId, (long Generation, ObjectId[] Parents)>();
        var refs = 0;
        // Snapshots retention pruned may be gone (wholly or, after a crash mid-sweep, in part): checked last, absence allowed.
        var (_, plan) = await Store.GcPlans.GetAsync(Store, cancellationToken).ConfigureAwait(false);
        var prunedTrees = new List<(ObjectId Id, ObjectKind Kind, string Via)>();
        var stack = new Stack<(ObjectId Id, ObjectKind Kind, string Via)>();
        await foreach (var (name, state) in Store.Refs.ListRefsAsync(Name, cancellationToken).ConfigureAwait(false))
        {
            refs++;
            var audit = await VerifyAuditAsync(name, cancellationToken).ConfigureAwait(false);
            if (!audit.Intact) problems.Add($"{name}: audit log: {audit.Problem}");
            if (state.Target is not { } target) continue;
            stack.Push((target, ObjectKind.Commit, name.FullName));
            await VerifyClosureAsync(stack, seen, commits, problems, plan, prunedTrees, optional: false, cancellationToken).ConfigureAwait(false);
        }
        foreach (var item in prunedTrees) stack.Push(item);
        await VerifyClosureAsync(stack, seen, commits, problems, plan, null, optional: true, cancellationToken).ConfigureAwait(false);
        // The generation rule (docs/FORMAT.md): 1 + the largest generation of the parents. Checked where every parent was read.
        foreach (var (id, (generation, parents)) in commits)
        {
            long expected = 0;
            var complete = true;
            foreach (var p in parents)
            {
                if (commits.TryGetValue(p, out var parent)) expected = Math.Max(expected, parent.Generation);
                else complete = false;
            }
            if (complete && generation != expected + 1)
                problems.Add($"commit {id} has generation {generation}, but 1 + the largest generation of its parents is {expected + 1}");
        }
        return new VerifyReport(Name, refs, seen.Count, problems);
    }

    private async Task VerifyClosureAsync(Stack<(ObjectId Id, ObjectKind Kind, string Via)> stack, HashSet<ObjectId> seen,
        Dictionary<ObjectId, (long Generation, ObjectId[] Parents)> commits, List<string> problems, GcPlan plan,
        List<(ObjectId Id, ObjectKind Kind, string Via)>? prunedTrees, bool optional, CancellationToken cancellationToken)
    {
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (id, kind, via) = stack.Pop();
            if (!seen.Add(id)) continue;
            try
            {
                var data = await Reader.TryReadVerifiedAsync(id, cancellationToken).ConfigureAwait(false);
                if (data is null)
                {
                    if (optional) seen.Remove(id);
                    else problems.Add($"missing {kind.ToString().ToLowerInvariant()} {id} (reached from {via})");
                    continue;
                }
                var actual = ObjectCodec.ReadKind(id, data.Value.Span);
                if (actual != kind) { problems.Add($"object {id} is a {actual}, expected {kind} (reached from {via})"); continue; }
                if (kind == ObjectKind.Commit)
                {
                    var c = ObjectCodec.DecodeCommit(id, data.Value.Span);
                    commits[id] = (c.Generation, c.Parents.ToArray());
                    if (prunedTrees is not null && plan.TryGetPruned(Name, id, out _)) prunedTrees.Add((c.Tree, ObjectKind.Tree, id.ToString(12) + " (pruned)"));
                    else stack.Push((c.Tree, ObjectKind.Tree, id.ToString(12)));
                    foreach (var p in c.Parents) stack.Push((p, ObjectKind.Commit, id.ToString(12)));
                }
                else if (kind == ObjectKind.Tree)
                {
                    foreach (var e in ObjectCodec.DecodeTree(id, data.Value.Span)) stack.Push((e.Id, e.Kind, id.ToString(12)));
                }
            }
            catch (VersionStoreException e)
            {
                problems.Add(e.Message);
            }
        }
    }

    // ------------------------------------------------------------------ internals

    internal async Task<RefState> CompareAndSwapAsync(RefName name, RefState? expected, ObjectId? target, string operation, string actor, string? reason,
        IReadOnlyList<Trailer>? details, CancellationToken cancellationToken)
    {
        var entry = NewAuditEntry(name, expected, target, operation, actor, reason, details);
        await ApplyAsync(name, expected, entry, cancellationToken).ConfigureAwait(false);
        return new RefState(target, entry.Sequence, entry.Hash);
    }

    private AuditEntry NewAuditEntry(RefName name, RefState? expected, ObjectId? target, string operation, string actor, string? reason, IReadOnlyList<Trailer>? details)
    {
        CheckName("Actor", actor);
        if (reason is not null) CheckText("Reason", reason);
        return new AuditEntry(name, (expected?.Sequence ?? 0) + 1, expected?.Target, target, operation, actor, Clock.GetUtcNow(), reason,
            expected?.AuditHash ?? ObjectId.Zero, details);
    }

    private async Task ApplyAsync(RefName name, RefState? expected, AuditEntry entry, CancellationToken cancellationToken)
    {
        if (await Store.Refs.TryUpdateRefAsync(new RefUpdate(Name, expected, entry), cancellationToken).ConfigureAwait(false)) return;
        throw await LostRaceAsync(name, expected, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RefConflictException> LostRaceAsync(RefName name, RefState? expected, CancellationToken cancellationToken)
    {
        var actual = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        return Conflict(name, expected?.Target, actual?.Target, "a concurrent change won");
    }

    private RefConflictException Conflict(RefName name, ObjectId? expected, ObjectId? actual, string? detail = null)
    {
        VersionStoreDiagnostics.RefConflicts.Add(1);
        Log.RefConflict(Store.Logger, Name.Value, name.FullName, expected?.ToString() ?? "(none)", actual?.ToString() ?? "(none)");
        return new RefConflictException(Name.Value, name, expected, actual, detail);
    }

    private void CheckText(string what, string? text)
    {
        if (text is null) return;
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > Store.Options.MaxMessageBytes) throw new PayloadTooLargeException(what, bytes, Store.Options.MaxMessageBytes);
        if (text.Contains('\0')) throw new InvalidRequestException($"{what} cannot contain NUL.");
    }

    /// <summary>
    /// A person's or service's name (author, audit actor): a text that is also one line, so it cannot forge a line of
    /// the audit log or the history as any reader prints it — no control characters (C0, DEL, C1, which include line
    /// breaks and terminal escapes), no Unicode line/paragraph separators and no bidirectional overrides.
    /// </summary>
    private void CheckName(string what, string? text)
    {
        CheckText(what, text);
        if (text is null) return;
        foreach (var c in text)
            if (char.IsControl(c) || c is '\u2028' or '\u2029' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069')
                throw new InvalidRequestException($"{what} cannot contain control characters (found U+{(int)c:X4}); a name is one line of printable text.");
    }

    private static string FirstLine(string message) => message.IndexOf('\n') is var end and >= 0 ? message[..end] : message;
}
