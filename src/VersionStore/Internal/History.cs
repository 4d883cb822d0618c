using System.Runtime.CompilerServices;

namespace VersionStore.Internal;

/// <summary>
/// History walks over commit objects, ordered and pruned by generation numbers: a commit's generation is
/// larger than any of its ancestors', so a negative ancestry answer often needs no walk at all.
/// </summary>
internal static class History
{
    public static async ValueTask<bool> IsAncestorAsync(ObjectReader reader, ObjectId ancestor, ObjectId descendant, CancellationToken ct)
    {
        if (ancestor == descendant) return true;
        var a = await reader.GetCommitAsync(ancestor, ct).ConfigureAwait(false);
        var d = await reader.GetCommitAsync(descendant, ct).ConfigureAwait(false);
        if (a.Generation >= d.Generation) return false;
        var seen = new HashSet<ObjectId> { descendant };
        var stack = new Stack<Commit>();
        stack.Push(d);
        while (stack.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var p in stack.Pop().Parents)
            {
                if (p == ancestor) return true;
                if (!seen.Add(p)) continue;
                var pc = await reader.GetCommitAsync(p, ct).ConfigureAwait(false);
                if (pc.Generation > a.Generation) stack.Push(pc);
            }
        }
        return false;
    }

    [Flags]
    private enum Paint : byte { None = 0, Left = 1, Right = 2, Stale = 4, Result = 8 }

    /// <summary>All best common ancestors (git's <c>merge-base --all</c>), newest generation first.</summary>
    /// <remarks>git's paint-down-to-common, popping by generation number so that a commit is always visited after its descendants.</remarks>
    public static async Task<IReadOnlyList<ObjectId>> MergeBasesAsync(ObjectReader reader, ObjectId left, ObjectId right, CancellationToken ct)
    {
        if (left == right) return [left];
        var flags = new Dictionary<ObjectId, Paint>();
        var queue = new PriorityQueue<Commit, (long, ObjectId)>(Comparer<(long Gen, ObjectId Id)>.Create((x, y) =>
            x.Gen != y.Gen ? y.Gen.CompareTo(x.Gen) : x.Id.CompareTo(y.Id)));
        var l = await reader.GetCommitAsync(left, ct).ConfigureAwait(false);
        var r = await reader.GetCommitAsync(right, ct).ConfigureAwait(false);
        flags[left] = Paint.Left;
        flags[right] = Paint.Right;
        queue.Enqueue(l, (l.Generation, l.Id));
        queue.Enqueue(r, (r.Generation, r.Id));
        var results = new List<Commit>();
        while (HasNonStale(queue, flags))
        {
            ct.ThrowIfCancellationRequested();
            var c = queue.Dequeue();
            var f = flags[c.Id];
            var paint = f & (Paint.Left | Paint.Right | Paint.Stale);
            if (paint == (Paint.Left | Paint.Right))
            {
                if ((f & Paint.Result) == 0)
                {
                    flags[c.Id] = f | Paint.Result;
                    results.Add(c);
                }
                paint |= Paint.Stale;
            }
            foreach (var p in c.Parents)
            {
                flags.TryGetValue(p, out var pf);
                if ((pf & paint) == paint) continue;
                flags[p] = pf | paint;
                var pc = await reader.GetCommitAsync(p, ct).ConfigureAwait(false);
                queue.Enqueue(pc, (pc.Generation, pc.Id));
            }
        }
        return await RemoveRedundantAsync(reader, results, ct).ConfigureAwait(false);
    }

    private static bool HasNonStale(PriorityQueue<Commit, (long, ObjectId)> queue, Dictionary<ObjectId, Paint> flags)
    {
        foreach (var (c, _) in queue.UnorderedItems)
            if ((flags[c.Id] & Paint.Stale) == 0) return true;
        return false;
    }

    private static async Task<IReadOnlyList<ObjectId>> RemoveRedundantAsync(ObjectReader reader, List<Commit> candidates, CancellationToken ct)
    {
        var distinct = candidates.DistinctBy(c => c.Id).OrderByDescending(c => c.Generation).ThenBy(c => c.Id).ToList();
        var keep = new List<ObjectId>();
        for (var i = 0; i < distinct.Count; i++)
        {
            var redundant = false;
            for (var j = 0; j < distinct.Count && !redundant; j++)
                if (i != j && await IsAncestorAsync(reader, distinct[i].Id, distinct[j].Id, ct).ConfigureAwait(false))
                    redundant = true;
            if (!redundant) keep.Add(distinct[i].Id);
        }
        return keep;
    }

    public static async IAsyncEnumerable<Commit> WalkAsync(ObjectReader reader, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude,
        bool firstParentOnly, LogOrder order, int? maxCount, [EnumeratorCancellation] CancellationToken ct)
    {
        var excluded = new HashSet<ObjectId>();
        foreach (var e in exclude) await CollectAsync(reader, e, firstParentOnly, excluded, ct).ConfigureAwait(false);

        if (order == LogOrder.Date)
        {
            await foreach (var c in DateOrderAsync(reader, include, excluded, firstParentOnly, maxCount, ct).ConfigureAwait(false))
                yield return c;
            yield break;
        }

        var seen = new HashSet<ObjectId>();
        var queue = new PriorityQueue<Commit, (long, long, ObjectId)>(Comparer<(long Gen, long Time, ObjectId Id)>.Create((x, y) =>
            x.Gen != y.Gen ? y.Gen.CompareTo(x.Gen) : x.Time != y.Time ? y.Time.CompareTo(x.Time) : x.Id.CompareTo(y.Id)));
        foreach (var i in include)
        {
            if (excluded.Contains(i) || !seen.Add(i)) continue;
            var c = await reader.GetCommitAsync(i, ct).ConfigureAwait(false);
            queue.Enqueue(c, Key(c));
        }
        var emitted = 0;
        while (queue.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var c = queue.Dequeue();
            yield return c;
            if (maxCount is { } m && ++emitted >= m) yield break;
            var parents = firstParentOnly ? c.Parents.Take(1) : c.Parents;
            foreach (var p in parents)
            {
                if (excluded.Contains(p) || !seen.Add(p)) continue;
                var pc = await reader.GetCommitAsync(p, ct).ConfigureAwait(false);
                queue.Enqueue(pc, Key(pc));
            }
        }

        static (long, long, ObjectId) Key(Commit c) => (c.Generation, c.Timestamp.UtcTicks, c.Id);
    }

    /// <summary>Newest first by timestamp, but a commit only after all its children in the walk (Kahn's algorithm), so clock skew never puts a parent first.</summary>
    private static async IAsyncEnumerable<Commit> DateOrderAsync(ObjectReader reader, IReadOnlyList<ObjectId> include, HashSet<ObjectId> excluded,
        bool firstParentOnly, int? maxCount, [EnumeratorCancellation] CancellationToken ct)
    {
        var all = new Dictionary<ObjectId, Commit>();
        var pending = new Dictionary<ObjectId, int>();
        var stack = new Stack<ObjectId>(include.Where(i => !excluded.Contains(i)));
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (all.ContainsKey(id)) continue;
            var c = await reader.GetCommitAsync(id, ct).ConfigureAwait(false);
            all[id] = c;
            foreach (var p in firstParentOnly ? c.Parents.Take(1) : c.Parents)
            {
                if (excluded.Contains(p)) continue;
                pending[p] = pending.GetValueOrDefault(p) + 1;
                stack.Push(p);
            }
        }
        var ready = new PriorityQueue<Commit, (long, ObjectId)>(Comparer<(long Time, ObjectId Id)>.Create((x, y) =>
            x.Time != y.Time ? y.Time.CompareTo(x.Time) : x.Id.CompareTo(y.Id)));
        foreach (var c in all.Values)
            if (!pending.ContainsKey(c.Id)) ready.Enqueue(c, (c.Timestamp.UtcTicks, c.Id));
        var emitted = 0;
        while (ready.Count > 0)
        {
            var c = ready.Dequeue();
            yield return c;
            if (maxCount is { } m && ++emitted >= m) yield break;
            foreach (var p in firstParentOnly ? c.Parents.Take(1) : c.Parents)
            {
                if (!all.TryGetValue(p, out var pc)) continue;
                if (--pending[p] == 0) ready.Enqueue(pc, (pc.Timestamp.UtcTicks, pc.Id));
            }
        }
    }

    private static async Task CollectAsync(ObjectReader reader, ObjectId start, bool firstParentOnly, HashSet<ObjectId> into, CancellationToken ct)
    {
        var stack = new Stack<ObjectId>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!into.Add(id)) continue;
            var c = await reader.GetCommitAsync(id, ct).ConfigureAwait(false);
            foreach (var p in firstParentOnly ? c.Parents.Take(1) : c.Parents) stack.Push(p);
        }
    }
}
