using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// An <see cref="IObjectStore"/> composed of tiers, hot → warm → cold (see <see cref="TierRole"/>), with one
/// durable tier as the commit point.
/// <list type="bullet">
/// <item><b>Reads</b> come from the nearest tier that holds the object, verified against its id. A corrupt copy is
/// counted, logged and skipped; the good copy found farther out is written back into the tiers that missed or held
/// the corrupt copy (repair and promotion, invariant 1). No good copy anywhere: <see cref="CorruptObjectException"/>
/// naming the id and the tiers; not held anywhere: <c>null</c> (<see cref="ReadAsync"/> throws
/// <see cref="ObjectNotFoundException"/>).</item>
/// <item><b>Writes</b> are acknowledged when the durable tier has them (invariant 2), then written through to the
/// cache tiers (best effort). With an archive tier, the ids are first appended to the <see cref="IOutbox"/>, so the
/// <see cref="ArchiverService"/> copies them to the archive later; nothing waits on the archive.</item>
/// <item>A non-durable tier that fails (<see cref="BackendUnavailableException"/>) is skipped by a circuit breaker
/// for a cooldown. The durable tier's failures are never hidden.</item>
/// <item><see cref="DemoteAsync"/> evicts from cache tiers only objects the durable tier is verified to hold (invariant 4).</item>
/// </list>
/// Metrics: the <c>vstore.tiered.*</c> instruments of the core Meter (<see cref="VersionStoreDiagnostics.Name"/>) with a <c>tier</c> tag; <see cref="GetStatistics()"/> per instance.
/// </summary>
public sealed class TieredObjectStore : IObjectStore, IBatchObjectStore, IAtomicCommitStore, IVerifyingObjectStore, ISweepableObjectStore
{
    private readonly TierState[] _tiers;
    private readonly TierState _durable;
    private readonly TierState? _archive;
    private readonly TieredObjectStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ObjectId, int> _inFlight = new();

