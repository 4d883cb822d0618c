using System.Buffers.Binary;

namespace VersionStore.Internal;

/// <summary>
/// The garbage collector's durable plan (docs/OPERATIONS.md, "Garbage collection"): the prune marks of every repository
/// (versions whose snapshot is outside retention, with the time each was marked) and the deletion candidates (objects
/// unreached and older than the grace period when the plan was made). It is a parentless commit in the reserved
/// repository <see cref="RepositoryStore.SystemRepositoryName"/> under <c>refs/meta/gc</c>, so every process sees it and
/// every change of it is audited. A run deletes only candidates of the previous plan that are still unreached, once that
/// plan is older than the grace period; operations that point a ref at an existing version refuse marked and candidate
/// versions, which closes the race between a rollback and a sweep.
/// </summary>
internal sealed class GcPlan
{
    public static readonly RefName PlanRef = RefName.Meta("gc");
    private const string CandidatesEntry = "candidates.";
    private const string PrunedEntry = "pruned.";
    private const int IdsPerBlob = 100_000;

    public static GcPlan Empty { get; } = new(null, DateTimeOffset.MinValue, [], new Dictionary<string, Dictionary<ObjectId, DateTimeOffset>>(StringComparer.Ordinal));

    public GcPlan(ObjectId? commit, DateTimeOffset createdAt, HashSet<ObjectId> candidates, Dictionary<string, Dictionary<ObjectId, DateTimeOffset>> pruned)
    {
        Commit = commit;
        CreatedAt = createdAt;
        Candidates = candidates;
        Pruned = pruned;
    }

    /// <summary>The plan commit, or null for the empty plan.</summary>
    public ObjectId? Commit { get; }

    public DateTimeOffset CreatedAt { get; }

    public HashSet<ObjectId> Candidates { get; }

    /// <summary>Repository → pruned commit → when it was marked.</summary>
    public Dictionary<string, Dictionary<ObjectId, DateTimeOffset>> Pruned { get; }

    public bool TryGetPruned(RepositoryName repository, ObjectId commit, out DateTimeOffset at)
    {
        at = default;
        return Pruned.TryGetValue(repository.Value, out var marks) && marks.TryGetValue(commit, out at);
    }

