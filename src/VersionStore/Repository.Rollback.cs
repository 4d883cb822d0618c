using VersionStore.Internal;

namespace VersionStore;

public sealed partial class Repository
{
    /// <summary>
    /// Rolls a branch or channel back to an earlier version in one compare-and-swap, audited with actor and
    /// reason. Cost is independent of history length: no content is copied (a revert commit reuses the target's
    /// tree). Transactional: the target's snapshot is checked complete and intact before the ref moves; user
    /// verifiers run after it moves, and if one fails the ref is moved back (both moves audited) and the result
    /// says <see cref="RollbackStatus.Compensated"/>.
    /// </summary>
    /// <exception cref="RevisionNotFoundException">The ref or the target does not exist.</exception>
    /// <exception cref="RefConflictException">The ref is not at <see cref="RollbackRequest.ExpectedHead"/>, or a concurrent change won.</exception>
    /// <exception cref="InvalidRequestException">The ref is a tag, or the reason is empty.</exception>
    /// <exception cref="VersionPrunedException">The target's snapshot was pruned by retention (or the target was collected); nothing moved.</exception>
    public async Task<RollbackResult> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Clock.GetTimestamp();
        using var activity = VersionStoreDiagnostics.ActivitySource.StartActivity("vstore.rollback");
        if (request.Ref.Kind is not (RefKind.Branch or RefKind.Channel)) throw new InvalidRequestException($"Only a branch or a channel can be rolled back, not {request.Ref}.");
        if (string.IsNullOrWhiteSpace(request.Reason)) throw new InvalidRequestException("A rollback needs a reason.");
        CheckText("Reason", request.Reason);
        CheckName("Actor", request.Actor);
        foreach (var d in request.Details)
        {
            if (string.IsNullOrEmpty(d.Key) || d.Key.Length > 64 || !d.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                throw new InvalidRequestException($"Rollback detail key '{d.Key}' must be 1–64 letters, digits or '-'.");
            CheckText($"Rollback detail '{d.Key}'", d.Value);
        }

        var state = await Store.Refs.TryGetRefAsync(Name, request.Ref, cancellationToken).ConfigureAwait(false);
        if (state?.Target is not { } from) throw new RevisionNotFoundException(Name.Value, request.Ref.FullName, "no such branch or channel");
        if (request.ExpectedHead is { } expected && expected != from) throw Conflict(request.Ref, expected, from, "stale expected head");

        var targetId = await ResolveAsync(request.Target, cancellationToken).ConfigureAwait(false);
        var target = await Reader.GetCommitAsync(targetId, cancellationToken).ConfigureAwait(false);
        // Before anything moves: a version retention pruned (or the collector planned to delete) is refused.
        if (targetId != from) await EnsureNotPrunedAsync(targetId, cancellationToken).ConfigureAwait(false);
        var head = await Reader.GetCommitAsync(from, cancellationToken).ConfigureAwait(false);

        // Before the move: the target's snapshot must be complete and intact (invariant 2).
        var (closureFailure, objectsVerified) = await VerifySnapshotAsync(target.Tree, cancellationToken).ConfigureAwait(false);
        if (closureFailure is not null)
        {
            Log.RollbackVerificationFailed(Store.Logger, Name.Value, request.Ref.FullName, targetId, closureFailure);
            return Finish(RollbackStatus.Rejected, from, from, null, new VerificationOutcome(false, 1, objectsVerified, closureFailure));
        }

        var alreadyThere = request.Mode == RollbackMode.Revert ? head.Tree == target.Tree : from == targetId;
        if (alreadyThere)
            return Finish(RollbackStatus.AlreadyAtTarget, from, from, null, new VerificationOutcome(true, 1, objectsVerified, null));

        var details = new List<Trailer>
        {
            new(WellKnownTrailers.RollbackOf, targetId.ToString()),
            new("Mode", request.Mode == RollbackMode.Revert ? "revert" : "reset"),
            // Durable intent: with user verifiers the move is "pending" until a completion (rollback.verified) or
            // a compensation (rollback.compensate) follows it; RecoverPendingRollbacksAsync finishes what a
            // crashed process left pending. Without user verifiers every check ran before the move.
            new(VerificationDetail, request.Verifiers.Count > 0 ? VerificationPending : VerificationPassed),
        };
        details.AddRange(request.Details);
        ObjectId newHead;
        RefState moved;
        var operation = request.Mode == RollbackMode.Revert ? "rollback.revert" : "rollback.reset";
        if (request.Mode == RollbackMode.Revert)
        {
            var timestamp = Clock.GetUtcNow();
            var trailers = new[]
            {
                new Trailer(WellKnownTrailers.RollbackOf, targetId.ToString()),
                new Trailer(WellKnownTrailers.RollbackFrom, from.ToString()),
                new Trailer(WellKnownTrailers.Reason, request.Reason),
                new Trailer(WellKnownTrailers.Actor, request.Actor),
            };
            var message = $"Roll back to {targetId.ToString(12)}\n\n{request.Reason}";
            // The revert commit goes through the one commit writer: with the embedded store, commit object, ref and
            // audit entry in one atomic write.
            var commit = NewCommit(target.Tree, [head], timestamp, request.Actor, message, trailers, out var encoded);
            newHead = commit.Id;
            var entry = NewAuditEntry(request.Ref, state, newHead, operation, request.Actor, request.Reason, details);
            var swapped = await WriteCommitAndSwapAsync(commit, [new EncodedObject(newHead, encoded)], new RefUpdate(Name, state, entry), cancellationToken).ConfigureAwait(false);
            if (!swapped) throw await LostRaceAsync(request.Ref, state, cancellationToken).ConfigureAwait(false);
            moved = new RefState(newHead, entry.Sequence, entry.Hash);
        }
        else
        {
            newHead = targetId;
            moved = await CompareAndSwapAsync(request.Ref, state, newHead, operation, request.Actor, request.Reason, details, cancellationToken).ConfigureAwait(false);
        }

        var effective = Clock.GetUtcNow();
        if (request.Verifiers.Count == 0)
            return Finish(RollbackStatus.Succeeded, from, newHead, effective, new VerificationOutcome(true, 1, objectsVerified, null));

        // After the move: user verifiers; a failure (or the caller giving up) moves the ref back.
        string? failure;
        int checks;
        try
        {
            (failure, checks) = await RunVerifiersAsync(request.Verifiers, target, request.VerifierTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Never leave a half-done rollback behind: the caller stopped waiting, so the move is undone.
            await CompensateAsync(request.Ref, moved, from, targetId, request.Actor, "verification cancelled by the caller").ConfigureAwait(false);
            throw;
        }

        if (failure is not null)
        {
            Log.RollbackVerificationFailed(Store.Logger, Name.Value, request.Ref.FullName, targetId, failure);
            await CompensateAsync(request.Ref, moved, from, targetId, request.Actor, failure).ConfigureAwait(false);
            return Finish(RollbackStatus.Compensated, from, from, null, new VerificationOutcome(false, checks, objectsVerified, failure));
        }

        await CompleteAsync(request.Ref, moved, newHead, targetId, request.Actor, checks, recovered: false).ConfigureAwait(false);
        return Finish(RollbackStatus.Succeeded, from, newHead, effective, new VerificationOutcome(true, checks, objectsVerified, null));

        RollbackResult Finish(RollbackStatus status, ObjectId fromId, ObjectId headAfter, DateTimeOffset? effectiveTime, VerificationOutcome verification)
        {
            var elapsed = Clock.GetElapsedTime(started);
            VersionStoreDiagnostics.Rollbacks.Add(1, new KeyValuePair<string, object?>("mode", request.Mode.ToString()), new KeyValuePair<string, object?>("status", status.ToString()));
            VersionStoreDiagnostics.RollbackDuration.Record(elapsed.TotalMilliseconds);
            Log.RolledBack(Store.Logger, Name.Value, request.Ref.FullName, fromId, targetId, request.Mode, status, request.Actor, request.Reason);
            return new RollbackResult(status, request.Ref, fromId, targetId, headAfter, effectiveTime, elapsed, verification);
        }
    }

    /// <summary>Audit detail key recording the state of a rollback's verification: <c>pending</c>, <c>passed</c> or <c>failed</c>.</summary>
    public const string VerificationDetail = "Verification";
    private const string VerificationPending = "pending";
    private const string VerificationPassed = "passed";
    private const string VerificationFailed = "failed";

    /// <summary>
    /// Finishes rollbacks that a crashed (or killed) process left half-done: a branch or channel whose newest audit
    /// entry is a rollback move marked <c>Verification: pending</c> (the process moved the ref, then died before its
    /// verifiers finished). With <paramref name="verifiers"/> the target is checked again (built-in integrity
    /// checks, then the verifiers): if all pass, a <c>rollback.verified</c> entry completes the rollback; otherwise,
    /// and always when <paramref name="verifiers"/> is null (the outcome is unknown, so it counts as failed), the
    /// ref is moved back by compare-and-swap with a <c>rollback.compensate</c> entry. Run it at startup.
    /// A ref changed again after the pending move is left alone: the newer change superseded it.
    /// </summary>
    /// <param name="verifiers">Verifiers to re-run; null compensates every pending rollback.</param>
    /// <param name="actor">Audit actor of the completion or compensation.</param>
    /// <param name="verifierTimeout">Time all verifiers of one rollback may take; 5 s when null.</param>
    /// <param name="cancellationToken">Cancels the scan (a started compensation still completes).</param>
    /// <returns>One result per pending rollback found: <see cref="RollbackStatus.Succeeded"/> when completed, <see cref="RollbackStatus.Compensated"/> when undone.</returns>
    public async Task<IReadOnlyList<RollbackResult>> RecoverPendingRollbacksAsync(IReadOnlyList<IRollbackVerifier>? verifiers = null, string actor = "recovery",
        TimeSpan? verifierTimeout = null, CancellationToken cancellationToken = default)
    {
        var results = new List<RollbackResult>();
        var refs = new List<(RefName Name, RefState State)>();
        await foreach (var r in Store.Refs.ListRefsAsync(Name, cancellationToken).ConfigureAwait(false))
            if (r.Name.Kind != RefKind.Tag && r.State.Target is not null) refs.Add(r);
        foreach (var (name, state) in refs)
        {
            AuditEntry? newest = null;
            await foreach (var e in Store.Refs.ReadAuditAsync(Name, name, null, cancellationToken).ConfigureAwait(false))
            {
                newest = e;
                break;
            }
            if (newest is null || newest.Sequence != state.Sequence || newest.Hash != state.AuditHash) continue;
            if (!newest.Operation.StartsWith("rollback.", StringComparison.Ordinal) || newest.Old is not { } from || newest.New is not { } movedTo) continue;
            if (!string.Equals(Detail(newest, VerificationDetail), VerificationPending, StringComparison.Ordinal)) continue;
            if (!ObjectId.TryParse(Detail(newest, WellKnownTrailers.RollbackOf), out var targetId)) continue;

            var started = Clock.GetTimestamp();
            string? failure = null;
            var checks = 1;
            var objects = 0;
            Commit? target = null;
            if (verifiers is null)
            {
                failure = $"verification of the rollback at {name}@{{{newest.Sequence}}} never completed (the process stopped); no verifiers given to re-run";
            }
            else
            {
                target = await Reader.TryGetCommitAsync(targetId, cancellationToken).ConfigureAwait(false);
                if (target is null) failure = $"target commit {targetId} is not stored";
                else
                {
                    (failure, objects) = await VerifySnapshotAsync(target.Tree, cancellationToken).ConfigureAwait(false);
                    if (failure is null)
                    {
                        int userChecks;
                        (failure, userChecks) = await RunVerifiersAsync(verifiers, target, verifierTimeout ?? TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                        checks = userChecks;
                    }
                }
            }

            var mode = Detail(newest, "Mode") == "reset" ? RollbackMode.Reset : RollbackMode.Revert;
            try
            {
                if (failure is null)
                {
                    await CompleteAsync(name, state, movedTo, targetId, actor, checks, recovered: true).ConfigureAwait(false);
                    results.Add(new RollbackResult(RollbackStatus.Succeeded, name, from, targetId, movedTo, newest.Time, Clock.GetElapsedTime(started),
                        new VerificationOutcome(true, checks, objects, null)));
                }
                else
                {
                    Log.RollbackVerificationFailed(Store.Logger, Name.Value, name.FullName, targetId, failure);
                    await CompensateAsync(name, state, from, targetId, actor, failure, recovered: true).ConfigureAwait(false);
                    results.Add(new RollbackResult(RollbackStatus.Compensated, name, from, targetId, from, null, Clock.GetElapsedTime(started),
                        new VerificationOutcome(false, checks, objects, failure)));
                }
                Log.RolledBack(Store.Logger, Name.Value, name.FullName, from, targetId, mode, results[^1].Status, actor, "recovered pending rollback");
            }
            catch (RefConflictException)
            {
                // Another process recovered it, or the ref moved meanwhile: the newer change stands.
            }
        }
        return results;
    }

    /// <summary>Runs user verifiers with one overall timeout measured on the store's clock. Returns the first failure and the checks run (built-in included).</summary>
    private async Task<(string? Failure, int Checks)> RunVerifiersAsync(IReadOnlyList<IRollbackVerifier> verifiers, Commit target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var checks = 1;
        using var timer = new CancellationTokenSource(timeout, Clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var startedAt = Clock.GetTimestamp();
        foreach (var verifier in verifiers)
        {
            checks++;
            var remaining = timeout - Clock.GetElapsedTime(startedAt);
            string? failure;
            try
            {
                if (remaining <= TimeSpan.Zero) throw new TimeoutException();
                // WaitAsync bounds a verifier that ignores its token.
                failure = await verifier.VerifyAsync(this, target, linked.Token).AsTask().WaitAsync(remaining, Clock, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is TimeoutException || (e is OperationCanceledException && timer.IsCancellationRequested)))
            {
                failure = $"verifier {verifier.GetType().Name} timed out after {timeout.TotalMilliseconds:0} ms";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = $"verifier {verifier.GetType().Name} threw {e.GetType().Name}: {e.Message}";
            }
            if (failure is not null) return (failure, checks);
        }
        return (null, checks);
    }

    /// <summary>Moves the ref back after a failed verification (never cancelled: a half-done rollback is worse than a late one).</summary>
    private async Task CompensateAsync(RefName name, RefState moved, ObjectId from, ObjectId targetId, string actor, string failure, bool recovered = false)
    {
        var details = new List<Trailer>
        {
            new(WellKnownTrailers.RollbackOf, targetId.ToString()),
            new(VerificationDetail, VerificationFailed),
        };
        if (recovered) details.Add(new Trailer("Recovered", "true"));
        try
        {
            await CompareAndSwapAsync(name, moved, from, "rollback.compensate", actor, Truncate("verification failed: " + failure), details, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RefConflictException e)
        {
            throw new RefConflictException(Name.Value, name, e.Expected, e.Actual,
                $"verification failed ({failure}) but a concurrent change moved the ref before it could be restored; the newer change stands");
        }
    }

    /// <summary>Records that a pending rollback passed its verification (an audit entry that does not move the ref).</summary>
    private async Task CompleteAsync(RefName name, RefState moved, ObjectId head, ObjectId targetId, string actor, int checks, bool recovered)
    {
        var details = new List<Trailer>
        {
            new(WellKnownTrailers.RollbackOf, targetId.ToString()),
            new(VerificationDetail, VerificationPassed),
            new("Checks", checks.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (recovered) details.Add(new Trailer("Recovered", "true"));
        try
        {
            await CompareAndSwapAsync(name, moved, head, "rollback.verified", actor, null, details, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RefConflictException) when (!recovered)
        {
            // A newer change already superseded the move; the rollback itself succeeded and stays audited.
        }
    }

    private string Truncate(string text)
    {
        var max = Store.Options.MaxMessageBytes / 4;
        return text.Length <= max ? text : text[..max] + "…";
    }

    private static string? Detail(AuditEntry entry, string key)
    {
        foreach (var d in entry.Details)
            if (string.Equals(d.Key, key, StringComparison.OrdinalIgnoreCase)) return d.Value;
        return null;
    }

    /// <summary>
    /// Checks that a snapshot is complete and intact in the store: every tree and blob of it read (batched, one read per
    /// level) and checked against its id, every tree decoded. Subtrees whose closure this process verified within
    /// <see cref="VersionStoreOptions.VerifiedSnapshotTtl"/> (<see cref="VerifiedTrees"/>) are not read again. Returns the
    /// first failure, if any, and the number of objects read.
    /// </summary>
    internal async Task<(string? Failure, int Objects)> VerifySnapshotAsync(ObjectId rootTree, CancellationToken cancellationToken)
    {
        var verified = Store.VerifiedTrees;
        if (verified.IsFresh(rootTree, out _)) return (null, 0);
        var scratch = Interlocked.Exchange(ref s_spareScratch, null) ?? new VerificationScratch();
        try
        {
            return await VerifyClosureAsync(rootTree, verified, scratch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Kept for the next verification unless this closure was unusually large (its lists would stay that large).
            if (scratch.Clear()) s_spareScratch = scratch;
        }
    }

    /// <summary>The walk of <see cref="VerifySnapshotAsync"/>, level by level, in <paramref name="scratch"/>'s lists.</summary>
    private async Task<(string? Failure, int Objects)> VerifyClosureAsync(ObjectId rootTree, VerifiedTrees verified, VerificationScratch scratch, CancellationToken cancellationToken)
    {
        // The oldest verification this pass rests on: every tree read here is recorded with it, so a shortcut never
        // stretches how long bytes may go unread beyond the TTL.
        var restsOn = verified.Now;
        var count = 0;
        var (level, next, all, ids, seen, entries, readTrees, found) =
            (scratch.Level, scratch.Next, scratch.All, scratch.Ids, scratch.Seen, scratch.Entries, scratch.ReadTrees, scratch.Found);
        level.Add(new Pending(rootTree, ObjectKind.Tree, -1, default));
        seen.Add(rootTree);
        while (level.Count > 0)
        {
            ids.Clear();
            foreach (var p in level) ids.Add(p.Id);
            var first = all.Count;
            all.AddRange(level);
            // Read in place where the store can: each object is hashed where it lies and only trees are copied (their
            // entries are the next level's ids and its failure paths' names); blobs are checked and dropped.
            found.Reset(ids);
            try
            {
                await Reader.VisitManyVerifiedAsync(ids, found, cancellationToken).ConfigureAwait(false);
            }
            catch (CorruptObjectException e)
            {
                return (e.Message, count);
            }
            next.Clear();
            for (var i = 0; i < level.Count; i++)
            {
                var (id, kind, _, _) = level[i];
                if (found.Kinds[i] is not { } actual) return ($"{kind.ToString().ToLowerInvariant()} {id} at '{PathOf(all, first + i)}' is missing", count);
                count++;
                try
                {
                    if (actual != kind) return ($"object {id} at '{PathOf(all, first + i)}' is a {actual}, not a {kind}", count);
                    if (kind != ObjectKind.Tree) continue;
                    readTrees.Add(id);
                    entries.Clear();
                    // Strictly checked without building name strings; anything the fast reader does not accept goes to the
                    // full decoder, which throws the exact error (or, should the two ever disagree, answers instead).
                    var bytes = found.Trees[i];
                    var names = bytes;
                    if (!ObjectCodec.TryReadTreeEntries(bytes.Span, entries))
                    {
                        var tree = ObjectCodec.DecodeTree(id, bytes.Span);
                        names = System.Text.Encoding.UTF8.GetBytes(string.Concat(tree.Select(e => e.Name)));
                        var start = 0;
                        foreach (var e in tree)
                        {
                            var length = System.Text.Encoding.UTF8.GetByteCount(e.Name);
                            entries.Add(new RawTreeEntry(start, length, e.Kind, e.Id));
                            start += length;
                        }
                    }
                    foreach (var e in entries)
                    {
                        if (!seen.Add(e.Id)) continue;
                        if (e.Kind == ObjectKind.Tree && verified.IsFresh(e.Id, out var at))
                        {
                            restsOn = Math.Min(restsOn, at);
                            continue;
                        }
                        next.Add(new Pending(e.Id, e.Kind, first + i, names.Slice(e.NameStart, e.NameLength)));
                    }
                }
                catch (CorruptObjectException e)
                {
                    return (e.Message, count);
                }
            }
            (level, next) = (next, level);
        }
        foreach (var tree in readTrees) verified.MarkVerified(tree, restsOn);
        return (null, count);
    }

    /// <summary>One spare <see cref="VerificationScratch"/> for the process: a verification takes it (or makes its own) and puts it back.</summary>
    private static VerificationScratch? s_spareScratch;

    /// <summary>
    /// The working lists of one snapshot verification (levels, every object read, ids, the set of ids seen, tree entries,
    /// trees read, the level visitor with its tree copies), reused by the next verification so a cold rollback allocates
    /// little beyond what it writes: a closure's lists are ~200 KB, and allocating them per rollback brings a gen-0 GC
    /// every few hundred rollbacks.
    /// </summary>
    private sealed class VerificationScratch
    {
        private const int MaxKeptObjects = 16_384;

        public readonly List<Pending> Level = new(64); // this level and the next: swapped from level to level
        public readonly List<Pending> Next = new(64);
        public readonly List<Pending> All = new(512); // every object read, in order: a failure's path is rebuilt from its parents
        public readonly List<ObjectId> Ids = new(512);
        public readonly HashSet<ObjectId> Seen = new(512);
        public readonly List<RawTreeEntry> Entries = new(64);
        public readonly List<ObjectId> ReadTrees = new(64);
        public readonly LevelVisitor Found = new();

        /// <summary>Empties every list (dropping the references into tree bytes); false when they grew too large to keep.</summary>
        public bool Clear()
        {
            var keep = All.Count <= MaxKeptObjects && Found.Capacity <= MaxKeptObjects && Found.BufferBytes <= 1 << 20;
            Level.Clear();
            Next.Clear();
            All.Clear();
            Ids.Clear();
            Seen.Clear();
            Entries.Clear();
            ReadTrees.Clear();
            Found.Release();
            return keep;
        }
    }

    /// <summary>
    /// What one level's read found, position by position: the kind of each object the store holds (null: missing) and a
    /// copy of each tree's bytes (in one buffer shared by the verification's trees); a blob's bytes are not kept.
    /// </summary>
    private sealed class LevelVisitor : IObjectBytesVisitor
    {
        private IReadOnlyList<ObjectId> _ids = [];
        private byte[] _buffer = new byte[64 * 1024];
        private int _used;

        public ObjectKind?[] Kinds { get; private set; } = new ObjectKind?[512];
        public ReadOnlyMemory<byte>[] Trees { get; private set; } = new ReadOnlyMemory<byte>[512];
        public int Capacity => Kinds.Length;
        public int BufferBytes => _buffer.Length;

        /// <summary>Ready for a level of <paramref name="ids"/>. Tree copies of earlier levels stay valid (their names are paths).</summary>
        public void Reset(IReadOnlyList<ObjectId> ids)
        {
            _ids = ids;
            var count = ids.Count;
            if (Kinds.Length < count)
            {
                Kinds = new ObjectKind?[Math.Max(count, Kinds.Length * 2)];
                Trees = new ReadOnlyMemory<byte>[Kinds.Length];
            }
            Array.Clear(Kinds, 0, count);
            Array.Clear(Trees, 0, count);
        }

        /// <summary>Forgets the ids and tree copies (the buffer is reused from its start).</summary>
        public void Release()
        {
            _ids = [];
            _used = 0;
            Array.Clear(Trees);
        }

        public void Visit(int index, ReadOnlySpan<byte> encoded)
        {
            // The reader has checked the bytes against their id and their header: this reads the kind again (one byte).
            var kind = ObjectCodec.ReadKind(_ids[index], encoded);
            Kinds[index] = kind;
            if (kind != ObjectKind.Tree) return;
            if (_buffer.Length - _used < encoded.Length)
            {
                // A new buffer; copies already made stay in the old one, which their slices keep alive.
                _buffer = new byte[Math.Max(encoded.Length, Math.Min(_buffer.Length * 2, 1 << 20))];
                _used = 0;
            }
            encoded.CopyTo(_buffer.AsSpan(_used));
            Trees[index] = _buffer.AsMemory(_used, encoded.Length);
            _used += encoded.Length;
        }
    }

    /// <summary>An object the snapshot verification still has to read: its id, the kind its parent says, where it sits (its name as UTF-8).</summary>
    private readonly record struct Pending(ObjectId Id, ObjectKind Kind, int Parent, ReadOnlyMemory<byte> Name);

    /// <summary>The path of <c>all[index]</c>, built only for a failure message.</summary>
    private static string PathOf(List<Pending> all, int index)
    {
        if (all[index].Parent < 0) return "/";
        var names = new List<string>();
        for (var i = index; all[i].Parent >= 0; i = all[i].Parent) names.Add(System.Text.Encoding.UTF8.GetString(all[i].Name.Span));
        names.Reverse();
        return string.Join('/', names);
    }
}
