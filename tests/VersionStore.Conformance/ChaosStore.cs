using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace VersionStore.Conformance;

/// <summary>The operations a <see cref="ChaosStore"/> can disturb, one flag each; combine them freely.</summary>
[Flags]
public enum ChaosOperation
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary><see cref="IObjectStore.TryReadAsync"/>.</summary>
    Read = 1 << 0,

    /// <summary><see cref="IObjectStore.ContainsAsync"/>.</summary>
    Contains = 1 << 1,

    /// <summary><see cref="IObjectStore.WriteAsync"/>.</summary>
    Write = 1 << 2,

    /// <summary><see cref="IObjectStore.FindByPrefixAsync"/>.</summary>
    FindByPrefix = 1 << 3,

    /// <summary><see cref="IRefStore.TryGetRefAsync"/>.</summary>
    GetRef = 1 << 4,

    /// <summary><see cref="IRefStore.ListRefsAsync"/>.</summary>
    ListRefs = 1 << 5,

    /// <summary><see cref="IRefStore.TryUpdateRefAsync"/>.</summary>
    UpdateRef = 1 << 6,

    /// <summary><see cref="IRefStore.ReadAuditAsync"/>.</summary>
    ReadAudit = 1 << 7,

    /// <summary><see cref="IRefStore.ListRepositoriesAsync"/>.</summary>
    ListRepositories = 1 << 8,

    /// <summary><see cref="IAtomicCommitStore.WriteObjectsAndTryUpdateRefAsync"/>.</summary>
    AtomicCommit = 1 << 9,

    /// <summary><see cref="ISweepableObjectStore.ListObjectsAsync"/>.</summary>
    ListObjects = 1 << 10,

    /// <summary><see cref="ISweepableObjectStore.DeleteObjectsAsync"/>.</summary>
    DeleteObjects = 1 << 11,

    /// <summary><see cref="IRefChangeFeed.SubscribeAsync"/>.</summary>
    Subscribe = 1 << 12,

    /// <summary>Change notices delivered to subscribers: a <see cref="ChaosStore.Fail"/> rule drops them (a lossy feed).</summary>
    Notify = 1 << 13,

    /// <summary><see cref="IObjectEviction.TryEvictAsync"/>.</summary>
    Evict = 1 << 14,

    /// <summary><see cref="IHeadCache.TryGetAsync"/>, <see cref="IHeadCache.ListAsync"/>, <see cref="IHeadCache.ListRememberedRepositoriesAsync"/>.</summary>
    HeadRead = 1 << 15,

    /// <summary><see cref="IHeadCache.RememberAsync"/>.</summary>
    HeadWrite = 1 << 16,

    /// <summary><see cref="IBatchObjectStore.TryReadManyAsync"/> (one call per batch).</summary>
    ReadMany = 1 << 17,

    /// <summary>Every object read.</summary>
    ObjectReads = Read | Contains | FindByPrefix | ListObjects | ReadMany,

    /// <summary>Every object write.</summary>
    ObjectWrites = Write | AtomicCommit | DeleteObjects | Evict,

    /// <summary>Every object operation.</summary>
    Objects = ObjectReads | ObjectWrites,

    /// <summary>Every ref read (and subscriptions).</summary>
    RefReads = GetRef | ListRefs | ReadAudit | ListRepositories | Subscribe,

    /// <summary>Every ref write.</summary>
    RefWrites = UpdateRef | AtomicCommit,

    /// <summary>Every ref operation.</summary>
    Refs = RefReads | RefWrites,

    /// <summary>Every head-cache operation.</summary>
    Heads = HeadRead | HeadWrite,

    /// <summary>Every call (not <see cref="Notify"/>: a store that is down does not drop notices already sent).</summary>
    All = Objects | Refs | Heads,
}

