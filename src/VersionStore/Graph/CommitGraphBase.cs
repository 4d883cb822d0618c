using System.Runtime.CompilerServices;

namespace VersionStore.Graph;

/// <summary>
/// The indexed part of a commit-graph file (docs/FORMAT-commit-graph.md, "base"), held as flat arrays: positions are
/// topological (every parent's position is lower than its child's), per position the id, generation, parent count,
/// first two parent positions and timestamp; a table of positions sorted by id with a 256-entry fanout on the first
/// id byte turns an id into its position with a binary search, so a process uses the file without building a hash
/// table of a million ids. Immutable once built.
/// </summary>
internal sealed class CommitGraphBase
{
    /// <summary>Ints per node in <see cref="Links"/>: generation, parent count, first parent, second parent (-1: none).</summary>
    public const int LinkInts = 4;

    /// <summary>An empty base.</summary>
    public static readonly CommitGraphBase Empty = new(0, [], [], new int[256], [], [], null);

    public CommitGraphBase(int count, byte[] ids, int[] lookup, int[] fanout, int[] links, long[] times, Dictionary<int, int[]>? extra)
    {
        Count = count;
        Ids = ids;
        Lookup = lookup;
        Fanout = fanout;
        Links = links;
        Times = times;
        Extra = extra;
    }

    /// <summary>Number of commits.</summary>
    public int Count { get; }

    /// <summary>Ids in position order, 32 bytes each.</summary>
    public byte[] Ids { get; }

    /// <summary>Positions sorted by id.</summary>
    public int[] Lookup { get; }

    /// <summary>Fanout[b]: number of ids whose first byte is at most b.</summary>
    public int[] Fanout { get; }

    /// <summary><see cref="LinkInts"/> ints per position.</summary>
    public int[] Links { get; }

    /// <summary>Unix microseconds per position.</summary>
    public long[] Times { get; }

    /// <summary>Parents beyond the second of octopus merges, by position (null: none).</summary>
    public Dictionary<int, int[]>? Extra { get; }

    /// <summary>The id at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ObjectId IdOf(int pos) => new(Ids.AsSpan(pos * ObjectId.Size, ObjectId.Size));

    /// <summary>The position of <paramref name="id"/>, or -1: fanout on the first byte, then a binary search.</summary>
    public int Find(ObjectId id)
    {
        if (Count == 0) return -1;
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.WriteTo(key);
        int lo = key[0] == 0 ? 0 : Fanout[key[0] - 1], hi = Fanout[key[0]] - 1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            var pos = Lookup[mid];
            var c = Ids.AsSpan(pos * ObjectId.Size, ObjectId.Size).SequenceCompareTo(key);
            if (c == 0) return pos;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }
}
