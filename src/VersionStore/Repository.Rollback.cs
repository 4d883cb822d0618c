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
    /// <exception cref="InvalidOperationArgumentException">The ref is a tag, or the reason is empty.</exception>
    public async Task<RollbackResult> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Clock.GetTimestamp();
        using var activity = VersionStoreDiagnostics.ActivitySource.StartActivity("vstore.rollback");
        if (request.Ref.Kind == RefKind.Tag) throw new InvalidOperationArgumentException($"Tags are immutable; roll back a branch or a channel, not {request.Ref}.");
        if (string.IsNullOrWhiteSpace(request.Reason)) throw new InvalidOperationArgumentException("A rollback needs a reason.");
        CheckText("Reason", request.Reason);
        CheckText("Actor", request.Actor);

        var state = await Store.Refs.TryGetRefAsync(Name, request.Ref, cancellationToken).ConfigureAwait(false);
        if (state?.Target is not { } from) throw new RevisionNotFoundException(Name.Value, request.Ref.FullName, "no such branch or channel");
        if (request.ExpectedHead is { } expected && expected != from) throw Conflict(request.Ref, expected, from, "stale expected head");

        var targetId = await ResolveAsync(request.Target, cancellationToken).ConfigureAwait(false);
        var target = await Reader.GetCommitAsync(targetId, cancellationToken).ConfigureAwait(false);
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
        };
        ObjectId newHead;
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
            var encoded = ObjectCodec.EncodeCommit(target.Tree, [from], head.Generation + 1, timestamp, request.Actor, message, trailers);
            newHead = ObjectId.Compute(encoded);
            await Store.Objects.WriteAsync([new EncodedObject(newHead, encoded)], cancellationToken).ConfigureAwait(false);
            Reader.Remember(newHead, ObjectCodec.DecodeCommit(newHead, encoded));
        }
        else
        {
            newHead = targetId;
        }

        var moved = await CompareAndSwapAsync(request.Ref, state, newHead, request.Mode == RollbackMode.Revert ? "rollback.revert" : "rollback.reset",
            request.Actor, request.Reason, details, cancellationToken).ConfigureAwait(false);
        var effective = Clock.GetUtcNow();

        // After the move: user verifiers; a failure moves the ref back.
        var checks = 1;
        string? failure = null;
        if (request.Verifiers.Count > 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(request.VerifierTimeout);
            foreach (var verifier in request.Verifiers)
            {
                checks++;
                try
                {
                    failure = await verifier.VerifyAsync(this, target, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"verifier {verifier.GetType().Name} timed out after {request.VerifierTimeout.TotalMilliseconds:0} ms";
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failure = $"verifier {verifier.GetType().Name} threw {e.GetType().Name}: {e.Message}";
                }
                if (failure is not null) break;
            }
        }

        if (failure is not null)
        {
            Log.RollbackVerificationFailed(Store.Logger, Name.Value, request.Ref.FullName, targetId, failure);
            await CompareAndSwapAsync(request.Ref, moved, from, "rollback.compensate", request.Actor, "verification failed: " + failure,
                [new Trailer(WellKnownTrailers.RollbackOf, targetId.ToString())], CancellationToken.None).ConfigureAwait(false);
            return Finish(RollbackStatus.Compensated, from, from, null, new VerificationOutcome(false, checks, objectsVerified, failure));
        }

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

    /// <summary>Reads every tree and blob of a snapshot and checks each against its id. Returns the first failure, if any.</summary>
    internal async Task<(string? Failure, int Objects)> VerifySnapshotAsync(ObjectId rootTree, CancellationToken cancellationToken)
    {
        var count = 0;
        var stack = new Stack<(ObjectId Id, ObjectKind Kind, string Path)>();
        stack.Push((rootTree, ObjectKind.Tree, "/"));
        var seen = new HashSet<ObjectId>();
        while (stack.Count > 0)
        {
            var (id, kind, path) = stack.Pop();
            if (!seen.Add(id)) continue;
            try
            {
                var data = await Reader.TryReadVerifiedAsync(id, cancellationToken).ConfigureAwait(false);
                if (data is null) return ($"{kind.ToString().ToLowerInvariant()} {id} at '{path}' is missing", count);
                count++;
                var actual = ObjectCodec.ReadKind(id, data.Value.Span);
                if (actual != kind) return ($"object {id} at '{path}' is a {actual}, not a {kind}", count);
                if (kind == ObjectKind.Tree)
                    foreach (var e in ObjectCodec.DecodeTree(id, data.Value.Span))
                        stack.Push((e.Id, e.Kind, path == "/" ? e.Name : path + "/" + e.Name));
            }
            catch (CorruptObjectException e)
            {
                return (e.Message, count);
            }
        }
        return (null, count);
    }
}
