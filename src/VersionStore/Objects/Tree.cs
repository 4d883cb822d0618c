using System.Collections;

namespace VersionStore;

/// <summary>
/// An immutable tree object: entries sorted by name (ordinal UTF-8 byte order, which for the names allowed
/// here equals ordinal UTF-16 order except for surrogate pairs — the codec sorts by UTF-8 bytes).
/// </summary>
public sealed class Tree : IReadOnlyList<TreeEntry>
{
    private readonly TreeEntry[] _entries;

    internal Tree(ObjectId id, TreeEntry[] sortedEntries)
    {
        Id = id;
        _entries = sortedEntries;
    }

    /// <summary>The tree's id.</summary>
    public ObjectId Id { get; }

    /// <inheritdoc />
    public int Count => _entries.Length;

    /// <inheritdoc />
    public TreeEntry this[int index] => _entries[index];

    /// <summary>Finds an entry by name (binary search).</summary>
    public bool TryGetEntry(string name, out TreeEntry entry)
    {
        var i = IndexOf(name);
        entry = i >= 0 ? _entries[i] : default;
        return i >= 0;
    }

    internal int IndexOf(string name)
    {
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Internal.EntryNames.Compare(_entries[mid].Name, name);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    internal ReadOnlySpan<TreeEntry> Entries => _entries;

    /// <inheritdoc />
    public IEnumerator<TreeEntry> GetEnumerator() => ((IEnumerable<TreeEntry>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();
}