/// <summary>
/// The one fault-injecting decorator of the tests: wraps any store (object store, ref store, head cache, or a backend that
/// is several at once) and, per <see cref="ChaosOperation"/>, fails calls, delays them on a <see cref="TimeProvider"/>
/// (no sleeping: advance a FakeTimeProvider), or corrupts the bytes read — toggled at runtime, counted per operation.
/// </summary>
/// <remarks>
/// <para>
/// Create it with <see cref="Wrap"/>: the instance's runtime type implements exactly the optional capabilities of the
/// inner store (<see cref="IAtomicCommitStore"/>, <see cref="IBatchObjectStore"/>, <see cref="ISweepableObjectStore"/>, <see cref="IVerifyingObjectStore"/>,
/// <see cref="IRefChangeFeed"/>, <see cref="IObjectEviction"/>, <see cref="IAccessTrackingTier"/>, <see cref="IHeadCache"/>,
/// <see cref="IRefStoreEpoch"/>),
/// so code that looks for a capability sees what it would see without the decorator. <see cref="IObjectStore"/> and
/// <see cref="IRefStore"/> are always implemented; calling the one the inner store lacks throws.
/// </para>
/// <para>
/// A capability added to the core is forwarded by adding a public virtual method per member below and its interface to
/// <see cref="Capabilities"/> (e.g. batch reads).
/// </para>
/// </remarks>
public class ChaosStore : IObjectStore, IRefStore
{
    private static readonly Type[] Capabilities =
    [
        typeof(IAtomicCommitStore), typeof(IBatchObjectStore), typeof(ISweepableObjectStore), typeof(IVerifyingObjectStore), typeof(IRefChangeFeed),
        typeof(IObjectEviction), typeof(IAccessTrackingTier), typeof(IHeadCache), typeof(IRefStoreEpoch),
    ];

    private static readonly ConcurrentDictionary<int, Type> Types = new();
    private static readonly Lock EmitGate = new();
    private static int _emitted;
    private static readonly Lazy<ModuleBuilder> Module = new(() =>
        AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("VersionStore.Conformance.ChaosTypes"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("ChaosTypes"));

    private readonly ConcurrentDictionary<ChaosOperation, long> _calls = new();
    private readonly ConcurrentDictionary<ChaosOperation, long> _failures = new();
    private readonly List<IRefChangeListener> _listeners = [];
    private readonly Lock _rulesGate = new();
    private volatile Rule[] _rules = [];

    /// <summary>For <see cref="Wrap"/> (and the types it emits): use <see cref="Wrap"/>.</summary>
    protected ChaosStore(object inner, string name)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Inner = inner;
        Name = name;
    }

    /// <summary>
    /// Wraps <paramref name="inner"/>; faults raise <see cref="BackendUnavailableException"/> naming <paramref name="name"/>
    /// unless a rule gives its own error. The result implements the optional capabilities <paramref name="inner"/> has.
    /// </summary>
    public static ChaosStore Wrap(object inner, string name = "chaos")
    {
        ArgumentNullException.ThrowIfNull(inner);
        var mask = 0;
        for (var i = 0; i < Capabilities.Length; i++)
            if (Capabilities[i].IsInstanceOfType(inner)) mask |= 1 << i;
        var type = Types.GetOrAdd(mask, Emit);
        return (ChaosStore)Activator.CreateInstance(type, inner, name)!;
    }

