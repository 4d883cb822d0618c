using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using VersionStore.Internal;

namespace VersionStore.Graph;

/// <summary>
/// A dense in-memory index of the commit DAG, shared by every repository of a <see cref="RepositoryStore"/>
/// (objects, and so commits, are store-wide): each known commit gets an int position; per position the
/// graph keeps the id, generation, timestamp and parent positions in chunked arrays. Walks (ancestry,
/// merge-base, log) run over these ints and never decode commit objects.
/// </summary>
/// <remarks>
/// <para>Built lazily: a position is allocated when a commit is first named (as a query start or as a parent
/// of a loaded commit) and <em>loaded</em> — generation, time and parents filled in — when a walk first
/// needs it, by reading the commit's bytes once and parsing only its header. Commits written by this
/// process are added at once (<see cref="Add(Commit)"/>), so a repository's own history never needs a read.</para>
/// <para>Concurrency: one lock guards position allocation and loading; readers are lock-free. Node data
/// lives in fixed-size chunks that never move, and a node's generation (0 = not loaded) is written last
/// with release semantics, so a reader that sees a generation sees the rest of the node.</para>
/// </remarks>
internal sealed class CommitGraph
{
    private const int ChunkBits = 14;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private static readonly ConditionalWeakTable<RepositoryStore, CommitGraph> Graphs = new();

    private readonly object _gate = new();
    private readonly Dictionary<ObjectId, int> _positions = [];
    private readonly Dictionary<int, int[]> _extraParents = []; // parents beyond the second (octopus merges); guarded by _gate for writes
    private readonly ObjectReader? _reader;
    private Chunk[] _chunks = [];
    private int _count;

    /// <summary>Creates a graph that loads missing commits through <paramref name="reader"/> (null: only <see cref="Add(Commit)"/> feeds it).</summary>
    public CommitGraph(ObjectReader? reader) => _reader = reader;

    /// <summary>The graph of <paramref name="store"/>, created on first use.</summary>
    public static CommitGraph For(RepositoryStore store) => Graphs.GetValue(store, static s => new CommitGraph(s.ObjectReader));

    /// <summary>Positions allocated so far (loaded or not).</summary>
    public int Count => Volatile.Read(ref _count);

    private struct Node
    {
        public ObjectId Id;
        public long Time;      // unix microseconds
        public int P1;         // -1: none
        public int P2;         // -1: none
        public int ParentCount;
        public int Generation; // 0: not loaded yet; written last
    }

    private sealed class Chunk
    {
        public readonly Node[] Nodes = new Node[ChunkSize];
    }

    // ------------------------------------------------------------------ node access (lock-free)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Node At(int pos) => ref Volatile.Read(ref _chunks)[pos >> ChunkBits].Nodes[pos & ChunkMask];

    /// <summary>True once the node's generation, time and parents are known.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLoaded(int pos) => Volatile.Read(ref At(pos).Generation) != 0;

    /// <summary>The generation of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Generation(int pos) => At(pos).Generation;

    /// <summary>The timestamp (unix microseconds) of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Time(int pos) => At(pos).Time;

    /// <summary>The commit id at a position.</summary>
    public ObjectId IdOf(int pos) => At(pos).Id;

    /// <summary>Number of parents of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ParentCount(int pos) => At(pos).ParentCount;

    /// <summary>The <paramref name="index"/>-th parent of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Parent(int pos, int index)
    {
        ref var n = ref At(pos);
        return index switch
        {
            0 => n.P1,
            1 => n.P2,
            _ => ExtraParent(pos, index),
        };
    }

    private int ExtraParent(int pos, int index)
    {
        lock (_gate) return _extraParents[pos][index - 2];
    }

    /// <summary>Orders two positions by commit id (a deterministic tie-break independent of load order).</summary>
    public int CompareIds(int a, int b) => a == b ? 0 : IdOf(a).CompareTo(IdOf(b));

    // ------------------------------------------------------------------ positions and loading

    /// <summary>The position of <paramref name="id"/>, or -1 when the graph has not seen it.</summary>
    public int TryGetPosition(ObjectId id)
    {
        lock (_gate) return _positions.TryGetValue(id, out var p) ? p : -1;
    }

    /// <summary>The position of <paramref name="id"/>, loaded.</summary>
    /// <exception cref="ObjectNotFoundException">The commit is not stored.</exception>
    public async ValueTask<int> GetLoadedAsync(ObjectId id, CancellationToken ct)
    {
        int pos;
        lock (_gate) pos = Intern(id);
        if (!IsLoaded(pos)) await LoadAsync(pos, ct).ConfigureAwait(false);
        return pos;
    }

