using VersionStore.Graph;
using VersionStore.Internal;
using VersionStore.Merging;

namespace VersionStore;

public sealed partial class Repository
{
    private CommitGraph? _graph;

    /// <summary>The store-wide commit-graph index (built lazily, fed by every commit this process writes).</summary>
    internal CommitGraph Graph => _graph ??= CommitGraph.For(Store);

    /// <summary>
    /// Merges <paramref name="from"/> into branch <paramref name="into"/>: a three-way merge of snapshots at entry
    /// level against the best common ancestor (several: merged recursively into a virtual base, as git's
    /// recursive strategy does; an entry the bases disagree on conflicts unless both sides agree). On success a
    /// merge commit with two parents (the branch head, then the revision) is written and the branch moved by
    /// compare-and-swap; conflicts are returned in the result (<see cref="MergeStatus.Conflicted"/>), with nothing
    /// written to the branch — a conflict is an answer, not a failure. Unrelated histories merge against an empty base.
    /// </summary>
    /// <param name="into">The branch to merge into (it must exist).</param>
    /// <param name="from">The revision to merge.</param>
    /// <param name="options">Resolvers, author, message, expected head, fast-forward mode.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="RevisionNotFoundException">The branch or the revision does not exist.</exception>
    /// <exception cref="RefConflictException">The branch is not at <see cref="MergeOptions.ExpectedHead"/>, or moved during the merge.</exception>
    public async Task<MergeResult> MergeAsync(string into, string from, MergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MergeOptions();
        using var activity = VersionStoreDiagnostics.ActivitySource.StartActivity("vstore.merge");
        var refName = RefName.Branch(into);
        CheckName("Author", options.Author);
        if (options.Message is not null) CheckText("Commit message", options.Message);
        var state = await Store.Refs.TryGetRefAsync(Name, refName, cancellationToken).ConfigureAwait(false);
        if (state?.Target is not { } head) throw new RevisionNotFoundException(Name.Value, refName.FullName, "no such branch");
        if (options.ExpectedHead is { } expected && expected != head) throw Conflict(refName, expected, head, "stale expected head");
        var fromId = await ResolveAsync(from, cancellationToken).ConfigureAwait(false);
        if (fromId != head) await EnsureNotPrunedAsync(fromId, cancellationToken).ConfigureAwait(false);

        var graph = Graph;
        var hp = await graph.GetLoadedAsync(head, cancellationToken).ConfigureAwait(false);
        var fp = await graph.GetLoadedAsync(fromId, cancellationToken).ConfigureAwait(false);
        if (await History.IsAncestorAsync(graph, fp, hp, cancellationToken).ConfigureAwait(false))
            return new MergeResult(MergeStatus.UpToDate, head, null, [fromId], []);
        if (await History.IsAncestorAsync(graph, hp, fp, cancellationToken).ConfigureAwait(false) && options.FastForward != FastForwardMode.Never)
        {
            await CompareAndSwapAsync(refName, state, fromId, "merge.fast-forward", options.Author, $"fast-forward to {from}", null, cancellationToken).ConfigureAwait(false);
            return new MergeResult(MergeStatus.FastForwarded, fromId, await Reader.GetCommitAsync(fromId, cancellationToken).ConfigureAwait(false), [head], []);
        }
        if (options.FastForward == FastForwardMode.Only) return new MergeResult(MergeStatus.NotFastForward, head, null, [], []);

        var basePositions = await History.MergeBasesAsync(graph, hp, fp, cancellationToken).ConfigureAwait(false);
        var bases = basePositions.Select(graph.IdOf).ToArray();
        var baseTree = await VirtualBaseTreeAsync(bases, cancellationToken).ConfigureAwait(false);
        var ours = await Reader.GetCommitAsync(head, cancellationToken).ConfigureAwait(false);
        var theirs = await Reader.GetCommitAsync(fromId, cancellationToken).ConfigureAwait(false);
        var merged = await TreeMerger.MergeAsync(Reader, Store.Objects, Store.Options, baseTree, ours.Tree, theirs.Tree, options.Resolvers, cancellationToken).ConfigureAwait(false);
        if (merged.Tree is not { } tree) return new MergeResult(MergeStatus.Conflicted, head, null, bases, merged.Conflicts);

        var message = options.Message ?? $"Merge {from} into {into}";
        var commit = NewCommit(tree, [ours, theirs], options.Timestamp ?? Clock.GetUtcNow(), options.Author, message, [], out var encoded);
        var entry = NewAuditEntry(refName, state, commit.Id, "merge", options.Author, FirstLine(message), null);
        if (!await WriteCommitAndSwapAsync(commit, [new EncodedObject(commit.Id, encoded)], new RefUpdate(Name, state, entry), cancellationToken).ConfigureAwait(false))
            throw await LostRaceAsync(refName, state, cancellationToken).ConfigureAwait(false);
        VersionStoreDiagnostics.Commits.Add(1, new KeyValuePair<string, object?>("operation", "merge"));
        return new MergeResult(MergeStatus.Merged, commit.Id, commit, bases, []);
    }

