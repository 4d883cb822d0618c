namespace VersionStore.Internal;

/// <summary>Insertion-ordered set of pending ids (not thread-safe; callers lock).</summary>
internal sealed class PendingSet
{
    private readonly Dictionary<ObjectId, long> _positions = [];
    private readonly SortedDictionary<long, ObjectId> _order = [];
    private long _next;

    public int Count => _positions.Count;

    public bool Add(ObjectId id)
    {
        if (_positions.ContainsKey(id)) return false;
        _positions[id] = _next;
        _order[_next++] = id;
        return true;
    }

    public bool Remove(ObjectId id)
    {
        if (!_positions.Remove(id, out var pos)) return false;
        _order.Remove(pos);
        return true;
    }

    public List<ObjectId> Take(int max) => [.. _order.Values.Take(max)];

    public IEnumerable<ObjectId> All => _order.Values;
}
