using System.Buffers;
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

    public static ValueTask<bool> IsAncestorAsync(CommitGraph graph, ObjectId ancestor, ObjectId descendant, CancellationToken ct)
    {
        // An attached graph whose positions are at hand (both ends in the file's base, or loaded): straight to the walk,
        // no async state machine (its generic builder code over this method's state would JIT in a fresh process).
        if (graph.AttachPending) return IsAncestorByHeadersAsync(graph, ancestor, descendant, ct);
        var a = graph.GetLoadedAsync(ancestor, ct);
        if (!a.IsCompletedSuccessfully) return AncestorPendingAsync(graph, a, descendant, ct);
        var d = graph.GetLoadedAsync(descendant, ct);
        if (!d.IsCompletedSuccessfully) return DescendantPendingAsync(graph, a.Result, d, ct);
        return IsAncestorAsync(graph, a.Result, d.Result, ct);

        static async ValueTask<bool> AncestorPendingAsync(CommitGraph graph, ValueTask<int> a, ObjectId descendant, CancellationToken ct)
        {
            var at = await a.ConfigureAwait(false);
            return await IsAncestorAsync(graph, at, await graph.GetLoadedAsync(descendant, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        }

        static async ValueTask<bool> DescendantPendingAsync(CommitGraph graph, int a, ValueTask<int> d, CancellationToken ct)
            => await IsAncestorAsync(graph, a, await d.ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    private static async ValueTask<bool> IsAncestorByHeadersAsync(CommitGraph graph, ObjectId ancestor, ObjectId descendant, CancellationToken ct)
    {
        // A fresh process: stored headers may answer without attaching the persisted file — generations say no, or a
        // short walk from the descendant (never below the ancestor's generation) finds it or runs out.
        if (graph.AttachPending
            && await graph.TryReadHeaderAsync(ancestor, ct).ConfigureAwait(false) is { } ha
            && await graph.TryReadHeaderAsync(descendant, ct).ConfigureAwait(false) is { } hd)
        {
            if (ancestor == descendant) return true;
            if (ha.Generation >= hd.Generation) return false;
            if (await ShortHeaderWalkAsync(graph, ancestor, ha.Generation, hd.Parents, ct).ConfigureAwait(false) is { } answer) return answer;
        }
        var a = await graph.GetLoadedAsync(ancestor, ct).ConfigureAwait(false);
        var d = await graph.GetLoadedAsync(descendant, ct).ConfigureAwait(false);
        return await IsAncestorAsync(graph, a, d, ct).ConfigureAwait(false);
    }

    /// <summary>Most commit headers a fresh process reads to answer is-ancestor before it attaches the persisted graph instead.</summary>
    private const int ShortWalkHeaders = 64;

    /// <summary>
    /// Depth-first over stored headers from <paramref name="parents"/> (the descendant's), skipping commits at or below
    /// the ancestor's generation (none of them can reach it): true when found, false when the walk runs out, null when it
    /// needs more than <see cref="ShortWalkHeaders"/> headers or meets a commit that is not stored.
    /// </summary>
    private static async ValueTask<bool?> ShortHeaderWalkAsync(CommitGraph graph, ObjectId ancestor, long ancestorGeneration, ObjectId[] parents, CancellationToken ct)
    {
        var pending = new Stack<ObjectId>(parents);
        var seen = new HashSet<ObjectId>(parents);
        for (var reads = 0; pending.Count > 0; reads++)
        {
            var id = pending.Pop();
            if (id == ancestor) return true;
            if (reads == ShortWalkHeaders || await graph.TryReadHeaderAsync(id, ct).ConfigureAwait(false) is not { } header) return null;
            if (header.Generation <= ancestorGeneration) continue;
            foreach (var p in header.Parents)
                if (seen.Add(p)) pending.Push(p);
        }
        return false;
    }

    /// <summary>True when <paramref name="a"/> is <paramref name="d"/> or reachable from it. O(1) when generations already say no.</summary>
    /// <remarks>
    /// Depth-first from <paramref name="d"/>, never descending to a generation at or below <paramref name="a"/>'s (nothing
    /// there can reach it). The walk runs synchronously over loaded nodes; unloaded parents it meets are set aside,
    /// loaded in a batch when the loaded part is exhausted, and the walk resumes from them.
    /// </remarks>
    public static ValueTask<bool> IsAncestorAsync(CommitGraph graph, int a, int d, CancellationToken ct)
    {
        if (a == d) return ValueTask.FromResult(true);
        var minGen = graph.Generation(a);
        if (minGen >= graph.Generation(d)) return ValueTask.FromResult(false);
        var walk = new AncestorWalk(graph, a, minGen, d);
        var handedOff = false;
        try
        {
            if (walk.Run(ct)) return ValueTask.FromResult(true);
            if (walk.Missing.Count == 0) return ValueTask.FromResult(false);
            handedOff = true;
            return LoadAndResumeAsync(walk, ct);
        }
        finally
        {
            if (!handedOff) walk.Dispose();
        }

        static async ValueTask<bool> LoadAndResumeAsync(AncestorWalk walk, CancellationToken ct)
        {
            using (walk)
            {
                do
                {
                    foreach (var p in walk.Missing) await walk.Graph.LoadAsync(p, ct).ConfigureAwait(false);
                    walk.ResumeFromMissing();
                    if (walk.Run(ct)) return true;
                }
                while (walk.Missing.Count > 0);
                return false;
            }
        }
    }

    private sealed class AncestorWalk : IDisposable
    {
        public readonly CommitGraph Graph;
        public readonly List<int> Missing = [];
        private readonly int _target, _minGen;
        private readonly WalkMarks _marks;
        private int[] _stack = ArrayPool<int>.Shared.Rent(64);
        private int _depth;

        public AncestorWalk(CommitGraph graph, int target, int minGen, int start)
        {
            Graph = graph;
            _target = target;
            _minGen = minGen;
            _marks = new WalkMarks(graph.Count);
            _marks[start] = 1;
            _stack[_depth++] = start;
        }

        /// <summary>Walks the loaded part: true when the target is reached; false when the stack is empty (unloaded parents met are in <see cref="Missing"/>).</summary>
        /// <remarks>
        /// One loop body, two callers (<see cref="Precompiled"/>): where this assembly runs its ReadyToRun image, the
        /// unmarked one, whose precompiled code runs at once (nothing compiled on a fresh process's first walk); in a
        /// JIT process the one marked <see cref="MethodImplOptions.AggressiveOptimization"/>, compiled fully optimised on
        /// first call (a million steps of tier-0 code until on-stack replacement would cost more). Everything the loop
        /// calls per step is inlined — a call between methods of a ReadyToRun image goes through an indirection cell, and
        /// per step that made the precompiled walk ~45 % slower than the JIT's (docs/BENCHMARKS.md, "First walk, fourth pass").
        /// </remarks>
        public bool Run(CancellationToken ct) => Precompiled.IsUsed ? RunPrecompiled(ct) : RunOptimized(ct);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool RunPrecompiled(CancellationToken ct) => RunCore(ct);

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private bool RunOptimized(CancellationToken ct) => RunCore(ct);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool RunCore(CancellationToken ct)
        {
            var graph = Graph;
            var marks = _marks;
            var steps = 0;
            while (_depth > 0)
            {
                if ((++steps & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                var c = _stack[--_depth];
                graph.Read(c, out var n, out var p1, out var p2);
                if (n == 0) continue;
                if (Visit(graph, marks, p1)) return true;
                if (n == 1) continue;
                if (Visit(graph, marks, p2)) return true;
                for (var i = 2; i < n; i++)
                    if (Visit(graph, marks, graph.Parent(c, i))) return true;
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Visit(CommitGraph graph, WalkMarks marks, int p)
        {
            if (p == _target) return true;
            if (marks[p] != 0) return false;
            marks[p] = 1;
            var g = graph.Read(p, out _, out _, out _);
            if (g == 0) Missing.Add(p);
            else if (g > _minGen) Push(p);
            return false;
        }

        /// <summary>After <see cref="Missing"/> was loaded: continue from those that can still lead to the target.</summary>
        public void ResumeFromMissing()
        {
            foreach (var p in Missing)
                if (Graph.Generation(p) > _minGen) Push(p);
            Missing.Clear();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per commit walked: inlined into Run (see there)
        private void Push(int p)
        {
            if (_depth == _stack.Length) GrowStack();
            _stack[_depth++] = p;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void GrowStack()
        {
            var bigger = ArrayPool<int>.Shared.Rent(_stack.Length * 2);
            Array.Copy(_stack, bigger, _depth);
            ArrayPool<int>.Shared.Return(_stack);
            _stack = bigger;
        }

        public void Dispose()
        {
            _marks.Dispose();
            ArrayPool<int>.Shared.Return(_stack);
            _stack = [];
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

    /// <summary>Merge bases of two loaded positions; synchronous while every node the walk needs is loaded.</summary>
    public static ValueTask<List<int>> MergeBasesAsync(CommitGraph graph, int l, int r, CancellationToken ct)
    {
        if (l == r) return ValueTask.FromResult(new List<int> { l });
        var walk = new MergeBaseWalk(graph, l, r);
        var handedOff = false;
        try
        {
            var missing = walk.Run(ct);
            if (missing < 0) return ValueTask.FromResult(walk.Results());
            handedOff = true;
            return LoadAndResumeAsync(walk, missing, ct);
        }
        finally
        {
            if (!handedOff) walk.Dispose();
        }

        static async ValueTask<List<int>> LoadAndResumeAsync(MergeBaseWalk walk, int missing, CancellationToken ct)
        {
            using (walk)
            {
                do
                {
                    await walk.Graph.LoadAsync(missing, ct).ConfigureAwait(false);
                    missing = walk.Run(ct);
                }
                while (missing >= 0);
                return walk.Results();
            }
        }
    }

    private sealed class MergeBaseWalk : IDisposable
    {
        public readonly CommitGraph Graph;
        private readonly WalkMarks _marks;
        private readonly GenerationQueue _queue;
        private readonly List<int> _results = [];
        private int _nonStale;

        public MergeBaseWalk(CommitGraph graph, int l, int r)
        {
            Graph = graph;
            _marks = new WalkMarks(graph.Count);
            _queue = new GenerationQueue(graph, breakTies: false);
            Enqueue(l, Left, graph.Generation(l));
            Enqueue(r, Right, graph.Generation(r));
        }

        /// <summary>
        /// Runs until no non-stale commit is queued (returns -1) or the next commit has a parent that is not loaded
        /// (returns that parent's position; the commit stays queued and is processed again after the load).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see AncestorWalk.Run
        public int Run(CancellationToken ct)
        {
            var graph = Graph;
            var marks = _marks;
            var queue = _queue;
            var steps = 0;
            while (_nonStale > 0)
            {
                if ((++steps & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                var c = queue.Peek();
                graph.Read(c, out var n, out var p1, out var p2);
                var missing = FirstUnloadedParent(graph, c, n, p1, p2);
                if (missing >= 0) return missing;
                queue.Dequeue();
                var f = marks[c];
                if ((f & Stale) == 0) _nonStale--;
                f &= unchecked((byte)~Queued);
                marks[c] = f;
                var paint = (byte)(f & (Left | Right | Stale));
                while (true)
                {
                    if (paint == (Left | Right))
                    {
                        _results.Add(c);
                        paint |= Stale;
                    }
                    if (n == 0) break;
                    if (n == 1)
                    {
                        // Linear run: an unseen single parent at or above everything queued could be popped next, so it
                        // is processed at once with the same paint (no queue traffic; the non-stale count is unchanged by
                        // the enqueue/dequeue pair it skips) — unless the walk would end here, or one of its parents must
                        // be loaded first. It needs no mark: every later pop has at most its generation, so none has it as
                        // a parent (a parent's generation is lower than its child's) and nothing reaches it again.
                        if (marks[p1] == 0 && graph.Generation(p1) >= queue.TopGeneration && ((paint & Stale) == 0 || _nonStale > 0))
                        {
                            graph.Read(p1, out var n1, out var q1, out var q2);
                            if (FirstUnloadedParent(graph, p1, n1, q1, q2) < 0)
                            {
                                if ((++steps & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                                c = p1;
                                (n, p1, p2) = (n1, q1, q2);
                                continue;
                            }
                        }
                        Paint(graph, marks, p1, paint);
                        break;
                    }
                    Paint(graph, marks, p1, paint);
                    Paint(graph, marks, p2, paint);
                    for (var i = 2; i < n; i++) Paint(graph, marks, graph.Parent(c, i), paint);
                    break;
                }
            }
            return -1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Paint(CommitGraph graph, WalkMarks marks, int p, byte paint)
        {
            var pf = marks[p];
            if ((pf & paint) == paint) return;
            if ((pf & Queued) != 0)
            {
                if ((pf & Stale) == 0 && (paint & Stale) != 0) _nonStale--;
                marks[p] = (byte)(pf | paint);
            }
            else Enqueue(p, (byte)(pf | paint), graph.Generation(p));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per commit walked: see AncestorWalk.Run
        private void Enqueue(int pos, byte flags, int generation)
        {
            _marks[pos] = (byte)(flags | Queued);
            if ((flags & Stale) == 0) _nonStale++;
            _queue.Enqueue(pos, generation);
        }

        public List<int> Results()
        {
            var graph = Graph;
            _results.Sort((x, y) => graph.Generation(x) != graph.Generation(y) ? graph.Generation(y).CompareTo(graph.Generation(x)) : graph.CompareIds(x, y));
            return _results;
        }

        public void Dispose() => _marks.Dispose();
    }

    /// <summary>The first of the first <paramref name="n"/> parents of loaded node <paramref name="c"/> that is not loaded; -1 when all are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FirstUnloadedParent(CommitGraph graph, int c, int n, int p1, int p2)
    {
        if (n == 0) return -1;
        if (!graph.IsLoaded(p1)) return p1;
        if (n == 1) return -1;
        if (!graph.IsLoaded(p2)) return p2;
        for (var i = 2; i < n; i++)
        {
            var p = graph.Parent(c, i);
            if (!graph.IsLoaded(p)) return p;
        }
        return -1;
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
    public static IAsyncEnumerable<Commit> WalkAsync(ObjectReader reader, CommitGraph graph, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude,
        bool firstParentOnly, LogOrder order, int? maxCount, CancellationToken ct)
        => graph.AttachPending && maxCount is > 0 and <= ShortWalkHeaders && include.Count == 1 && exclude.Count == 0
            ? ShortLogAsync(reader, graph, include, firstParentOnly, order, maxCount.Value, ct)
            : GraphWalkAsync(reader, graph, include, exclude, firstParentOnly, order, maxCount, ct);

    private static IAsyncEnumerable<Commit> GraphWalkAsync(ObjectReader reader, CommitGraph graph, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude,
        bool firstParentOnly, LogOrder order, int? maxCount, CancellationToken ct)
        => order == LogOrder.Date
            ? DateWalkAsync(reader, graph, include, exclude, firstParentOnly, maxCount, ct)
            : new TopoLog(reader, graph, include, exclude, firstParentOnly, maxCount, ct);

    /// <summary>
    /// <c>log -n N</c> in a fresh process (the persisted graph not attached yet): when the newest <paramref name="maxCount"/>
    /// commits form a chain (no merge before the last of them, or first-parent only), that chain is the answer in either
    /// order — a parent never comes before its child — so it is read commit by commit without attaching the file;
    /// otherwise (a merge, a commit not stored) the graph walk answers.
    /// </summary>
    private static async IAsyncEnumerable<Commit> ShortLogAsync(ObjectReader reader, CommitGraph graph, IReadOnlyList<ObjectId> include,
        bool firstParentOnly, LogOrder order, int maxCount, [EnumeratorCancellation] CancellationToken ct)
    {
        var chain = new List<Commit>(maxCount);
        var id = include[0];
        var isChain = true;
        while (chain.Count < maxCount)
        {
            if (await reader.TryGetCommitAsync(id, ct).ConfigureAwait(false) is not { } commit) { isChain = false; break; }
            chain.Add(commit);
            if (commit.Parents.Count == 0 || chain.Count == maxCount) break;
            if (commit.Parents.Count > 1 && !firstParentOnly) { isChain = false; break; }
            id = commit.Parents[0];
        }
        if (isChain)
        {
            foreach (var c in chain) yield return c;
            yield break;
        }
        await foreach (var c in GraphWalkAsync(reader, graph, include, [], firstParentOnly, order, maxCount, ct).ConfigureAwait(false))
            yield return c;
    }

    private static async IAsyncEnumerable<Commit> DateWalkAsync(ObjectReader reader, CommitGraph graph, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude,
        bool firstParentOnly, int? maxCount, [EnumeratorCancellation] CancellationToken ct)
    {
        var (inc, exc) = await PositionsAsync(graph, include, exclude, ct).ConfigureAwait(false);
        var set = new List<int>();
        using (var walk = new TopoWalk(graph, inc, exc, firstParentOnly))
        {
            while (true)
            {
                var step = walk.Next(out var pos, ct);
                if (step == TopoWalk.Done) break;
                if (step == TopoWalk.NeedsLoad) await graph.LoadAsync(pos, ct).ConfigureAwait(false);
                else set.Add(pos);
            }
        }
        var emitted = 0;
        foreach (var pos in DateOrder(graph, set, firstParentOnly))
        {
            if (maxCount is { } m && emitted >= m) yield break;
            yield return await reader.GetCommitAsync(graph.IdOf(pos), ct).ConfigureAwait(false);
            emitted++;
        }
    }

    private static async ValueTask<(List<int> Include, List<int> Exclude)> PositionsAsync(CommitGraph graph, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude, CancellationToken ct)
    {
        var inc = new List<int>(include.Count);
        foreach (var i in include) inc.Add(await graph.GetLoadedAsync(i, ct).ConfigureAwait(false));
        var exc = new List<int>(exclude.Count);
        foreach (var e in exclude) exc.Add(await graph.GetLoadedAsync(e, ct).ConfigureAwait(false));
        return (inc, exc);
    }

    /// <summary>
    /// The topological log as a hand-written async enumerator: a step completes synchronously when the walk's nodes
    /// are loaded and the commit is in the decoded-object cache (the common case for the newest commits), and goes
    /// async only to load a node or read a commit — an async iterator would pay a state machine round per commit.
    /// </summary>
    private sealed class TopoLog(ObjectReader reader, CommitGraph graph, IReadOnlyList<ObjectId> include, IReadOnlyList<ObjectId> exclude,
        bool firstParentOnly, int? maxCount, CancellationToken ct) : IAsyncEnumerable<Commit>
    {
        private readonly ObjectReader _reader = reader;
        private readonly CommitGraph _graph = graph;
        private readonly IReadOnlyList<ObjectId> _include = include, _exclude = exclude;
        private readonly bool _firstParentOnly = firstParentOnly;
        private readonly int? _maxCount = maxCount;
        private readonly CancellationToken _ct = ct;

        public IAsyncEnumerator<Commit> GetAsyncEnumerator(CancellationToken cancellationToken = default)
            => new Enumerator(this, _ct.CanBeCanceled ? _ct : cancellationToken);

        private sealed class Enumerator(TopoLog log, CancellationToken ct) : IAsyncEnumerator<Commit>
        {
            private TopoWalk? _walk;
            private int _count;
            private bool _done;

            public Commit Current { get; private set; } = null!;

            public ValueTask<bool> MoveNextAsync()
            {
                if (_walk is null || _done) return SlowAsync();
                if (log._maxCount is { } max && _count >= max) return Finish();
                ct.ThrowIfCancellationRequested();
                var step = _walk.Next(out var pos, ct);
                if (step == TopoWalk.Done) return Finish();
                if (step == TopoWalk.NeedsLoad) return SlowAsync();
                var read = log._reader.GetCommitAsync(log._graph.IdOf(pos), ct);
                if (!read.IsCompletedSuccessfully) return AwaitCommitAsync(read);
                Current = read.Result;
                _count++;
                return ValueTask.FromResult(true);
            }

            private ValueTask<bool> Finish()
            {
                _done = true;
                return ValueTask.FromResult(false);
            }

            private async ValueTask<bool> AwaitCommitAsync(ValueTask<Commit> read)
            {
                Current = await read.ConfigureAwait(false);
                _count++;
                return true;
            }

            private async ValueTask<bool> SlowAsync()
            {
                if (_done) return false;
                if (_walk is null)
                {
                    var (inc, exc) = await PositionsAsync(log._graph, log._include, log._exclude, ct).ConfigureAwait(false);
                    _walk = new TopoWalk(log._graph, inc, exc, log._firstParentOnly);
                }
                while (true)
                {
                    if (log._maxCount is { } max && _count >= max) break;
                    var step = _walk.Next(out var pos, ct);
                    if (step == TopoWalk.Done) break;
                    if (step == TopoWalk.NeedsLoad)
                    {
                        await log._graph.LoadAsync(pos, ct).ConfigureAwait(false);
                        continue;
                    }
                    Current = await log._reader.GetCommitAsync(log._graph.IdOf(pos), ct).ConfigureAwait(false);
                    _count++;
                    return true;
                }
                _done = true;
                return false;
            }

            public ValueTask DisposeAsync()
            {
                _done = true;
                _walk?.Dispose();
                _walk = null;
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>Positions of the range, children before parents (generation descending, then newer first, then id).</summary>
    public static async IAsyncEnumerable<int> TopoAsync(CommitGraph graph, IReadOnlyList<int> include, IReadOnlyList<int> exclude, bool firstParentOnly,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var walk = new TopoWalk(graph, include, exclude, firstParentOnly);
        while (true)
        {
            var step = walk.Next(out var pos, ct);
            if (step == TopoWalk.Done) yield break;
            if (step == TopoWalk.NeedsLoad) await graph.LoadAsync(pos, ct).ConfigureAwait(false);
            else yield return pos;
        }
    }

    /// <summary>
    /// The topological walk behind <see cref="WalkAsync"/>, resumable and synchronous over loaded nodes: a
    /// generation-ordered walk of the included and excluded sets at once, where a commit's exclusion is final when
    /// popped; it ends when only excluded commits are queued.
    /// </summary>
    private sealed class TopoWalk : IDisposable
    {
        public const int Done = 0, Found = 1, NeedsLoad = 2;

        private readonly CommitGraph _graph;
        private readonly WalkMarks _marks;
        private readonly GenerationQueue _queue;
        private readonly bool _firstParentOnly;
        private int _interesting;

        public TopoWalk(CommitGraph graph, IReadOnlyList<int> include, IReadOnlyList<int> exclude, bool firstParentOnly)
        {
            _graph = graph;
            _marks = new WalkMarks(graph.Count);
            _queue = new GenerationQueue(graph);
            _firstParentOnly = firstParentOnly;
            foreach (var e in exclude) Push(e, Uninteresting);
            foreach (var i in include) Push(i, 0);
        }

        /// <summary>
        /// <see cref="Found"/>: <paramref name="pos"/> is the next commit of the range. <see cref="NeedsLoad"/>: load
        /// <paramref name="pos"/> and call again (nothing was consumed). <see cref="Done"/>: the range is exhausted.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see AncestorWalk.Run
        public int Next(out int pos, CancellationToken ct)
        {
            var graph = _graph;
            var steps = 0;
            while (_interesting > 0)
            {
                if ((++steps & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                var c = _queue.Peek();
                graph.Read(c, out var n, out var p1, out var p2);
                if (_firstParentOnly && n > 1) n = 1;
                var missing = FirstUnloadedParent(graph, c, n, p1, p2);
                if (missing >= 0)
                {
                    pos = missing;
                    return NeedsLoad;
                }
                _queue.Dequeue();
                var f = (byte)(_marks[c] & ~InQueue);
                _marks[c] = f;
                var flag = (f & Uninteresting) != 0 ? Uninteresting : (byte)0;
                if (n > 0) Push(p1, flag);
                if (n > 1) Push(p2, flag);
                for (var i = 2; i < n; i++) Push(graph.Parent(c, i), flag);
                if (flag == 0)
                {
                    _interesting--;
                    pos = c;
                    return Found;
                }
            }
            pos = -1;
            return Done;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per commit walked: see AncestorWalk.Run
        private void Push(int pos, byte flag)
        {
            var pf = _marks[pos];
            if ((pf & Seen) != 0)
            {
                // Already queued or done: only an exclusion can still change it (while queued).
                if (flag == Uninteresting && (pf & Uninteresting) == 0)
                {
                    if ((pf & InQueue) != 0) _interesting--;
                    _marks[pos] = (byte)(pf | Uninteresting);
                }
                return;
            }
            _marks[pos] = (byte)(Seen | InQueue | flag);
            if (flag == 0) _interesting++;
            _queue.Enqueue(pos);
        }

        public void Dispose() => _marks.Dispose();
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