    /// <summary>Creates the store.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public TieredObjectStore(TieredObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("VersionStore.Tiered");
        _tiers = [.. options.Tiers.Select(t => new TierState(t, options, _logger))];
        _durable = _tiers.Single(t => t.IsDurable);
        _archive = _tiers.SingleOrDefault(t => t.Tier.Role == TierRole.Archive);
        Outbox = _archive is null ? null : options.ArchiveOutbox;
    }

    /// <inheritdoc />
    /// <remarks>True with <see cref="TieredObjectStoreOptions.VerifyReads"/> (the default): every tier's copy is verified here or by the tier itself.</remarks>
    public bool ReturnsVerifiedBytes => _options.VerifyReads;

    /// <summary>The tiers, nearest first.</summary>
    public IReadOnlyList<StorageTier> Tiers => [.. _tiers.Select(t => t.Tier)];

    /// <summary>The commit point: a write is acknowledged when this tier has it.</summary>
    public StorageTier DurableTier => _durable.Tier;

    /// <summary>The archive tier, if any.</summary>
    public StorageTier? ArchiveTier => _archive?.Tier;

    /// <summary>The outbox of objects still to be archived (null without an archive tier).</summary>
    public IOutbox? Outbox { get; }

    internal TimeProvider TimeProvider => _options.TimeProvider;
    internal ILoggerFactory LoggerFactory => _options.LoggerFactory;

    /// <summary>Counters of every tier, nearest first.</summary>
    public IReadOnlyList<TierStatistics> GetStatistics() => [.. _tiers.Select(t => t.Statistics)];

    /// <summary>Counters of the tier named <paramref name="tier"/>.</summary>
    public TierStatistics GetStatistics(string tier) => _tiers.Single(t => t.Name == tier).Statistics;

    // ---------------------------------------------------------------- reads

    /// <inheritdoc />
    /// <exception cref="CorruptObjectException">Every tier that holds the object holds a corrupt copy.</exception>
    /// <exception cref="BackendUnavailableException">No reachable tier holds it and the durable tier failed.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        List<(TierState Tier, bool Corrupt)>? toFill = null;
        List<string>? corruptIn = null;
        Exception? durableFailure = null;
        foreach (var t in _tiers)
        {
            if (!t.Allow()) continue;
            var started = Stopwatch.GetTimestamp();
            ReadOnlyMemory<byte>? data;
            try
            {
                data = await t.Store.TryReadAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (BackendUnavailableException e)
            {
                t.Failed("read", e);
                if (t.IsDurable) durableFailure = e;
                continue;
            }
            catch (CorruptObjectException e)
            {
                // Backends that verify by themselves (S3 packs) report a bad copy this way.
                t.Succeeded();
                t.Corrupt(id, e.Message);
                (corruptIn ??= []).Add(t.Name);
                (toFill ??= []).Add((t, true));
                continue;
            }
            t.Succeeded();
            if (data is null)
            {
                t.Miss(started);
                if (t.IsCache && t.Tier.PromoteOnRead) (toFill ??= []).Add((t, false));
                continue;
            }
            // Verified once: a tier that verified by itself (S3 packs) is trusted; the others are checked here.
            if (_options.VerifyReads && !t.ReturnsVerifiedBytes && VerifyProblem(id, data.Value.Span) is { } problem)
            {
                t.Corrupt(id, problem);
                (corruptIn ??= []).Add(t.Name);
                (toFill ??= []).Add((t, true));
                continue;
            }
            t.Hit(started);
            if (toFill is not null) await FillAsync(toFill, new EncodedObject(id, data.Value), t, cancellationToken).ConfigureAwait(false);
            return data;
        }
        if (corruptIn is not null)
        {
            throw new CorruptObjectException(id, $"no tier holds a good copy (corrupt in {string.Join(", ", corruptIn)}" +
                (durableFailure is null ? ")" : $"; durable tier {_durable.Name} unavailable)"), durableFailure);
        }
        if (durableFailure is not null)
            throw new BackendUnavailableException(_durable.Name, $"object {id} is in no reachable tier and the durable tier failed: {durableFailure.Message}", durableFailure);
        return null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each tier, nearest first, is asked in one batch (<see cref="IBatchObjectStore"/> where the tier has it) for the ids
    /// no nearer tier answered with a good copy; every copy is verified once, as in <see cref="TryReadAsync"/>. Good copies
    /// found farther out are written back into the tiers that missed or held a corrupt copy — one write per tier.
    /// </remarks>
    /// <exception cref="CorruptObjectException">Every tier that holds one of the objects holds a corrupt copy.</exception>
    /// <exception cref="BackendUnavailableException">An object is in no reachable tier and the durable tier failed.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        if (ids.Count == 0) return result;
        var pending = new List<ObjectId>(ids.Count);
        var distinct = new HashSet<ObjectId>(ids.Count);
        foreach (var id in ids)
            if (distinct.Add(id)) pending.Add(id);
        var good = new Dictionary<ObjectId, (ReadOnlyMemory<byte> Data, TierState Source)>(pending.Count);
        Dictionary<ObjectId, List<(TierState Tier, bool Corrupt)>>? toFill = null;
        Dictionary<ObjectId, List<string>>? corruptIn = null;
        Exception? durableFailure = null;
        foreach (var t in _tiers)
        {
            if (pending.Count == 0) break;
            if (!t.Allow()) continue;
            var started = Stopwatch.GetTimestamp();
            ReadOnlyMemory<byte>?[] found;
            string?[]? corrupt;
            try
            {
                (found, corrupt) = await ReadManyFromAsync(t, pending, cancellationToken).ConfigureAwait(false);
            }
            catch (BackendUnavailableException e)
            {
                t.Failed("read", e);
                if (t.IsDurable) durableFailure = e;
                continue;
            }
            t.Succeeded();
            var missing = new List<ObjectId>();
            for (var k = 0; k < pending.Count; k++)
            {
                var id = pending[k];
                var problem = corrupt?[k];
                if (problem is null && found[k] is { } data)
                {
                    if (_options.VerifyReads && !t.ReturnsVerifiedBytes) problem = VerifyProblem(id, data.Span);
                    if (problem is null)
                    {
                        t.Hit(started);
                        good[id] = (data, t);
                        continue;
                    }
                }
                missing.Add(id);
                if (problem is not null)
                {
                    t.Corrupt(id, problem);
                    AddTo(ref corruptIn, id, t.Name);
                    AddTo(ref toFill, id, (t, true));
                }
                else
                {
                    t.Miss(started);
                    if (t.IsCache && t.Tier.PromoteOnRead) AddTo(ref toFill, id, (t, false));
                }
            }
            pending = missing;
        }
        if (toFill is not null) await FillManyAsync(toFill, good, cancellationToken).ConfigureAwait(false);
        foreach (var id in pending)
        {
            if (corruptIn is not null && corruptIn.TryGetValue(id, out var tiers))
            {
                throw new CorruptObjectException(id, $"no tier holds a good copy (corrupt in {string.Join(", ", tiers)}" +
                    (durableFailure is null ? ")" : $"; durable tier {_durable.Name} unavailable)"), durableFailure);
            }
        }
        if (durableFailure is not null && pending.Count > 0)
            throw new BackendUnavailableException(_durable.Name, $"object {pending[0]} is in no reachable tier and the durable tier failed: {durableFailure.Message}", durableFailure);
        for (var i = 0; i < result.Length; i++)
            if (good.TryGetValue(ids[i], out var g)) result[i] = g.Data;
        return result;
    }

    private static void AddTo<T>(ref Dictionary<ObjectId, List<T>>? map, ObjectId id, T value)
    {
        map ??= [];
        if (!map.TryGetValue(id, out var list)) map[id] = list = [];
        list.Add(value);
    }

    /// <summary>
    /// One batch read from a tier. A tier that verifies by itself (S3 packs) reports a bad copy by throwing for the whole
    /// batch; the batch is then read again id by id (a rare path) to learn which copies are bad and keep the good ones.
    /// </summary>
    private static async ValueTask<(ReadOnlyMemory<byte>?[] Data, string?[]? Corrupt)> ReadManyFromAsync(TierState tier, List<ObjectId> ids, CancellationToken cancellationToken)
    {
        try
        {
            return (await tier.Store.TryReadManyAsync(ids, cancellationToken).ConfigureAwait(false), null);
        }
        catch (CorruptObjectException)
        {
        }
        var data = new ReadOnlyMemory<byte>?[ids.Count];
        var corrupt = new string?[ids.Count];
        for (var k = 0; k < ids.Count; k++)
        {
            try
            {
                data[k] = await tier.Store.TryReadAsync(ids[k], cancellationToken).ConfigureAwait(false);
            }
            catch (CorruptObjectException e)
            {
                corrupt[k] = e.Message;
            }
        }
        return (data, corrupt);
    }

    /// <summary>Batch form of <see cref="FillAsync"/>: one write per target tier of every good copy it missed or held corrupt.</summary>
    private async ValueTask FillManyAsync(Dictionary<ObjectId, List<(TierState Tier, bool Corrupt)>> toFill, Dictionary<ObjectId, (ReadOnlyMemory<byte> Data, TierState Source)> good, CancellationToken cancellationToken)
    {
        var byTier = new Dictionary<TierState, List<(EncodedObject Object, bool Corrupt, TierState Source)>>();
        foreach (var (id, targets) in toFill)
        {
            if (!good.TryGetValue(id, out var g)) continue;
            foreach (var (t, corrupt) in targets)
            {
                if (!byTier.TryGetValue(t, out var list)) byTier[t] = list = [];
                list.Add((new EncodedObject(id, g.Data), corrupt, g.Source));
            }
        }
        foreach (var (t, list) in byTier)
        {
            try
            {
                if (t.Store is IObjectEviction eviction)
                {
                    foreach (var (o, corrupt, _) in list)
                        if (corrupt) await eviction.TryEvictAsync(o.Id, cancellationToken).ConfigureAwait(false);
                }
                await t.Store.WriteAsync([.. list.Select(x => x.Object)], cancellationToken).ConfigureAwait(false);
                t.Promoted(list.Count);
                foreach (var (o, corrupt, source) in list)
                    if (corrupt) TieredLog.Repaired(_logger, o.Id.ToString(), t.Name, source.Name);
            }
            catch (Exception e) when (e is BackendUnavailableException or CorruptObjectException or IOException)
            {
                t.Failed("repair/promote", e);
                TieredLog.CopyFailed(_logger, t.Name, e.Message);
            }
        }
    }

    /// <summary>Reads a verified object.</summary>
    /// <exception cref="ObjectNotFoundException">No tier holds it.</exception>
    /// <exception cref="CorruptObjectException">Every tier that holds it holds a corrupt copy.</exception>
    /// <exception cref="BackendUnavailableException">No reachable tier holds it and the durable tier failed.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        => await TryReadAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, "in no tier");

    private static string? VerifyProblem(ObjectId id, ReadOnlySpan<byte> data)
    {
        try
        {
            ObjectCodec.Verify(id, data);
            return null;
        }
        catch (CorruptObjectException e)
        {
            return e.Message;
        }
    }

    /// <summary>Writes the good copy into the tiers that missed it (promotion) or held a corrupt copy (repair).</summary>
    private async ValueTask FillAsync(List<(TierState Tier, bool Corrupt)> targets, EncodedObject good, TierState source, CancellationToken cancellationToken)
    {
        foreach (var (t, corrupt) in targets)
        {
            try
            {
                if (corrupt && t.Store is IObjectEviction eviction) await eviction.TryEvictAsync(good.Id, cancellationToken).ConfigureAwait(false);
                await t.Store.WriteAsync([good], cancellationToken).ConfigureAwait(false);
                t.Promoted(1);
                if (corrupt) TieredLog.Repaired(_logger, good.Id.ToString(), t.Name, source.Name);
            }
            catch (Exception e) when (e is BackendUnavailableException or CorruptObjectException or IOException)
            {
                t.Failed("repair/promote", e);
                TieredLog.CopyFailed(_logger, t.Name, e.Message);
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="BackendUnavailableException">No reachable tier holds it and the durable tier failed.</exception>
    public async ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        Exception? durableFailure = null;
        foreach (var t in _tiers)
        {
            if (!t.Allow()) continue;
            try
            {
                var held = await t.Store.ContainsAsync(id, cancellationToken).ConfigureAwait(false);
                t.Succeeded();
                if (held) return true;
            }
            catch (BackendUnavailableException e)
            {
                t.Failed("contains", e);
                if (t.IsDurable) durableFailure = e;
            }
        }
        if (durableFailure is not null)
            throw new BackendUnavailableException(_durable.Name, $"cannot tell whether object {id} is stored: {durableFailure.Message}", durableFailure);
        return false;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Asks the durable tier (every object of a cache tier is also there, since writes go to the durable tier first);
    /// when it fails, the archive and then the cache tiers answer what they can.
    /// </remarks>
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hexPrefix);
        if (limit <= 0) yield break;
        var seen = new HashSet<ObjectId>();
        Exception? durableFailure = null;
        IEnumerable<TierState> order = [_durable, .. _tiers.Where(t => !t.IsDurable).Reverse()];
        foreach (var t in order)
        {
            if (durableFailure is null && !t.IsDurable) break; // the durable tier answered: it is complete
            if (!t.Allow()) continue;
            var enumerator = t.Store.FindByPrefixAsync(hexPrefix, limit, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (BackendUnavailableException e)
                    {
                        t.Failed("find", e);
                        if (t.IsDurable) durableFailure = e;
                        break;
                    }
                    if (!more) break;
                    if (!seen.Add(enumerator.Current)) continue;
                    yield return enumerator.Current;
                    if (seen.Count >= limit) yield break;
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // ---------------------------------------------------------------- writes

    /// <inheritdoc />
    /// <remarks>
    /// Order: outbox (when archiving) → durable tier (the acknowledgement) → cache tiers (best effort). A failure of
    /// the outbox or the durable tier propagates: the write is not acknowledged. A cache failure is logged and counted.
    /// </remarks>
    /// <exception cref="BackendUnavailableException">The durable tier or the outbox failed; the write is not acknowledged.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        cancellationToken.ThrowIfCancellationRequested();
        if (objects.Count == 0) return;
        await WriteCoreAsync(objects, static (store, o, _, ct) => AsBool(store.WriteAsync(o, ct)), null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>True when the durable tier is an <see cref="IAtomicCommitStore"/> holding those refs (embedded RocksDB): the capability is forwarded.</remarks>
    public bool IsAtomicWith(IRefStore refStore) => _durable.Store is IAtomicCommitStore atomic && atomic.IsAtomicWith(refStore);

    /// <inheritdoc />
    /// <remarks>
    /// Forwarded to the durable tier's one atomic write, with the same order as <see cref="WriteAsync"/> around it:
    /// outbox first (when archiving), then the durable tier's objects + ref + audit entry, then the cache tiers.
    /// </remarks>
    /// <exception cref="NotSupportedException">The durable tier has no atomic commit (check <see cref="IsAtomicWith"/>).</exception>
    public async ValueTask<bool> WriteObjectsAndTryUpdateRefAsync(IReadOnlyList<EncodedObject> objects, RefUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(update);
        cancellationToken.ThrowIfCancellationRequested();
        if (_durable.Store is not IAtomicCommitStore)
            throw new NotSupportedException($"The durable tier '{_durable.Name}' cannot write objects and a ref in one write.");
        return await WriteCoreAsync(objects, static (store, o, u, ct) => ((IAtomicCommitStore)store).WriteObjectsAndTryUpdateRefAsync(o, u!, ct), update, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<bool> AsBool(ValueTask write)
    {
        await write.ConfigureAwait(false);
        return true;
    }

    private async ValueTask<bool> WriteCoreAsync(IReadOnlyList<EncodedObject> objects, Func<IObjectStore, IReadOnlyList<EncodedObject>, RefUpdate?, CancellationToken, ValueTask<bool>> durableWrite,
        RefUpdate? update, CancellationToken cancellationToken)
    {
        if (Outbox is not null)
        {
            foreach (var o in objects) _inFlight.AddOrUpdate(o.Id, 1, static (_, n) => n + 1);
        }
        bool result;
        try
        {
            if (Outbox is not null && objects.Count > 0)
            {
                var ids = new ObjectId[objects.Count];
                for (var i = 0; i < ids.Length; i++) ids[i] = objects[i].Id;
                await Outbox.AppendAsync(ids, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                result = await durableWrite(_durable.Store, objects, update, cancellationToken).ConfigureAwait(false);
                _durable.Succeeded();
            }
            catch (BackendUnavailableException e)
            {
                _durable.Failed("write", e);
                throw;
            }
        }
        finally
        {
            if (Outbox is not null)
            {
                foreach (var o in objects)
                    if (_inFlight.AddOrUpdate(o.Id, 0, static (_, n) => n - 1) <= 0) _inFlight.TryRemove(new KeyValuePair<ObjectId, int>(o.Id, 0));
            }
        }
        if (objects.Count == 0) return result;
        foreach (var t in _tiers)
        {
            if (!t.IsCache || !t.Tier.WriteThrough || !t.Allow()) continue;
            try
            {
                await t.Store.WriteAsync(objects, cancellationToken).ConfigureAwait(false);
                t.Succeeded();
            }
            catch (BackendUnavailableException e)
            {
                t.Failed("write-through", e);
            }
        }
        return result;
    }

    /// <summary>True while a write of <paramref name="id"/> has been put in the outbox but not yet acknowledged by the durable tier.</summary>
    internal bool IsWriteInFlight(ObjectId id) => _inFlight.ContainsKey(id);

    // ---------------------------------------------------------------- garbage collection

    /// <inheritdoc />
    /// <remarks>
    /// Lists the durable tier and the archive (the tiers that hold every object); an object's write time is its newest in
    /// either. Caches are not listed: they hold copies only.
    /// </remarks>
    /// <exception cref="InvalidRequestException">The durable tier cannot be swept.</exception>
    public async IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var merged = new Dictionary<ObjectId, StoredObjectInfo>();
        foreach (var t in new[] { _durable, _archive })
        {
            if (t is null) continue;
            if (t.Store is not ISweepableObjectStore sweepable)
                throw new InvalidRequestException($"Tier {t.Name} ({t.Store.GetType().Name}) cannot be garbage collected: it does not implement {nameof(ISweepableObjectStore)}.");
            await foreach (var o in sweepable.ListObjectsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (merged.TryGetValue(o.Id, out var seen))
                {
                    var newer = (seen.WrittenAt ?? DateTimeOffset.MinValue) >= (o.WrittenAt ?? DateTimeOffset.MinValue) ? seen.WrittenAt : o.WrittenAt;
                    merged[o.Id] = seen with { WrittenAt = newer, Bytes = Math.Max(seen.Bytes, o.Bytes) };
                }
                else merged[o.Id] = o;
            }
        }
        foreach (var o in merged.Values) yield return o;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Cache tiers first (their copies are dropped: sweepable caches by their own delete, others through
    /// <see cref="IObjectEviction"/>), then the durable tier, then the archive — so a crash part-way never leaves a cache
    /// as the only holder of something the durable tier still has, and each tier applies the cut-off itself.
    /// </remarks>
    public async ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var results = new List<TierSweepResult>();
        foreach (var t in _tiers.Where(t => t.IsCache).Concat([_durable]).Concat(_archive is null ? [] : [_archive]))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long count = 0, bytes = 0;
            try
            {
                if (t.Store is ISweepableObjectStore sweepable)
                {
                    foreach (var r in await sweepable.DeleteObjectsAsync(ids, writtenBefore, cancellationToken).ConfigureAwait(false))
                    {
                        count += r.ObjectsDeleted;
                        bytes += r.BytesFreed;
                    }
                }
                else if (t.Store is IObjectEviction eviction && t.IsCache)
                {
                    foreach (var id in ids)
                        if (await eviction.TryEvictAsync(id, cancellationToken).ConfigureAwait(false)) count++;
                }
                else if (!t.IsCache)
                {
                    throw new InvalidRequestException($"Tier {t.Name} ({t.Store.GetType().Name}) cannot be garbage collected: it does not implement {nameof(ISweepableObjectStore)}.");
                }
            }
            catch (BackendUnavailableException e) when (t.IsCache)
            {
                t.Failed("sweep", e); // a cache that cannot be reached keeps stale copies until their TTL; the durable tier decides
            }
            results.Add(new TierSweepResult(t.Name, count, bytes));
        }
        return results;
    }

    // ---------------------------------------------------------------- demotion

    /// <summary>
    /// Evicts objects from cache tiers by age and last access (<paramref name="policy"/>): for each candidate, the
    /// durable tier's copy is read and verified; when it is missing or corrupt, the cache's copy is verified, written
    /// to the durable tier and read back verified; only then is the cache copy evicted (invariant 4: copy, verify,
    /// evict). A candidate without a verified durable copy is kept. Only tiers implementing
    /// <see cref="IObjectEviction"/> and <see cref="IAccessTrackingTier"/> are demoted.
    /// </summary>
    public async Task<DemotionResult> DemoteAsync(DemotionPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        int evicted = 0, copied = 0, kept = 0;
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var t in _tiers)
        {
            if (!t.IsCache || t.Store is not IObjectEviction eviction || t.Store is not IAccessTrackingTier tracking) continue;
            if (policy.Tier is not null && policy.Tier != t.Name) continue;
            var entries = tracking.GetEntries().OrderBy(e => e.LastAccess).ToList();
            var candidates = new List<ObjectId>();
            var remainingBytes = entries.Sum(e => (long)e.Bytes);
            foreach (var e in entries)
            {
                var old = policy.MaxIdle is { } idle && now - e.LastAccess >= idle;
                var over = policy.MaxBytesPerTier is { } max && remainingBytes > max;
                if (!old && !over) continue;
                candidates.Add(e.Id);
                remainingBytes -= e.Bytes;
            }
            int tierEvicted = 0, tierCopied = 0, tierKept = 0;
            foreach (var id in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var outcome = await EnsureDurableAsync(t, id, cancellationToken).ConfigureAwait(false);
                if (outcome == DurableCopy.None)
                {
                    tierKept++;
                    continue;
                }
                if (outcome == DurableCopy.Copied) tierCopied++;
                if (await eviction.TryEvictAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    tierEvicted++;
                    TieredDiagnostics.Evictions.Add(1, t.Tag);
                }
            }
            TieredLog.Demoted(_logger, t.Name, tierEvicted, tierCopied, tierKept);
            evicted += tierEvicted;
            copied += tierCopied;
            kept += tierKept;
        }
        return new DemotionResult(evicted, copied, kept);
    }

    private enum DurableCopy { None, Present, Copied }

    private async ValueTask<DurableCopy> EnsureDurableAsync(TierState cache, ObjectId id, CancellationToken cancellationToken)
    {
        try
        {
            if (await ReadVerifiedFromAsync(_durable, id, cancellationToken).ConfigureAwait(false)) return DurableCopy.Present;
            var copy = await cache.Store.TryReadAsync(id, cancellationToken).ConfigureAwait(false);
            if (copy is null || VerifyProblem(id, copy.Value.Span) is not null) return DurableCopy.None;
            await _durable.Store.WriteAsync([new EncodedObject(id, copy.Value)], cancellationToken).ConfigureAwait(false);
            return await ReadVerifiedFromAsync(_durable, id, cancellationToken).ConfigureAwait(false) ? DurableCopy.Copied : DurableCopy.None;
        }
        catch (BackendUnavailableException e)
        {
            _durable.Failed("demotion check", e);
            return DurableCopy.None;
        }
    }

    private static async ValueTask<bool> ReadVerifiedFromAsync(TierState tier, ObjectId id, CancellationToken cancellationToken)
    {
        try
        {
            var data = await tier.Store.TryReadAsync(id, cancellationToken).ConfigureAwait(false);
            if (data is null) return false;
            if (VerifyProblem(id, data.Value.Span) is { } problem)
            {
                tier.Corrupt(id, problem);
                return false;
            }
            return true;
        }
        catch (CorruptObjectException e)
        {
            tier.Corrupt(id, e.Message);
            return false;
        }
    }
}
