using System.Runtime.CompilerServices;

namespace VersionStore.Releases;

/// <summary>
/// Release channels of one repository (one workflow). A channel is the ref <c>refs/channels/&lt;name&gt;</c> that
/// applications follow; publishing moves it by compare-and-swap with an audit entry, so the channel's history is
/// its audit log. Two companion refs, reserved by suffix, sit beside each channel:
/// <list type="bullet">
/// <item><c>refs/channels/&lt;name&gt;.lkg</c> — the last-known-good version: the newest one that passed its observation window.
/// It is the default target of a channel rollback, and GC must keep what it reaches (design invariant 5).</item>
/// <item><c>refs/channels/&lt;name&gt;.guard</c> — the release guard's decision log: every decision is one audit entry
/// (with its evidence as details) of this ref, which always points at the version the channel served at that time.</item>
/// </list>
/// Channel names therefore cannot end with <c>.lkg</c> or <c>.guard</c>. (A '.lock' ending is ruled out by the ref rules anyway.)
/// </summary>
public sealed class ReleaseChannels
{
    /// <summary>Suffix of the last-known-good ref of a channel.</summary>
    public const string LastKnownGoodSuffix = ".lkg";

    /// <summary>Suffix of the guard decision-log ref of a channel.</summary>
    public const string GuardLogSuffix = ".guard";

    /// <summary>Audit operation of a publish.</summary>
    public const string PublishOperation = "publish";

    /// <summary>Audit operation that starts a canary or changes its share (the channel's stable version is unchanged).</summary>
    public const string CanaryOperation = "canary.publish";

    /// <summary>Audit operation that makes the canary the stable version.</summary>
    public const string CanaryPromoteOperation = "canary.promote";

    /// <summary>Audit operation that retires the canary (its rollback: every key runs the stable version again).</summary>
    public const string CanaryRetireOperation = "canary.retire";

    /// <summary>Audit operation of a last-known-good promotion.</summary>
    public const string PromoteOperation = "lkg.promote";

    private const int CasAttempts = 16;

    /// <summary>Creates the channel operations of <paramref name="repository"/>.</summary>
    public ReleaseChannels(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        Repository = repository;
    }

    /// <summary>The repository.</summary>
    public Repository Repository { get; }

    /// <summary>The ref of channel <paramref name="channel"/>.</summary>
    /// <exception cref="InvalidNameException">The name is invalid or ends with a reserved suffix.</exception>
    public static RefName ChannelRef(string channel)
    {
        if (channel is not null && (channel.EndsWith(LastKnownGoodSuffix, StringComparison.Ordinal) || channel.EndsWith(GuardLogSuffix, StringComparison.Ordinal)))
            throw new InvalidNameException(channel, "channel", $"the suffixes '{LastKnownGoodSuffix}' and '{GuardLogSuffix}' are reserved for a channel's companion refs");
        return RefName.Channel(channel!);
    }

    /// <summary>The last-known-good ref of channel <paramref name="channel"/>.</summary>
    public static RefName LastKnownGoodRef(string channel) => RefName.Channel(ChannelRef(channel).ShortName + LastKnownGoodSuffix);

    /// <summary>The guard decision-log ref of channel <paramref name="channel"/>.</summary>
    public static RefName GuardLogRef(string channel) => RefName.Channel(ChannelRef(channel).ShortName + GuardLogSuffix);

    /// <summary>True when <paramref name="name"/> is a channel proper (not a companion ref).</summary>
    public static bool IsChannel(RefName name)
        => name.Kind == RefKind.Channel && !name.ShortName.EndsWith(LastKnownGoodSuffix, StringComparison.Ordinal) && !name.ShortName.EndsWith(GuardLogSuffix, StringComparison.Ordinal);