    private static Type Emit(int mask)
    {
        lock (EmitGate)
        {
            // A unique name: GetOrAdd may run this twice for one mask under a race; it keeps one of the types.
            var builder = Module.Value.DefineType($"ChaosStore{mask}_{++_emitted}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(ChaosStore));
            for (var i = 0; i < Capabilities.Length; i++)
                if ((mask & (1 << i)) != 0) builder.AddInterfaceImplementation(Capabilities[i]); // mapped onto the public virtual members below
            var ctor = builder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(object), typeof(string)]);
            var il = ctor.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Call, typeof(ChaosStore).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(object), typeof(string)])!);
            il.Emit(OpCodes.Ret);
            try
            {
                return builder.CreateType();
            }
            catch (TypeLoadException e)
            {
                throw new InvalidOperationException(
                    $"ChaosStore does not forward every member of a capability it should implement ({e.Message}): add a public virtual member for it", e);
            }
        }
    }

    /// <summary>The wrapped store.</summary>
    public object Inner { get; }

    /// <summary>The backend name in injected errors.</summary>
    public string Name { get; }

    /// <summary>This store as an object store (for call sites that need the static type).</summary>
    public IObjectStore Objects => this;

    /// <summary>This store as a ref store.</summary>
    public IRefStore Refs => this;

    /// <summary>
    /// Shortcut: true fails every call (<see cref="ChaosOperation.All"/>) with <see cref="BackendUnavailableException"/>;
    /// false heals everything. Reads true while any fail rule is active.
    /// </summary>
    public bool Down
    {
        get => _rules.Any(r => r.Kind == RuleKind.Fail);
        set
        {
            if (value) Fail(ChaosOperation.All);
            else Heal();
        }
    }

    // ------------------------------------------------------------------ rules

    /// <summary>
    /// Fails calls of <paramref name="operations"/> with <paramref name="error"/> (default: <see cref="BackendUnavailableException"/>),
    /// after letting <paramref name="after"/> more of them through.
    /// </summary>
    public ChaosStore Fail(ChaosOperation operations, Func<Exception>? error = null, int after = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        return Add(new Rule(operations, RuleKind.Fail) { Error = error, Remaining = after });
    }

    /// <summary>Delays calls of <paramref name="operations"/> by <paramref name="delay"/> on <paramref name="clock"/> (then runs them).</summary>
    public ChaosStore Delay(ChaosOperation operations, TimeSpan delay, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return Add(new Rule(operations, RuleKind.Delay) { Delay = delay, Clock = clock });
    }

    /// <summary>
    /// Corrupts what <see cref="ChaosOperation.Read"/> returns (one byte flipped, the stored copy untouched): a tier that
    /// returns damaged bytes. <see cref="IVerifyingObjectStore.ReturnsVerifiedBytes"/> is forwarded unchanged, so a layer
    /// that trusts a verifying inner store trusts this one too (damage after verification).
    /// </summary>
    public ChaosStore Corrupt() => Add(new Rule(ChaosOperation.Read | ChaosOperation.ReadMany, RuleKind.Corrupt));

    /// <summary>Removes every rule that touches <paramref name="operations"/> (default: all rules).</summary>
    public ChaosStore Heal(ChaosOperation operations = (ChaosOperation)~0)
    {
        lock (_rulesGate) _rules = [.. _rules.Where(r => (r.Operations & operations) == 0)];
        return this;
    }

    private ChaosStore Add(Rule rule)
    {
        lock (_rulesGate) _rules = [.. _rules, rule];
        return this;
    }

    /// <summary>Calls entered of any of <paramref name="operations"/> (default: all), failed ones included.</summary>
    public long Calls(ChaosOperation operations = ChaosOperation.All) => _calls.Where(p => (p.Key & operations) != 0).Sum(p => p.Value);

    /// <summary>Calls of <paramref name="operations"/> that an injected fault failed.</summary>
    public long Failures(ChaosOperation operations = ChaosOperation.All) => _failures.Where(p => (p.Key & operations) != 0).Sum(p => p.Value);

    /// <summary>Tells every subscriber that notices may have been lost (<see cref="IRefChangeListener.OnGap"/>).</summary>
    public void AnnounceGap(string reason)
    {
        IRefChangeListener[] listeners;
        lock (_listeners) listeners = [.. _listeners];
        foreach (var l in listeners) l.OnGap(reason);
    }

    private async ValueTask EnterAsync(ChaosOperation operation, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        foreach (var rule in _rules)
        {
            if ((rule.Operations & operation) == 0) continue;
            switch (rule.Kind)
            {
                case RuleKind.Delay:
                    await Task.Delay(rule.Delay, rule.Clock!, cancellationToken).ConfigureAwait(false);
                    break;
                case RuleKind.Fail when rule.Fires():
                    _failures.AddOrUpdate(operation, 1, (_, n) => n + 1);
                    throw rule.Error?.Invoke() ?? new BackendUnavailableException(Name, $"injected outage ({operation})");
            }
        }
    }

    private bool Corrupting => _rules.Any(r => r.Kind == RuleKind.Corrupt);

    private bool Dropping => _rules.Any(r => r.Kind == RuleKind.Fail && (r.Operations & ChaosOperation.Notify) != 0);

    private T As<T>() where T : class
        => Inner as T ?? throw new InvalidOperationException($"{Name}: the wrapped {Inner.GetType().Name} is no {typeof(T).Name}");

    private static IRefStore Unwrap(IRefStore refs) => refs is ChaosStore { Inner: IRefStore inner } ? inner : refs;

    private async IAsyncEnumerable<T> EnumerateAsync<T>(ChaosOperation operation, Func<CancellationToken, IAsyncEnumerable<T>> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(operation, cancellationToken).ConfigureAwait(false);
        await foreach (var item in source(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false)) yield return item;
    }

    // ------------------------------------------------------------------ IObjectStore

    /// <inheritdoc />
    public virtual async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.Read, cancellationToken).ConfigureAwait(false);
        var data = await As<IObjectStore>().TryReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (data is not { Length: > 0 } bytes || !Corrupting) return data;
        var copy = bytes.ToArray();
        copy[copy.Length / 2] ^= 0x5A;
        return copy;
    }

    /// <summary>
    /// <see cref="IBatchObjectStore.TryReadManyAsync"/> (<see cref="ChaosOperation.ReadMany"/>, one call per batch); a
    /// <see cref="Corrupt"/> rule damages every object returned.
    /// </summary>
    public virtual async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.ReadMany, cancellationToken).ConfigureAwait(false);
        var read = await As<IBatchObjectStore>().TryReadManyAsync(ids, cancellationToken).ConfigureAwait(false);
        if (!Corrupting) return read;
        for (var i = 0; i < read.Length; i++)
        {
            if (read[i] is not { Length: > 0 } bytes) continue;
            var copy = bytes.ToArray();
            copy[copy.Length / 2] ^= 0x5A;
            read[i] = copy;
        }
        return read;
    }

    /// <inheritdoc />
    public virtual async ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.Contains, cancellationToken).ConfigureAwait(false);
        return await As<IObjectStore>().ContainsAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public virtual async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.Write, cancellationToken).ConfigureAwait(false);
        await As<IObjectStore>().WriteAsync(objects, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public virtual IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.FindByPrefix, ct => As<IObjectStore>().FindByPrefixAsync(hexPrefix, limit, ct), cancellationToken);

    // ------------------------------------------------------------------ IRefStore

    /// <inheritdoc />
    public virtual async ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.GetRef, cancellationToken).ConfigureAwait(false);
        return await As<IRefStore>().TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public virtual IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.ListRefs, ct => As<IRefStore>().ListRefsAsync(repository, ct), cancellationToken);

    /// <inheritdoc />
    public virtual async ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.UpdateRef, cancellationToken).ConfigureAwait(false);
        return await As<IRefStore>().TryUpdateRefAsync(update, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public virtual IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.ReadAudit, ct => As<IRefStore>().ReadAuditAsync(repository, name, beforeSequence, ct), cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.ListRepositories, ct => As<IRefStore>().ListRepositoriesAsync(ct), cancellationToken);

    // ------------------------------------------------------------------ optional capabilities (implemented by the emitted type when the inner store has them)

    /// <summary><see cref="IAtomicCommitStore.IsAtomicWith"/>: the inner store's answer for <paramref name="refStore"/> (unwrapped when it is a chaos store too).</summary>
    public virtual bool IsAtomicWith(IRefStore refStore) => As<IAtomicCommitStore>().IsAtomicWith(Unwrap(refStore));

    /// <summary><see cref="IAtomicCommitStore.WriteObjectsAndTryUpdateRefAsync"/> (<see cref="ChaosOperation.AtomicCommit"/>).</summary>
    public virtual async ValueTask<bool> WriteObjectsAndTryUpdateRefAsync(IReadOnlyList<EncodedObject> objects, RefUpdate update, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.AtomicCommit, cancellationToken).ConfigureAwait(false);
        return await As<IAtomicCommitStore>().WriteObjectsAndTryUpdateRefAsync(objects, update, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IVerifyingObjectStore.ReturnsVerifiedBytes"/>: the inner store's.</summary>
    public virtual bool ReturnsVerifiedBytes => As<IVerifyingObjectStore>().ReturnsVerifiedBytes;

    /// <summary><see cref="ISweepableObjectStore.ListObjectsAsync"/> (<see cref="ChaosOperation.ListObjects"/>).</summary>
    public virtual IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync(CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.ListObjects, ct => As<ISweepableObjectStore>().ListObjectsAsync(ct), cancellationToken);

    /// <summary><see cref="ISweepableObjectStore.DeleteObjectsAsync"/> (<see cref="ChaosOperation.DeleteObjects"/>).</summary>
    public virtual async ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.DeleteObjects, cancellationToken).ConfigureAwait(false);
        return await As<ISweepableObjectStore>().DeleteObjectsAsync(ids, writtenBefore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="IRefChangeFeed.SubscribeAsync"/> (<see cref="ChaosOperation.Subscribe"/>); notices pass through unless a
    /// fail rule on <see cref="ChaosOperation.Notify"/> is active (then they are dropped).
    /// </summary>
    public virtual async ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        await EnterAsync(ChaosOperation.Subscribe, cancellationToken).ConfigureAwait(false);
        var filter = new NoticeFilter(this, listener);
        var subscription = await As<IRefChangeFeed>().SubscribeAsync(repository, filter, cancellationToken).ConfigureAwait(false);
        lock (_listeners) _listeners.Add(listener);
        return new Subscription(this, listener, subscription);
    }

    /// <summary><see cref="IObjectEviction.TryEvictAsync"/> (<see cref="ChaosOperation.Evict"/>).</summary>
    public virtual async ValueTask<bool> TryEvictAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.Evict, cancellationToken).ConfigureAwait(false);
        return await As<IObjectEviction>().TryEvictAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IAccessTrackingTier.GetEntries"/>: the inner store's (never disturbed).</summary>
    public virtual IReadOnlyList<CachedObjectInfo> GetEntries() => As<IAccessTrackingTier>().GetEntries();

    /// <summary><see cref="IHeadCache.TryGetAsync"/> (<see cref="ChaosOperation.HeadRead"/>).</summary>
    public virtual async ValueTask<RememberedHead?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.HeadRead, cancellationToken).ConfigureAwait(false);
        return await As<IHeadCache>().TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IHeadCache.RememberAsync"/> (<see cref="ChaosOperation.HeadWrite"/>).</summary>
    public virtual async ValueTask RememberAsync(RepositoryName repository, RefName name, RefState state, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.HeadWrite, cancellationToken).ConfigureAwait(false);
        await As<IHeadCache>().RememberAsync(repository, name, state, seenAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IHeadCache.ListAsync"/> (<see cref="ChaosOperation.HeadRead"/>).</summary>
    public virtual IAsyncEnumerable<(RefName Name, RememberedHead Head)> ListAsync(RepositoryName repository, CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.HeadRead, ct => As<IHeadCache>().ListAsync(repository, ct), cancellationToken);

    /// <summary><see cref="IHeadCache.ListRememberedRepositoriesAsync"/> (<see cref="ChaosOperation.HeadRead"/>).</summary>
    public virtual IAsyncEnumerable<RepositoryName> ListRememberedRepositoriesAsync(CancellationToken cancellationToken = default)
        => EnumerateAsync(ChaosOperation.HeadRead, ct => As<IHeadCache>().ListRememberedRepositoriesAsync(ct), cancellationToken);

    /// <summary><see cref="IHeadCache.TryGetRefStoreEpochAsync"/> (<see cref="ChaosOperation.HeadRead"/>).</summary>
    public virtual async ValueTask<string?> TryGetRefStoreEpochAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.HeadRead, cancellationToken).ConfigureAwait(false);
        return await As<IHeadCache>().TryGetRefStoreEpochAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IHeadCache.RememberRefStoreEpochAsync"/> (<see cref="ChaosOperation.HeadWrite"/>).</summary>
    public virtual async ValueTask RememberRefStoreEpochAsync(string epoch, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.HeadWrite, cancellationToken).ConfigureAwait(false);
        await As<IHeadCache>().RememberRefStoreEpochAsync(epoch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IRefStoreEpoch.BackendName"/>: the inner store's.</summary>
    public virtual string BackendName => As<IRefStoreEpoch>().BackendName;

    /// <summary><see cref="IRefStoreEpoch.TryGetEpochAsync"/> (a ref read: <see cref="ChaosOperation.GetRef"/>).</summary>
    public virtual async ValueTask<string?> TryGetEpochAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.GetRef, cancellationToken).ConfigureAwait(false);
        return await As<IRefStoreEpoch>().TryGetEpochAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IRefStoreEpoch.EnsureEpochAsync"/> (a ref write: <see cref="ChaosOperation.UpdateRef"/>).</summary>
    public virtual async ValueTask<string> EnsureEpochAsync(string epoch, CancellationToken cancellationToken = default)
    {
        await EnterAsync(ChaosOperation.UpdateRef, cancellationToken).ConfigureAwait(false);
        return await As<IRefStoreEpoch>().EnsureEpochAsync(epoch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"chaos({Name}) over {Inner.GetType().Name}";

    private enum RuleKind { Fail, Delay, Corrupt }

    private sealed class Rule(ChaosOperation operations, RuleKind kind)
    {
        private int _remaining;

        public ChaosOperation Operations { get; } = operations;
        public RuleKind Kind { get; } = kind;
        public Func<Exception>? Error { get; init; }
        public TimeSpan Delay { get; init; }
        public TimeProvider? Clock { get; init; }
        public int Remaining { init => _remaining = value; }

        /// <summary>True once the calls let through before the fault are used up.</summary>
        public bool Fires() => Interlocked.Decrement(ref _remaining) < 0;
    }

    private sealed class NoticeFilter(ChaosStore owner, IRefChangeListener target) : IRefChangeListener
    {
        public void OnChanged(RepositoryName repository, AuditEntry entry)
        {
            if (!owner.Dropping) target.OnChanged(repository, entry);
        }

        public void OnGap(string reason) => target.OnGap(reason);
    }

    private sealed class Subscription(ChaosStore owner, IRefChangeListener listener, IAsyncDisposable inner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            lock (owner._listeners) owner._listeners.Remove(listener);
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
