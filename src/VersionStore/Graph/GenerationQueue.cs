namespace VersionStore.Graph;

/// <summary>
/// A max-priority queue of graph positions by (generation, timestamp, id) — children before parents — with the
/// best element held outside the heap. Along a linear stretch of history each popped commit's parent is the next
/// best, so it passes through the slot without heap operations; the heap itself compares inline (no comparer calls).
/// </summary>
internal sealed class GenerationQueue(CommitGraph graph)
{
    private Entry[] _heap = new Entry[16];
    private int _count;
    private Entry _top;
    private bool _hasTop;

    private readonly record struct Entry(int Generation, long Time, int Pos);

    public int Count => _count + (_hasTop ? 1 : 0);

    public void Enqueue(int pos)
    {
        var e = new Entry(graph.Generation(pos), graph.Time(pos), pos);
        if (!_hasTop)
        {
            if (_count == 0 || Before(e, _heap[0])) { _top = e; _hasTop = true; return; }
            Push(e);
            return;
        }
        if (Before(e, _top)) { Push(_top); _top = e; }
        else Push(e);
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
        if (x.Time != y.Time) return x.Time > y.Time;
        return graph.CompareIds(x.Pos, y.Pos) < 0;
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