    /// <summary>Loads node <paramref name="pos"/> from its stored commit (no-op when already loaded).</summary>
    public async ValueTask LoadAsync(int pos, CancellationToken ct)
    {
        if (IsLoaded(pos)) return;
        var id = IdOf(pos);
        if (_reader is null) throw new ObjectNotFoundException(id, "commit (not in the commit graph)");
        var data = await _reader.TryReadVerifiedAsync(id, ct).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, "commit");
        var (parents, generation, micros) = ParseHeader(id, data.Span);
        Publish(id, parents, generation, micros);
    }

    /// <summary>Adds a commit this process has decoded or written (no-op when already loaded).</summary>
    public int Add(Commit commit)
    {
        var parents = commit.Parents as ObjectId[] ?? [.. commit.Parents];
        return Publish(commit.Id, parents, commit.Generation, ObjectCodec.ToUnixMicroseconds(commit.Timestamp));
    }

    /// <summary>Adds a commit from its header fields (benchmarks and bulk loads).</summary>
    public int Add(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long unixMicroseconds)
        => Publish(id, parents, generation, unixMicroseconds);

    private int Publish(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long micros)
    {
        if (generation < 1 || generation > int.MaxValue) throw new CorruptObjectException(id, $"generation {generation} is out of range");
        lock (_gate)
        {
            var pos = Intern(id);
            ref var n = ref At(pos);
            if (n.Generation != 0) return pos;
            n.Time = micros;
            n.ParentCount = parents.Length;
            n.P1 = parents.Length > 0 ? Intern(parents[0]) : -1;
            n.P2 = parents.Length > 1 ? Intern(parents[1]) : -1;
            if (parents.Length > 2)
            {
                var extra = new int[parents.Length - 2];
                for (var i = 2; i < parents.Length; i++) extra[i - 2] = Intern(parents[i]);
                _extraParents[pos] = extra;
            }
            Volatile.Write(ref n.Generation, (int)generation);
            return pos;
        }
    }

    /// <summary>Allocates (or finds) the position of <paramref name="id"/>. Caller holds <see cref="_gate"/>.</summary>
    private int Intern(ObjectId id)
    {
        if (_positions.TryGetValue(id, out var pos)) return pos;
        pos = _count;
        var chunk = pos >> ChunkBits;
        if (chunk == _chunks.Length)
        {
            var grown = new Chunk[Math.Max(4, _chunks.Length * 2)];
            Array.Copy(_chunks, grown, _chunks.Length);
            Volatile.Write(ref _chunks, grown);
        }
        var chunks = _chunks;
        chunks[chunk] ??= new Chunk();
        ref var n = ref chunks[chunk].Nodes[pos & ChunkMask];
        n.Id = id;
        n.P1 = n.P2 = -1;
        _positions.Add(id, pos);
        Volatile.Write(ref _count, pos + 1);
        return pos;
    }

    /// <summary>Reads the graph fields of an encoded commit without decoding its text fields.</summary>
    internal static (ObjectId[] Parents, long Generation, long Micros) ParseHeader(ObjectId id, ReadOnlySpan<byte> encoded)
    {
        if (ObjectCodec.ReadKind(id, encoded) != ObjectKind.Commit) throw new UnexpectedObjectKindException(id, ObjectKind.Commit, ObjectCodec.ReadKind(id, encoded));
        var span = encoded[(ObjectCodec.HeaderSize + ObjectId.Size)..];
        if (!VarInt.TryRead(span, out var count, out var read) || count > (ulong)(span.Length / ObjectId.Size))
            throw new CorruptObjectException(id, "bad parent count");
        span = span[read..];
        var parents = new ObjectId[(int)count];
        for (var i = 0; i < parents.Length; i++)
        {
            parents[i] = new ObjectId(span[..ObjectId.Size]);
            span = span[ObjectId.Size..];
        }
        if (!VarInt.TryRead(span, out var generation, out read) || generation < 1) throw new CorruptObjectException(id, "bad generation");
        span = span[read..];
        if (span.Length < 8) throw new CorruptObjectException(id, "truncated timestamp");
        return (parents, (long)generation, BinaryPrimitives.ReadInt64LittleEndian(span));
    }
}
