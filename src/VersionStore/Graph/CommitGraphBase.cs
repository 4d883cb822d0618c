using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace VersionStore.Graph;

/// <summary>
/// The indexed part of a commit-graph file (docs/FORMAT-commit-graph.md, "base"): positions are topological (every
/// parent's position is lower than its child's); per position the id, generation, parent count, first two parent
/// positions and timestamp; a table of positions sorted by id behind a 256-entry fanout on the first id byte turns an
/// id into its position with a binary search. Either built in memory (to be written) or a read-only memory map of a
/// validated file, so a process uses a file of a million commits without copying it or building a hash table of ids.
/// Immutable.
/// </summary>
/// <remarks>
/// A mapped base stays mapped for the life of this object (the finalizer unmaps it). Writers never shrink a file
/// below its base (a rewrite renames a new file over it; the old one stays mapped), so the map never loses its
/// pages; a file truncated by hand under a running process is the one thing that would (as for git's mapped files).
/// </remarks>
internal sealed unsafe class CommitGraphBase
{
    /// <summary>Ints per node in <see cref="Links"/>: generation, parent count, first parent, second parent (-1: none).</summary>
    public const int LinkInts = 4;

    /// <summary>An empty base (no arrays to pin: a fresh process that finds no file allocates nothing for it).</summary>
    public static readonly CommitGraphBase Empty = new();

    private readonly byte* _ids;
    private readonly int* _lookup;
    private readonly byte* _times; // i64, possibly unaligned
    private readonly int[] _fanout;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    // A built base keeps its arrays pinned (allocated on the pinned heap) so both kinds read through pointers.
    private readonly object? _arrays;

    /// <summary>The empty base: every pointer null, never dereferenced (<see cref="Count"/> is 0).</summary>
    private CommitGraphBase() => _fanout = new int[256];

    /// <summary>A base over arrays (built in memory, to be written).</summary>
    public CommitGraphBase(int count, byte[] ids, int[] lookup, int[] fanout, int[] links, long[] times, Dictionary<int, int[]>? extra)
    {
        Count = count;
        _fanout = fanout;
        Extra = extra;
        var pinnedIds = Pin(ids);
        var pinnedLookup = Pin(lookup);
        var pinnedLinks = Pin(links);
        var pinnedTimes = Pin(times);
        _arrays = new object[] { pinnedIds, pinnedLookup, pinnedLinks, pinnedTimes };
        _ids = (byte*)Unsafe.AsPointer(ref MemoryMarshalPin(pinnedIds));
        _lookup = (int*)Unsafe.AsPointer(ref MemoryMarshalPin(pinnedLookup));
        Links = (int*)Unsafe.AsPointer(ref MemoryMarshalPin(pinnedLinks));
        _times = (byte*)Unsafe.AsPointer(ref MemoryMarshalPin(pinnedTimes));
    }

    /// <summary>A base over a validated memory map (the pointers point into the view, which it then owns).</summary>
    public CommitGraphBase(int count, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* idsAt, int* lookupAt, int* linksAt, byte* timesAt, int[] fanout, Dictionary<int, int[]>? extra)
    {
        Count = count;
        _map = map;
        _view = view;
        _ids = idsAt;
        _lookup = lookupAt;
        Links = linksAt;
        _times = timesAt;
        _fanout = fanout;
        Extra = extra;
    }

    ~CommitGraphBase()
    {
        if (_view is null) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map?.Dispose();
    }

    private static T[] Pin<T>(T[] array) where T : unmanaged
    {
        var pinned = GC.AllocateUninitializedArray<T>(Math.Max(array.Length, 1), pinned: true);
        array.CopyTo(pinned, 0);
        return pinned;
    }

    private static ref T MemoryMarshalPin<T>(T[] pinned) => ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned);

    /// <summary>Number of commits.</summary>
    public int Count { get; }

    /// <summary><see cref="LinkInts"/> ints per position.</summary>
    public int* Links { get; }

    /// <summary>Fanout[b]: number of ids whose first byte is at most b.</summary>
    public ReadOnlySpan<int> Fanout => _fanout;

    /// <summary>Ids in position order (32 bytes each).</summary>
    public ReadOnlySpan<byte> Ids => new(_ids, Count * ObjectId.Size);

    /// <summary>Positions sorted by id.</summary>
    public ReadOnlySpan<int> Lookup => new(_lookup, Count);

    /// <summary>Timestamps of every position (i64 little-endian each).</summary>
    public ReadOnlySpan<byte> TimeBytes => new(_times, Count * 8);

    /// <summary>Link ints of every position.</summary>
    public ReadOnlySpan<int> LinkSpan => new(Links, Count * LinkInts);

    /// <summary>Parents beyond the second of octopus merges, by position (null: none).</summary>
    public Dictionary<int, int[]>? Extra { get; }

    /// <summary>The id at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ObjectId IdOf(int pos) => new(new ReadOnlySpan<byte>(_ids + ((long)pos * ObjectId.Size), ObjectId.Size));

    /// <summary>The timestamp (unix microseconds) at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TimeOf(int pos) => Unsafe.ReadUnaligned<long>(_times + ((long)pos * 8));

    /// <summary>The position of <paramref name="id"/>, or -1: fanout on the first byte, then a binary search.</summary>
    public int Find(ObjectId id)
    {
        if (Count == 0) return -1;
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.WriteTo(key);
        int lo = key[0] == 0 ? 0 : _fanout[key[0] - 1], hi = _fanout[key[0]] - 1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            var pos = _lookup[mid];
            // As ids, not by SequenceCompareTo: its vector code is not used precompiled on this path and would JIT on a
            // fresh process's first lookup. ObjectId's order is the bytes' order.
            var c = new ObjectId(new ReadOnlySpan<byte>(_ids + ((long)pos * ObjectId.Size), ObjectId.Size)).CompareTo(id);
            if (c == 0) return pos;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }
}