    /// <summary>Encodes the plan as blobs, a tree and a parentless commit (all returned, commit last).</summary>
    public static List<EncodedObject> Encode(DateTimeOffset createdAt, string actor, IReadOnlyCollection<ObjectId> candidates,
        IReadOnlyDictionary<string, Dictionary<ObjectId, DateTimeOffset>> pruned)
    {
        var objects = new List<EncodedObject>();
        var entries = new List<TreeEntry>();
        void AddBlob(string name, byte[] payload)
        {
            var encoded = ObjectCodec.EncodeBlob(payload);
            var id = ObjectId.Compute(encoded);
            objects.Add(new EncodedObject(id, encoded));
            entries.Add(new TreeEntry(name, ObjectKind.Blob, id));
        }
        var sorted = candidates.Order().ToArray();
        for (var chunk = 0; chunk * IdsPerBlob < sorted.Length || chunk == 0; chunk++)
        {
            var part = sorted.AsSpan(chunk * IdsPerBlob, Math.Min(IdsPerBlob, sorted.Length - chunk * IdsPerBlob));
            var bytes = new byte[part.Length * ObjectId.Size];
            for (var i = 0; i < part.Length; i++) part[i].WriteTo(bytes.AsSpan(i * ObjectId.Size));
            AddBlob($"{CandidatesEntry}{chunk:D5}", bytes);
        }
        foreach (var (repository, marks) in pruned.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (marks.Count == 0) continue;
            var bytes = new byte[marks.Count * (ObjectId.Size + 8)];
            var p = 0;
            foreach (var (id, at) in marks.OrderBy(m => m.Key))
            {
                id.WriteTo(bytes.AsSpan(p));
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(p + ObjectId.Size), ObjectCodec.ToUnixMicroseconds(at));
                p += ObjectId.Size + 8;
            }
            AddBlob(PrunedEntry + repository, bytes);
        }
        entries.Sort((a, b) => ObjectCodec.CompareNames(a.Name, b.Name));
        var tree = ObjectCodec.EncodeTree(entries.ToArray());
        var treeId = ObjectId.Compute(tree);
        objects.Add(new EncodedObject(treeId, tree));
        var commit = ObjectCodec.EncodeCommit(treeId, [], 1, createdAt, actor,
            $"Garbage collection plan: {candidates.Count} deletion candidates, {pruned.Values.Sum(m => m.Count)} pruned versions", []);
        objects.Add(new EncodedObject(ObjectId.Compute(commit), commit));
        return objects;
    }

    public static async ValueTask<GcPlan> LoadAsync(ObjectReader reader, ObjectId commitId, CancellationToken cancellationToken)
    {
        var commit = await reader.GetCommitAsync(commitId, cancellationToken).ConfigureAwait(false);
        var tree = await reader.GetTreeAsync(commit.Tree, cancellationToken).ConfigureAwait(false);
        var candidates = new HashSet<ObjectId>();
        var pruned = new Dictionary<string, Dictionary<ObjectId, DateTimeOffset>>(StringComparer.Ordinal);
        foreach (var entry in tree)
        {
            var data = await reader.GetBlobAsync(entry.Id, cancellationToken).ConfigureAwait(false);
            if (entry.Name.StartsWith(CandidatesEntry, StringComparison.Ordinal))
            {
                if (data.Length % ObjectId.Size != 0) throw new CorruptObjectException(entry.Id, "garbage collection plan: candidate list is not a whole number of ids");
                for (var p = 0; p < data.Length; p += ObjectId.Size) candidates.Add(new ObjectId(data.Span.Slice(p, ObjectId.Size)));
            }
            else if (entry.Name.StartsWith(PrunedEntry, StringComparison.Ordinal))
            {
                const int record = ObjectId.Size + 8;
                if (data.Length % record != 0) throw new CorruptObjectException(entry.Id, "garbage collection plan: prune marks are malformed");
                var marks = new Dictionary<ObjectId, DateTimeOffset>(data.Length / record);
                for (var p = 0; p < data.Length; p += record)
                    marks[new ObjectId(data.Span.Slice(p, ObjectId.Size))] = ObjectCodec.FromUnixMicroseconds(BinaryPrimitives.ReadInt64LittleEndian(data.Span.Slice(p + ObjectId.Size, 8)));
                pruned[entry.Name[PrunedEntry.Length..]] = marks;
            }
        }
        return new GcPlan(commitId, commit.Timestamp, candidates, pruned);
    }
}

/// <summary>The last plan this process loaded, keyed by the plan ref's state (a new plan is a new state).</summary>
internal sealed class GcPlanCache
{
    private sealed record Entry(RefState State, GcPlan Plan);
    private Entry? _cached;

    public async ValueTask<(RefState? State, GcPlan Plan)> GetAsync(RepositoryStore store, CancellationToken cancellationToken)
        => await GetAsync(store, tolerateUnavailable: false, cancellationToken).ConfigureAwait(false);

    /// <param name="store">The store.</param>
    /// <param name="tolerateUnavailable">
    /// When the ref store cannot be reached, answer with the plan last loaded (else none) instead of failing: reads stay
    /// fail-static, and a write cannot land anyway while the ref store is down (its compare-and-swap fails).
    /// </param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<(RefState? State, GcPlan Plan)> GetAsync(RepositoryStore store, bool tolerateUnavailable, CancellationToken cancellationToken)
    {
        RefState? state;
        try
        {
            state = await store.Refs.TryGetRefAsync(RepositoryStore.SystemRepository, GcPlan.PlanRef, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendUnavailableException) when (tolerateUnavailable)
        {
            var last = Volatile.Read(ref _cached);
            return (last?.State, last?.Plan ?? GcPlan.Empty);
        }
        if (state?.Target is not { } target) return (state, GcPlan.Empty);
        var cached = Volatile.Read(ref _cached);
        if (cached is not null && cached.State == state) return (state, cached.Plan);
        var plan = await GcPlan.LoadAsync(store.ObjectReader, target, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _cached, new Entry(state, plan));
        return (state, plan);
    }
}
