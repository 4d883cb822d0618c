using System.Runtime.CompilerServices;
using VersionStore.Graph;

namespace VersionStore.Internal;

/// <summary>
/// History walks over the <see cref="CommitGraph"/>: int positions, generation numbers and per-walk flag
/// arrays — no decoded commits, no hash sets of ids. A commit's generation is larger than any ancestor's,
/// so walks pop commits in generation order (each commit is then final when popped: every descendant in
/// the walk was handled before it) and stop as soon as nothing interesting is left in the queue.
/// </summary>
internal static class History
{
    // ------------------------------------------------------------------ is-ancestor

    public static async ValueTask<bool> IsAncestorAsync(CommitGraph graph, ObjectId ancestor, ObjectId descendant, CancellationToken ct)
    {
        var a = await graph.GetLoadedAsync(ancestor, ct).ConfigureAwait(false);
        var d = await graph.GetLoadedAsync(descendant, ct).ConfigureAwait(false);
        return await IsAncestorAsync(graph, a, d, ct).ConfigureAwait(false);
    }

    /// <summary>True when <paramref name="a"/> is <paramref name="d"/> or reachable from it. O(1) when generations already say no.</summary>
    public static ValueTask<bool> IsAncestorAsync(CommitGraph graph, int a, int d, CancellationToken ct)
    {
        if (a == d) return ValueTask.FromResult(true);
        if (graph.Generation(a) >= graph.Generation(d)) return ValueTask.FromResult(false);
        return WalkAsync(graph, a, d, ct);

        static async ValueTask<bool> WalkAsync(CommitGraph graph, int a, int d, CancellationToken ct)
        {
            var minGen = graph.Generation(a);
            using var marks = new WalkMarks(graph.Count);
            var stack = new Stack<int>();
            stack.Push(d);
            marks[d] = 1;
            var steps = 0;
            while (stack.Count > 0)
            {
                if ((++steps & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
                var c = stack.Pop();
                var n = graph.ParentCount(c);
                for (var i = 0; i < n; i++)
                {
                    var p = graph.Parent(c, i);
                    if (p == a) return true;
                    if (marks[p] != 0) continue;
                    marks[p] = 1;
                    if (!graph.IsLoaded(p)) await graph.LoadAsync(p, ct).ConfigureAwait(false);
                    if (graph.Generation(p) > minGen) stack.Push(p);
                }
            }
            return false;
        }
    }

    // ------------------------------------------------------------------ merge bases

    private const byte Left = 1, Right = 2, Stale = 4, Queued = 8;

    /// <summary>All best common ancestors (the set <c>git merge-base --all</c> prints), newest generation first, then by id.</summary>
    /// <remarks>
    /// git's paint-down-to-common, popped strictly by generation: a commit is popped once, after all its
    /// descendants in the walk, so a common ancestor found non-stale is never an ancestor of another one and
    /// no redundancy pass is needed. The walk stops when every queued commit is stale (below a found base).
    /// </remarks>
    public static async Task<IReadOnlyList<ObjectId>> MergeBasesAsync(CommitGraph graph, ObjectId left, ObjectId right, CancellationToken ct)
    {
        var l = await graph.GetLoadedAsync(left, ct).ConfigureAwait(false);
        var r = await graph.GetLoadedAsync(right, ct).ConfigureAwait(false);
        var bases = await MergeBasesAsync(graph, l, r, ct).ConfigureAwait(false);
        var result = new ObjectId[bases.Count];
        for (var i = 0; i < result.Length; i++) result[i] = graph.IdOf(bases[i]);
        return result;
    }

    public static async ValueTask<List<int>> MergeBasesAsync(CommitGraph graph, int l, int r, CancellationToken ct)
    {
        if (l == r) return [l];
        using var marks = new WalkMarks(graph.Count);
        var queue = new GenerationQueue(graph);
        var nonStale = 0;
        Enqueue(l, Left);
        Enqueue(r, Right);
        var results = new List<int>();
        var steps = 0;
        while (nonStale > 0)
        {
            if ((++steps & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
            var c = queue.Dequeue();
            var f = marks[c];
            if ((f & Stale) == 0) nonStale--;
            f &= unchecked((byte)~Queued);
            marks[c] = f;
            var paint = (byte)(f & (Left | Right | Stale));
            if (paint == (Left | Right))
            {
                results.Add(c);
                paint |= Stale;
            }
            var n = graph.ParentCount(c);
            for (var i = 0; i < n; i++)
            {
                var p = graph.Parent(c, i);
                var pf = marks[p];
                if ((pf & paint) == paint) continue;
                if (!graph.IsLoaded(p)) await graph.LoadAsync(p, ct).ConfigureAwait(false);
                if ((pf & Queued) != 0)
                {
                    if ((pf & Stale) == 0 && (paint & Stale) != 0) nonStale--;
                    marks[p] = (byte)(pf | paint);
                }
                else Enqueue(p, (byte)(pf | paint));
            }
        }
        results.Sort((x, y) => graph.Generation(x) != graph.Generation(y) ? graph.Generation(y).CompareTo(graph.Generation(x)) : graph.CompareIds(x, y));
        return results;

        void Enqueue(int pos, byte flags)
        {
            marks[pos] = (byte)(flags | Queued);
            if ((flags & Stale) == 0) nonStale++;
            queue.Enqueue(pos);
        }
    }

    // ------------------------------------------------------------------ log

    private const byte Seen = 1, Uninteresting = 2, InQueue = 4;

    /// <summary>
    /// Commits reachable from <paramref name="include"/> and not from <paramref name="exclude"/>, in
    /// <paramref name="order"/>. Topological order streams: a generation-ordered walk of both sets at once,
    /// where a commit's exclusion is final when popped, stopping when only excluded commits are queued (so
    /// <c>a..b</c> costs the commits between a and b, not a's whole history). Date order needs the whole set
    /// first (a commit is shown only after all its children in the set), then streams by timestamp.
    /// </summary>
    public static async IAsyncEnumerable<Commit> WalkAsync(ObjectReader reader, CommitGraph graph, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude,
        bool firstParentOnly, LogOrder order, int? maxCount, [EnumeratorCancellation] CancellationToken ct)
    {
        var inc = new List<int>();
        foreach (var i in include) inc.Add(await graph.GetLoadedAsync(i, ct).ConfigureAwait(false));
        var exc = new List<int>();
        foreach (var e in exclude) exc.Add(await graph.GetLoadedAsync(e, ct).ConfigureAwait(false));

        if (order == LogOrder.Date)
        {
            var set = new List<int>();
            await foreach (var pos in TopoAsync(graph, inc, exc, firstParentOnly, ct).ConfigureAwait(false)) set.Add(pos);
            var emitted = 0;
            foreach (var pos in DateOrder(graph, set, firstParentOnly))
            {
                yield return await reader.GetCommitAsync(graph.IdOf(pos), ct).ConfigureAwait(false);
                if (maxCount is { } m && ++emitted >= m) yield break;
            }
            yield break;
        }

        var count = 0;
        await foreach (var pos in TopoAsync(graph, inc, exc, firstParentOnly, ct).ConfigureAwait(false))
        {
            if (maxCount is { } m && count >= m) yield break;
            yield return await reader.GetCommitAsync(graph.IdOf(pos), ct).ConfigureAwait(false);
            count++;
        }
    }

    /// <summary>Positions of the range, children before parents (generation descending, then newer first, then id).</summary>
    public static async IAsyncEnumerable<int> TopoAsync(CommitGraph graph, IReadOnlyList<int> include, IReadOnlyList<int> exclude, bool firstParentOnly,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var marks = new WalkMarks(graph.Count);
        var queue = new GenerationQueue(graph);
        var interesting = 0;
        foreach (var e in exclude) Push(e, Uninteresting);
        foreach (var i in include) Push(i, 0);
        var steps = 0;
        while (interesting > 0)
        {
            if ((++steps & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
            var c = queue.Dequeue();
            var f = (byte)(marks[c] & ~InQueue);
            marks[c] = f;
            var excluded = (f & Uninteresting) != 0;
            if (!excluded)
            {
                interesting--;
                yield return c;
            }
            var n = firstParentOnly ? Math.Min(1, graph.ParentCount(c)) : graph.ParentCount(c);
            for (var i = 0; i < n; i++)
            {
                var p = graph.Parent(c, i);
                if (!graph.IsLoaded(p)) await graph.LoadAsync(p, ct).ConfigureAwait(false);
                Push(p, excluded ? Uninteresting : (byte)0);
            }
        }

        void Push(int pos, byte flag)
        {
            var pf = marks[pos];
            if ((pf & Seen) != 0)
            {
                // Already queued or done: only an exclusion can still change it (while queued).
                if (flag == Uninteresting && (pf & Uninteresting) == 0)
                {
                    if ((pf & InQueue) != 0) interesting--;
                    marks[pos] = (byte)(pf | Uninteresting);
                }
                return;
            }
            marks[pos] = (byte)(Seen | InQueue | flag);
            if (flag == 0) interesting++;
            queue.Enqueue(pos);
        }
    }

    /// <summary>Newest timestamp first, but a commit only after all its children in the set (Kahn's algorithm), so clock skew never puts a parent first.</summary>
    private static IEnumerable<int> DateOrder(CommitGraph graph, List<int> set, bool firstParentOnly)
    {
        var pending = new Dictionary<int, int>(set.Count);
        foreach (var c in set) pending[c] = 0;
        foreach (var c in set)
        {
            var n = firstParentOnly ? Math.Min(1, graph.ParentCount(c)) : graph.ParentCount(c);
            for (var i = 0; i < n; i++)
            {
                var p = graph.Parent(c, i);
                if (pending.TryGetValue(p, out var k)) pending[p] = k + 1;
            }
        }
        var ready = new PriorityQueue<int, (long Time, int Pos)>(Comparer<(long Time, int Pos)>.Create((x, y) =>
            x.Time != y.Time ? y.Time.CompareTo(x.Time) : graph.CompareIds(x.Pos, y.Pos)));
        foreach (var (c, k) in pending)
            if (k == 0) ready.Enqueue(c, (graph.Time(c), c));
        while (ready.Count > 0)
        {
            var c = ready.Dequeue();
            yield return c;
            var n = firstParentOnly ? Math.Min(1, graph.ParentCount(c)) : graph.ParentCount(c);
            for (var i = 0; i < n; i++)
            {
                var p = graph.Parent(c, i);
                if (!pending.TryGetValue(p, out var k)) continue;
                pending[p] = --k;
                if (k == 0) ready.Enqueue(p, (graph.Time(p), p));
            }
        }
    }
}