    /// <summary>
    /// Three-way merge of two snapshot trees against <paramref name="baseTree"/> (null: empty), at entry level,
    /// without touching any ref. The merged tree is stored when there is no conflict left.
    /// </summary>
    public Task<TreeMergeResult> MergeTreesAsync(ObjectId? baseTree, ObjectId oursTree, ObjectId theirsTree, IReadOnlyList<MergeResolverRule>? resolvers = null,
        CancellationToken cancellationToken = default)
        => TreeMerger.MergeAsync(Reader, Store.Objects, Store.Options, baseTree, oursTree, theirsTree, resolvers ?? [], cancellationToken);

    /// <summary>
    /// The body of <see cref="CommitAsync(string, SnapshotChanges, CommitOptions?, CancellationToken)"/> with explicit
    /// control of automatic rebase (see <see cref="RebaseOptions"/>): when the branch moved under the commit, the
    /// change is three-way merged onto the new head and the compare-and-swap retried, so concurrent writers of
    /// different entries all land and none is lost. <see cref="CommitAsync(string, SnapshotChanges, CommitOptions?, CancellationToken)"/>
    /// passes <see cref="CommitOptions.Rebase"/>.
    /// </summary>
    internal async Task<CommitResult> CommitCoreAsync(string branch, SnapshotChanges changes, CommitOptions? options, RebaseOptions? rebase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var gate = Store.CommitGate(Name, RefName.Branch(branch));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CommitUnderGateAsync(branch, changes, options, rebase, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<CommitResult> CommitUnderGateAsync(string branch, SnapshotChanges changes, CommitOptions? options, RebaseOptions? rebase, CancellationToken cancellationToken)
    {
        options ??= new CommitOptions();
        rebase ??= RebaseOptions.Default;
        var refName = RefName.Branch(branch);
        using var activity = VersionStoreDiagnostics.ActivitySource.StartActivity("vstore.commit");
        var started = Clock.GetTimestamp();
        CheckText("Commit message", options.Message);
        CheckName("Author", options.Author);
        foreach (var t in options.Trailers) CheckText($"Trailer '{t.Key}'", t.Value);
        var mayRebase = options.Parents is null && rebase.AutoRebase != false;
        var strict = options.ExpectedHead is not null && rebase.AutoRebase != true; // a named head asks for strict checking

        var state = await Store.Refs.TryGetRefAsync(Name, refName, cancellationToken).ConfigureAwait(false);
        var head = state?.Target;
        ObjectId? basedOn = head;
        if (options.ExpectedHead is { } expected && (expected.IsZero ? head is not null : head != expected))
        {
            if (strict || !mayRebase || expected.IsZero || head is null) throw Conflict(refName, expected.IsZero ? null : expected, head, "stale expected head");
            basedOn = expected; // rebase from the head the caller saw onto the current one
        }

        var parentIds = options.Parents?.ToArray() ?? (basedOn is { } b ? [b] : []);
        for (var i = 1; i < parentIds.Length; i++)
            if (Array.IndexOf(parentIds, parentIds[i], 0, i) >= 0) throw new InvalidRequestException("A commit cannot name the same parent twice.");
        var parents = new Commit[parentIds.Length];
        for (var i = 0; i < parents.Length; i++)
            parents[i] = await Reader.TryGetCommitAsync(parentIds[i], cancellationToken).ConfigureAwait(false)
                ?? throw new RevisionNotFoundException(Name.Value, parentIds[i].ToString(), "parent commit is not stored");

        IReadOnlyList<Trailer>? forcedOver = null;
        if (options.Parents is not null && head is { } currentHead && !await DescendsFromAsync(parentIds, currentHead, cancellationToken).ConfigureAwait(false))
        {
            if (!options.Force) throw new NonFastForwardException(Name.Value, refName, currentHead, parentIds);
            forcedOver = [new Trailer("Forced-Over", currentHead.ToString())];
        }

        var baseTree = parents.Length > 0 ? parents[0].Tree : (ObjectId?)null;
        var writer = new TreeWriter(Reader, Store.Objects, Store.Options);
        var changedTree = await writer.ApplyAsync(baseTree, changes, cancellationToken).ConfigureAwait(false);
        if (!options.AllowEmpty && parents.Length == 1 && parents[0].Tree == changedTree && basedOn == head)
            return new CommitResult(parents[0], head, 0, 0);
        List<EncodedObject>? pending = writer.NewObjects; // written with the commit: one store batch per commit
        var objects = writer.NewObjects.Count;
        var bytes = writer.NewBytes;

        var timestamp = options.Timestamp ?? Clock.GetUtcNow();
        var tree = changedTree;
        var attempts = 0;
        while (true)
        {
            if (basedOn != head)
            {
                // The branch moved since the change was made: replay it onto the current head.
                if (head is not { } current || ++attempts > rebase.MaxAttempts)
                    throw Conflict(refName, basedOn, head, head is null ? "the branch was deleted" : $"still losing the race after {rebase.MaxAttempts} rebases");
                if (pending is not null)
                {
                    await Store.Objects.WriteAsync(pending, cancellationToken).ConfigureAwait(false); // the merge reads our tree
                    writer.RememberNewTrees();
                }
                pending = null;
                var currentCommit = await Reader.GetCommitAsync(current, cancellationToken).ConfigureAwait(false);
                var merged = await TreeMerger.MergeAsync(Reader, Store.Objects, Store.Options, baseTree, currentCommit.Tree, changedTree, rebase.Resolvers, cancellationToken).ConfigureAwait(false);
                if (merged.Tree is not { } mergedTree) throw new MergeConflictException(Name.Value, refName, current, merged.Conflicts);
                tree = mergedTree;
                parents = [currentCommit];
                parentIds = [current];
                basedOn = current;
            }

            var commit = NewCommit(tree, parents, timestamp, options.Author, options.Message, options.Trailers, out var encoded);
            var entry = NewAuditEntry(refName, state, commit.Id, forcedOver is not null ? "commit.force" : parentIds.Length > 1 ? "merge" : attempts > 0 ? "commit.rebased" : "commit",
                options.Actor ?? options.Author, FirstLine(options.Message), forcedOver);
            var update = new RefUpdate(Name, state, entry);
            var batch = pending ?? new List<EncodedObject>(1); // the tree writer's objects, written with the commit: one store batch
            batch.Add(new EncodedObject(commit.Id, encoded));
            var updated = await WriteCommitAndSwapAsync(commit, batch, update, cancellationToken).ConfigureAwait(false);
            // The objects are stored now, whatever the compare-and-swap said.
            if (pending is not null) writer.RememberNewTrees();
            pending = null;
            objects++;
            if (updated)
            {
                VersionStoreDiagnostics.Commits.Add(1, new KeyValuePair<string, object?>("operation", "commit"));
                VersionStoreDiagnostics.CommitDuration.Record(Clock.GetElapsedTime(started).TotalMilliseconds);
                Log.Committed(Store.Logger, Name.Value, refName.FullName, commit.Id, objects, bytes);
                return new CommitResult(commit, head, objects, bytes);
            }

            state = await Store.Refs.TryGetRefAsync(Name, refName, cancellationToken).ConfigureAwait(false);
            if (!mayRebase || options.ExpectedHead is not null && rebase.AutoRebase != true)
                throw Conflict(refName, head, state?.Target, "a concurrent change won");
            head = state?.Target;
        }
    }

    /// <summary>True when one of <paramref name="parents"/> is <paramref name="head"/> or descends from it (the commit is a fast-forward).</summary>
    private async Task<bool> DescendsFromAsync(ObjectId[] parents, ObjectId head, CancellationToken cancellationToken)
    {
        foreach (var p in parents)
            if (p == head || await History.IsAncestorAsync(Graph, head, p, cancellationToken).ConfigureAwait(false)) return true;
        return false;
    }

    /// <summary>
    /// The one commit writer (commits, merges, revert rollbacks): the new objects, then the ref's compare-and-swap
    /// with its audit entry. When the store's object store can write them together with the refs of its ref store
    /// (<see cref="IAtomicCommitStore"/>, the embedded RocksDB — also through decorators such as the tiered store),
    /// that is one atomic write; otherwise the objects are written first and the CAS comes last (invariant 2).
    /// The objects are stored whatever the compare-and-swap answers.
    /// </summary>
    /// <returns>True when the ref moved.</returns>
    /// <remarks>The commit is indexed (decoded cache, commit graph) once stored, before the ref can name it to others.</remarks>
    private async ValueTask<bool> WriteCommitAndSwapAsync(Commit commit, IReadOnlyList<EncodedObject> objects, RefUpdate update, CancellationToken cancellationToken)
    {
        if (Store.AtomicCommits is { } atomic)
        {
            var moved = await atomic.WriteObjectsAndTryUpdateRefAsync(objects, update, cancellationToken).ConfigureAwait(false);
            Stored(commit, objects.Count);
            return moved;
        }
        await Store.Objects.WriteAsync(objects, cancellationToken).ConfigureAwait(false);
        Stored(commit, objects.Count);
        return await Store.Refs.TryUpdateRefAsync(update, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Encodes a commit and builds its <see cref="Commit"/> from the fields (what decoding the encoding would give:
    /// the timestamp cut to microseconds in UTC), without decoding the bytes just written.
    /// </summary>
    private static Commit NewCommit(ObjectId tree, Commit[] parents, DateTimeOffset timestamp, string author, string message,
        IReadOnlyList<Trailer> trailers, out byte[] encoded)
    {
        long generation = 0;
        var parentIds = new ObjectId[parents.Length];
        for (var i = 0; i < parents.Length; i++)
        {
            parentIds[i] = parents[i].Id;
            generation = Math.Max(generation, parents[i].Generation);
        }
        generation++;
        encoded = ObjectCodec.EncodeCommit(tree, parentIds, generation, timestamp, author, message, trailers);
        var id = ObjectId.Compute(encoded);
        var commit = new Commit(id, tree, parentIds, generation, ObjectCodec.FromUnixMicroseconds(ObjectCodec.ToUnixMicroseconds(timestamp)),
            author, message, [.. trailers]);
        AssertSameAsDecoded(commit, encoded);
        return commit;
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private static void AssertSameAsDecoded(Commit commit, byte[] encoded)
    {
        var decoded = ObjectCodec.DecodeCommit(commit.Id, encoded);
        System.Diagnostics.Debug.Assert(decoded.Tree == commit.Tree && decoded.Parents.SequenceEqual(commit.Parents) && decoded.Generation == commit.Generation
            && decoded.Timestamp == commit.Timestamp && decoded.Timestamp.Offset == commit.Timestamp.Offset && decoded.Author == commit.Author
            && decoded.Message == commit.Message && decoded.Trailers.SequenceEqual(commit.Trailers), "a commit built from its fields differs from its decoding");
    }

    /// <summary>Bookkeeping once a new commit's object is stored: metrics, the decoded cache, the commit-graph index.</summary>
    private void Stored(Commit commit, int objectCount)
    {
        VersionStoreDiagnostics.ObjectsWritten.Add(objectCount);
        Reader.Remember(commit.Id, commit);
        Graph.Add(commit);
    }

    /// <summary>The tree to merge against: none (unrelated), the one base's, or several bases merged recursively.</summary>
    private async Task<ObjectId?> VirtualBaseTreeAsync(IReadOnlyList<ObjectId> bases, CancellationToken cancellationToken)
    {
        if (bases.Count == 0) return null;
        var acc = (await Reader.GetCommitAsync(bases[0], cancellationToken).ConfigureAwait(false)).Tree;
        for (var i = 1; i < bases.Count; i++)
        {
            var inner = await History.MergeBasesAsync(Graph, bases[0], bases[i], cancellationToken).ConfigureAwait(false);
            var innerTree = await VirtualBaseTreeAsync(inner, cancellationToken).ConfigureAwait(false);
            var next = (await Reader.GetCommitAsync(bases[i], cancellationToken).ConfigureAwait(false)).Tree;
            var merged = await TreeMerger.MergeAsync(Reader, Store.Objects, Store.Options, innerTree, acc, next,
                MergeOptions.ForAll(VirtualBaseResolver.Instance), cancellationToken).ConfigureAwait(false);
            acc = merged.Tree ?? acc; // only file/folder clashes are left unresolved: keep the first base's shape
        }
        return acc;
    }

    private sealed class VirtualBaseResolver : IMergeResolver
    {
        public static readonly VirtualBaseResolver Instance = new();

        public ValueTask<MergeResolution> ResolveAsync(EntryMergeInput conflict, CancellationToken cancellationToken)
            => ValueTask.FromResult(MergeResolution.WithContent(TreeMerger.VirtualBaseConflict));
    }
}