    /// <summary>
    /// Publishes <paramref name="revision"/> to <paramref name="channel"/> (creating the channel on first publish).
    /// With <paramref name="expectedCurrent"/> the channel must serve exactly that version (<see cref="ObjectId.Zero"/>: must not exist yet).
    /// </summary>
    /// <exception cref="RevisionNotFoundException">The revision names nothing.</exception>
    /// <exception cref="RefConflictException">The channel is not at <paramref name="expectedCurrent"/>, or a concurrent change won.</exception>
    public async Task<AuditEntry> PublishAsync(string channel, string revision, string actor = "unknown", string? reason = null,
        ObjectId? expectedCurrent = null, CancellationToken cancellationToken = default)
    {
        var name = ChannelRef(channel);
        var target = await Repository.ResolveAsync(revision, cancellationToken).ConfigureAwait(false);
        var current = await Repository.TryGetRefAsync(name, cancellationToken).ConfigureAwait(false);
        var expected = expectedCurrent is { } e ? (e.IsZero ? null : e) : current?.Target;
        return await Repository.UpdateRefAsync(name, target, expected, PublishOperation, actor, reason,
            [new Trailer("Version", revision)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The channel's head (stable version), canary and last-known-good version.</summary>
    public async Task<ChannelInfo> GetAsync(string channel, CancellationToken cancellationToken = default)
    {
        var name = ChannelRef(channel);
        var (state, head) = await ReadStateAsync(name, cancellationToken).ConfigureAwait(false);
        var lkg = await Repository.TryGetRefAsync(LastKnownGoodRef(channel), cancellationToken).ConfigureAwait(false);
        DateTimeOffset? changed = null;
        await foreach (var entry in Repository.AuditAsync(name, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Old == entry.New) continue; // completion records and canary changes do not move the stable version
            changed = entry.Time;
            break;
        }
        return new ChannelInfo(name.ShortName, head?.Target, changed, lkg?.Target, head?.Sequence ?? 0) { State = state };
    }

    /// <summary>The channel's state: stable version, canary and its share (<see cref="ChannelState.None"/> when the channel does not exist).</summary>
    public async Task<ChannelState> GetStateAsync(string channel, CancellationToken cancellationToken = default)
        => (await ReadStateAsync(ChannelRef(channel), cancellationToken).ConfigureAwait(false)).State;

    /// <summary>The channel's state with the ref state it was read at (null when the channel does not exist).</summary>
    internal async Task<(ChannelState State, RefState? Ref)> ReadStateWithRefAsync(string channel, CancellationToken cancellationToken)
    {
        var (state, head, entry) = await ReadCoreAsync(ChannelRef(channel), cancellationToken).ConfigureAwait(false);
        return (state, head is null || entry is null ? null : new RefState(head.Target, head.Sequence, entry.Hash));
    }

    private async Task<(ChannelState State, RefInfo? Head)> ReadStateAsync(RefName name, CancellationToken cancellationToken)
    {
        var (state, head, _) = await ReadCoreAsync(name, cancellationToken).ConfigureAwait(false);
        return (state, head);
    }

    private async Task<(ChannelState State, RefInfo? Head, AuditEntry? Entry)> ReadCoreAsync(RefName name, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var head = await Repository.TryGetRefAsync(name, cancellationToken).ConfigureAwait(false);
            if (head is null) return (ChannelState.None, null, null);
            AuditEntry? newest = null;
            await foreach (var entry in Repository.Store.Refs.ReadAuditAsync(Repository.Name, name, head.Sequence + 1, cancellationToken).ConfigureAwait(false))
            {
                newest = entry;
                break;
            }
            if (newest?.Sequence == head.Sequence) return (ChannelState.From(head.Target, head.Sequence, newest), head, newest);
            if (attempt >= CasAttempts) throw new CorruptObjectException(null, $"channel {name.ShortName} of '{Repository.Name.Value}' has no audit entry for its sequence {head.Sequence}");
        }
    }

    /// <summary>
    /// Gray release: serves <paramref name="revision"/> to <paramref name="percent"/> % of the keys (0–100, two decimals)
    /// beside the stable version, in one audited compare-and-swap. 100 publishes it as the stable version (retiring any
    /// canary); 0 retires it when it is the canary. Changing the share of the current canary keeps its rollout id, so a
    /// key that got the canary keeps it while the share only grows. Starting a new canary replaces the old one.
    /// </summary>
    /// <exception cref="RevisionNotFoundException">The revision names nothing, or (below 100 %) the channel has no stable version yet.</exception>
    /// <exception cref="InvalidRequestException">0 % of a version that is not the canary, or a canary equal to the stable version.</exception>
    /// <exception cref="RefConflictException">A concurrent change of the channel won.</exception>
    public async Task<AuditEntry> PublishAsync(string channel, string revision, double percent, string actor = "unknown", string? reason = null,
        CancellationToken cancellationToken = default)
    {
        var bp = ChannelState.ToBasisPoints(percent);
        if (bp == ChannelState.FullBasisPoints) return await PublishAsync(channel, revision, actor, reason, null, cancellationToken).ConfigureAwait(false);
        var name = ChannelRef(channel);
        var target = await Repository.ResolveAsync(revision, cancellationToken).ConfigureAwait(false);
        var state = await GetStateAsync(channel, cancellationToken).ConfigureAwait(false);
        if (state.Stable is not { } stable)
            throw new RevisionNotFoundException(Repository.Name.Value, name.FullName, $"channel '{name.ShortName}' has no stable version yet; publish one at 100 % first");
        if (bp == 0)
        {
            if (state.Canary != target)
                throw new InvalidRequestException($"{target.ToString(12)} is not the canary of channel '{name.ShortName}'; nothing to retire at 0 %.");
            return await RetireCanaryAsync(channel, actor, reason, null, state.Sequence, cancellationToken).ConfigureAwait(false);
        }
        if (target == stable) throw new InvalidRequestException($"{target.ToString(12)} is already the stable version of channel '{name.ShortName}'.");
        var next = new ChannelState
        {
            Stable = stable,
            Canary = target,
            CanaryBasisPoints = bp,
            RolloutId = state.Canary == target ? state.RolloutId : ChannelState.NewRolloutId(name.ShortName, target, state.Sequence + 1),
        };
        return await Repository.UpdateRefAsync(name, stable, state.Sequence, CanaryOperation, actor, reason,
            [new Trailer("Version", revision), .. next.ToDetails()], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes the canary the stable version (every key runs it; the guard then observes it until it becomes last-known-good), in one audited compare-and-swap.</summary>
    /// <exception cref="InvalidRequestException">The channel has no canary.</exception>
    /// <exception cref="RefConflictException">A concurrent change of the channel won.</exception>
    public async Task<AuditEntry> PromoteAsync(string channel, string actor = "unknown", string? reason = null, CancellationToken cancellationToken = default)
    {
        var name = ChannelRef(channel);
        var state = await GetStateAsync(channel, cancellationToken).ConfigureAwait(false);
        if (state.Canary is not { } canary) throw new InvalidRequestException($"Channel '{name.ShortName}' has no canary to promote.");
        return await Repository.UpdateRefAsync(name, canary, state.Sequence, CanaryPromoteOperation, actor, reason,
            [new Trailer("Version", canary.ToString()), new Trailer("Previous-Stable", state.Stable?.ToString() ?? "")], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Retires the canary — every key runs the stable version again — in one audited compare-and-swap; <paramref name="details"/> carry evidence.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="actor">Who.</param>
    /// <param name="reason">Why.</param>
    /// <param name="details">Extra evidence for the audit entry.</param>
    /// <param name="expectedSequence">Retire only if the channel is still at this audit sequence (null: the current state).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="InvalidRequestException">The channel has no canary.</exception>
    /// <exception cref="RefConflictException">The channel moved since <paramref name="expectedSequence"/>.</exception>
    public async Task<AuditEntry> RetireCanaryAsync(string channel, string actor = "unknown", string? reason = null, IReadOnlyList<Trailer>? details = null,
        long? expectedSequence = null, CancellationToken cancellationToken = default)
    {
        var name = ChannelRef(channel);
        var state = await GetStateAsync(channel, cancellationToken).ConfigureAwait(false);
        if (expectedSequence is { } seq && seq != state.Sequence)
            throw new RefConflictException(Repository.Name.Value, name, state.Stable, state.Stable, $"the channel moved (sequence {state.Sequence}, expected {seq})");
        if (state.Canary is not { } canary) throw new InvalidRequestException($"Channel '{name.ShortName}' has no canary to retire.");
        return await Repository.UpdateRefAsync(name, state.Stable, state.Sequence, CanaryRetireOperation, actor, reason,
            [new Trailer("Retired-Canary", canary.ToString()), .. details ?? []], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The channels of the repository (companion refs excluded), in ordinal order.</summary>
    public async IAsyncEnumerable<RefInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var r in Repository.ListRefsAsync(RefKind.Channel, cancellationToken).ConfigureAwait(false))
            if (IsChannel(r.Name)) yield return r;
    }

    /// <summary>The channel's history: its audit log, newest first (publishes, rollbacks, compensations).</summary>
    public IAsyncEnumerable<AuditEntry> HistoryAsync(string channel, CancellationToken cancellationToken = default)
        => Repository.AuditAsync(ChannelRef(channel), cancellationToken);

    /// <summary>The guard's decision log of the channel, newest first.</summary>
    public IAsyncEnumerable<AuditEntry> GuardLogAsync(string channel, CancellationToken cancellationToken = default)
        => Repository.AuditAsync(GuardLogRef(channel), cancellationToken);

    /// <summary>Marks <paramref name="version"/> as the channel's last-known-good (no-op when it already is).</summary>
    public async Task<AuditEntry?> MarkLastKnownGoodAsync(string channel, ObjectId version, string actor, string? reason = null,
        IReadOnlyList<Trailer>? details = null, CancellationToken cancellationToken = default)
    {
        var name = LastKnownGoodRef(channel);
        for (var attempt = 0; ; attempt++)
        {
            var current = await Repository.TryGetRefAsync(name, cancellationToken).ConfigureAwait(false);
            if (current?.Target == version) return null;
            try
            {
                return await Repository.UpdateRefAsync(name, version, current?.Target, PromoteOperation, actor, reason, details, cancellationToken).ConfigureAwait(false);
            }
            catch (RefConflictException) when (attempt < CasAttempts) { }
        }
    }

    /// <summary>
    /// Rolls the channel back, by default to its last-known-good version and in <see cref="RollbackMode.Reset"/> mode
    /// (the channel then serves the very version id that passed its window). Transactional as
    /// <see cref="Repository.RollbackAsync"/>: checked before the move, verified after, undone on failure.
    /// </summary>
    /// <exception cref="RevisionNotFoundException">The channel does not exist, or no target was given and it has no last-known-good version.</exception>
    /// <exception cref="RefConflictException">The channel is not at <paramref name="expectedHead"/>, or a concurrent change won.</exception>
    public async Task<RollbackResult> RollbackAsync(string channel, string? target, string reason, string actor = "unknown", ObjectId? expectedHead = null,
        RollbackMode mode = RollbackMode.Reset, IReadOnlyList<IRollbackVerifier>? verifiers = null, CancellationToken cancellationToken = default)
        => await RollbackAsync(channel, target, reason, actor, expectedHead, mode, verifiers, details: null, cancellationToken).ConfigureAwait(false);

    /// <summary>As the overload without <paramref name="details"/>, recording <paramref name="details"/> (evidence) in the move's audit entry.</summary>
    public async Task<RollbackResult> RollbackAsync(string channel, string? target, string reason, string actor, ObjectId? expectedHead,
        RollbackMode mode, IReadOnlyList<IRollbackVerifier>? verifiers, IReadOnlyList<Trailer>? details, CancellationToken cancellationToken = default)
    {
        var name = ChannelRef(channel);
        if (string.IsNullOrWhiteSpace(target))
        {
            var lkg = await Repository.TryGetRefAsync(LastKnownGoodRef(channel), cancellationToken).ConfigureAwait(false)
                ?? throw new RevisionNotFoundException(Repository.Name.Value, LastKnownGoodRef(channel).FullName, $"channel '{channel}' has no last-known-good version yet; name a target");
            target = lkg.Target.ToString();
        }
        return await Repository.RollbackAsync(new RollbackRequest
        {
            Ref = name,
            Target = target,
            Reason = reason,
            Actor = actor,
            ExpectedHead = expectedHead,
            Mode = mode,
            Verifiers = verifiers ?? [],
            Details = details ?? [],
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends a decision to the channel's guard log (<see cref="GuardLogRef"/>): one audit entry, hash-chained, whose
    /// details carry the evidence. The log ref points at what the channel serves at that moment. Retries lost races.
    /// </summary>
    /// <returns>The entry, or null when the channel does not exist (nothing to point the log at).</returns>
    public async Task<AuditEntry?> RecordDecisionAsync(string channel, string operation, string actor, string reason, IReadOnlyList<Trailer> details,
        CancellationToken cancellationToken = default)
    {
        var log = GuardLogRef(channel);
        for (var attempt = 0; ; attempt++)
        {
            var head = await Repository.TryGetRefAsync(ChannelRef(channel), cancellationToken).ConfigureAwait(false);
            if (head is null) return null;
            var current = await Repository.TryGetRefAsync(log, cancellationToken).ConfigureAwait(false);
            try
            {
                return await Repository.UpdateRefAsync(log, head.Target, current?.Target, operation, actor, reason, details, cancellationToken).ConfigureAwait(false);
            }
            catch (RefConflictException) when (attempt < CasAttempts) { }
        }
    }
}
