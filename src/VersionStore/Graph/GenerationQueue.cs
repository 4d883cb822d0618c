namespace VersionStore.Graph;

/// <summary>
/// A max-priority queue of graph positions by (generation, timestamp, id) — children before parents — with the
/// best element held outside the heap. Along a linear stretch of history each popped commit's parent is the next
/// best, so it passes through the slot without heap operations; the heap itself compares inline (no comparer calls).
/// Entries carry only (generation, position): timestamps and ids are read from the graph on generation ties —
/// unless the caller needs no order within a generation (<c>breakTies: false</c>, e.g. merge-base: commits of one
/// generation are never ancestors of one another), which saves those reads.
/// </summary>
internal sealed class GenerationQueue(CommitGraph graph, bool breakTies = true)
{
    private Entry[] _heap = new Entry[16];
    private int _count;
    private Entry _top;
    private bool _hasTop;

    private readonly record struct Entry(int Generation, int Pos);

    public int Count => _count + (_hasTop ? 1 : 0);

    /// <summary>The generation of the next position; 0 when the queue is empty.</summary>
    public int TopGeneration => _hasTop ? _top.Generation : _count > 0 ? _heap[0].Generation : 0;

    /// <summary>Adds a loaded node.</summary>
    public void Enqueue(int pos) => Enqueue(pos, graph.Generation(pos));

    /// <summary>Adds a loaded node whose generation the caller has read already.</summary>
    public void Enqueue(int pos, int generation)
    {
        var e = new Entry(generation, pos);
        if (!_hasTop)
        {
            if (_count == 0 || Before(e, _heap[0])) { _top = e; _hasTop = true; return; }
            Push(e);
            return;
        }
        if (Before(e, _top)) { Push(_top); _top = e; }
        else Push(e);
    }

    /// <summary>The next position, left in the queue.</summary>
    public int Peek()
    {
        if (_hasTop) return _top.Pos;
        if (_count == 0) throw new InvalidOperationException("The queue is empty.");
        return _heap[0].Pos;
    }

    public int Dequeue()
    {
        if (_hasTop) { _hasTop = false; return _top.Pos; }
        if (_count == 0) throw new InvalidOperationException("The queue is empty.");
        var result = _heap[0];
        var last = _heap[--_count];
        if (_count > 0) SiftDown(last);
        return result.Pos;
    }

    /// <summary>True when <paramref name="x"/> must come out before <paramref name="y"/>.</summary>
    private bool Before(in Entry x, in Entry y)
    {
        if (x.Generation != y.Generation) return x.Generation > y.Generation;
        return breakTies && TieBefore(x.Pos, y.Pos);
    }

    /// <summary>Same generation: newer first, then by id.</summary>
    private bool TieBefore(int x, int y)
    {
        long tx = graph.Time(x), ty = graph.Time(y);
        if (tx != ty) return tx > ty;
        return graph.CompareIds(x, y) < 0;
    }

    private void Push(Entry e)
    {
        if (_count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(e, _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = e;
    }

    private void SiftDown(Entry e)
    {
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Before(_heap[child + 1], _heap[child])) child++;
            if (!Before(_heap[child], e)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = e;
    }
}
