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
/// <para>Layout: structure of arrays per chunk. What a walk reads for every commit — generation, parent count
/// and the first two parents — sits in 16 bytes of one int array (<c>Links</c>), so a walk over a million
/// commits streams 16 MB rather than the whole node (ids and times live in their own arrays and are read
/// only to break ties and to answer).</para>
/// <para>Concurrency: one lock guards position allocation and loading; readers are lock-free. Chunks never
/// move once created and a loaded node is never written again. A node's generation (0 = not loaded) is
/// written last with release semantics (<see cref="Volatile.Write(ref int, int)"/>) after its time, parents
/// and extra parents, and after the chunk table that holds any newly interned parent positions was published;
/// a reader that observes a non-zero generation with acquire semantics (<see cref="IsLoaded"/>) therefore sees
/// the rest of the node and can index every parent position it names. Readers that skip the acquire
/// (<see cref="Generation"/> etc.) may only be used on positions already known to be loaded by this thread.</para>
/// </remarks>
internal sealed class CommitGraph
{
    private const int ChunkBits = 14;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    // Offsets of a node's fields in Chunk.Links (4 ints per node).
    private const int GenerationField = 0, CountField = 1, P1Field = 2, P2Field = 3;

    private static readonly ConditionalWeakTable<RepositoryStore, CommitGraph> Graphs = new();

    private readonly object _gate = new();
    private readonly Dictionary<ObjectId, int> _positions = [];
    private readonly ObjectReader? _reader;
    private Chunk[] _chunks = [];
    private int _count;
    private ObjectId _recentId; // guarded by _gate: the node published last, and its position
    private int _recentPos = -1;

    // The persisted graph (null: memory only). It is read once, when a walk has loaded FileLoadThreshold commits
    // the normal way (so everyday commands that touch a few commits never read it); commits published since
    // (written here, or loaded the normal way) are appended in blocks of the append batch, and the rest at dispose.
    private const int FileLoadThreshold = 256;
    private readonly CommitGraphFile? _file;
    private readonly object _fileGate = new();
    private List<int> _unpersisted = [];
    private int _unpersistedLoads;
    private readonly HashSet<int> _loadedNormally = [];
    private int _normalLoads;
    private volatile bool _fileRead;
    private readonly int _appendBatch = 4096;

    /// <summary>Creates a graph that loads missing commits through <paramref name="reader"/> (null: only <see cref="Add(Commit)"/> feeds it).</summary>
    public CommitGraph(ObjectReader? reader) => _reader = reader;

    /// <summary>Creates a graph that loads missing commits from the file at <paramref name="filePath"/> (when it holds them) or through <paramref name="reader"/>, and persists what it learns there.</summary>
    public CommitGraph(ObjectReader? reader, string? filePath, int appendBatch = 4096)
    {
        _reader = reader;
        _file = filePath is null ? null : new CommitGraphFile(filePath);
        _appendBatch = appendBatch;
    }

    /// <summary>The graph of <paramref name="store"/>, created on first use.</summary>
    public static CommitGraph For(RepositoryStore store) => Graphs.GetValue(store, static s => new CommitGraph(s.ObjectReader, s.Options.CommitGraphPath, s.Options.CommitGraphAppendBatch));

    /// <summary>Appends what the graph of <paramref name="store"/> learned to its file, when it has a graph and a file.</summary>
    public static void PersistFor(RepositoryStore store)
    {
        if (Graphs.TryGetValue(store, out var graph)) graph.Persist(atClose: true);
    }

    /// <summary>Whether the persisted file has been read into this graph.</summary>
    public bool FileRead => _fileRead;

    /// <summary>Positions allocated so far (loaded or not).</summary>
    public int Count => Volatile.Read(ref _count);

    private sealed class Chunk
    {
        /// <summary>Per node: generation (0: not loaded; written last), parent count, first parent, second parent (-1: none).</summary>
        public readonly int[] Links = new int[ChunkSize * 4];
        /// <summary>Unix microseconds.</summary>
        public readonly long[] Times = new long[ChunkSize];
        public readonly ObjectId[] Ids = new ObjectId[ChunkSize];
        /// <summary>Parents beyond the second (octopus merges), written before the generation.</summary>
        public readonly int[]?[] Extra = new int[]?[ChunkSize];
    }

    // ------------------------------------------------------------------ node access (lock-free)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Chunk ChunkOf(int pos) => Volatile.Read(ref _chunks)[pos >> ChunkBits];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int Link(int pos, int field) => ref ChunkOf(pos).Links[((pos & ChunkMask) << 2) | field];

    /// <summary>True once the node's generation, time and parents are known (acquire: the rest of the node is visible after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLoaded(int pos) => Volatile.Read(ref Link(pos, GenerationField)) != 0;

    /// <summary>The generation of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Generation(int pos) => Link(pos, GenerationField);

    /// <summary>The timestamp (unix microseconds) of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Time(int pos) => ChunkOf(pos).Times[pos & ChunkMask];

    /// <summary>The commit id at a position.</summary>
    public ObjectId IdOf(int pos) => ChunkOf(pos).Ids[pos & ChunkMask];

    /// <summary>Number of parents of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ParentCount(int pos) => Link(pos, CountField);

    /// <summary>The <paramref name="index"/>-th parent of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Parent(int pos, int index)
    {
        var chunk = ChunkOf(pos);
        return index < 2 ? chunk.Links[((pos & ChunkMask) << 2) | (P1Field + index)] : chunk.Extra[pos & ChunkMask]![index - 2];
    }

    /// <summary>
    /// Reads a node for a walk in one go: 0 when the node is not loaded (acquire read), else its generation,
    /// with its parent count and first two parents (-1: none).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Read(int pos, out int parentCount, out int p1, out int p2)
    {
        var links = ChunkOf(pos).Links;
        var i = (pos & ChunkMask) << 2;
        var generation = Volatile.Read(ref links[i]);
        parentCount = links[i + CountField];
        p1 = links[i + P1Field];
        p2 = links[i + P2Field];
        return generation;
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
        if (_file is not null && !_fileRead && Interlocked.Increment(ref _normalLoads) > FileLoadThreshold)
        {
            ReadFile();
            if (IsLoaded(pos)) return;
        }
        var id = IdOf(pos);
        if (_reader is null) throw new ObjectNotFoundException(id, "commit (not in the commit graph)");
        var data = await _reader.TryReadVerifiedAsync(id, ct).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, "commit");
        var (parents, generation, micros) = ParseHeader(id, data.Span);
        lock (_gate)
        {
            var before = _unpersisted.Count;
            PublishLocked(id, parents, generation, micros, fromFile: false);
            if (_file is not null && _unpersisted.Count > before)
            {
                _unpersistedLoads++;
                _loadedNormally.Add(_unpersisted[^1]);
            }
        }
        PersistIfDue();
    }

    /// <summary>Reads the persisted file into the graph (once; records of nodes already loaded are skipped).</summary>
    public void ReadFile()
    {
        if (_file is null) return;
        lock (_fileGate)
        {
            if (_fileRead) return;
            var sink = new FileSink(this);
            _file.Read(sink);
            if (sink.Known.Count > 0)
                lock (_gate)
                {
                    _unpersisted.RemoveAll(sink.Known.Contains);
                    _unpersistedLoads -= sink.Known.Count;
                }
            _fileRead = true;
        }
    }

    /// <summary>Publishes the records of the file, one block per lock hold, without allocating per record.</summary>
    private sealed class FileSink(CommitGraph graph) : CommitGraphFile.ISink
    {
        private readonly ObjectId[] _two = new ObjectId[2];

        // The graph's lock is held from BeginBlock to EndBlock: one acquisition per block, not per record.
        public void BeginBlock(int count)
        {
            Monitor.Enter(graph._gate);
            // Grow geometrically: EnsureCapacity to the exact need per block would rehash the whole table every block.
            var need = graph._positions.Count + count + 1;
            if (graph._positions.Capacity < need) graph._positions.EnsureCapacity(Math.Max(need, graph._positions.Capacity * 2));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ObjectId id, int generation, long micros, ReadOnlySpan<byte> parents)
        {
            var count = parents.Length / ObjectId.Size;
            var ids = count <= 2 ? _two.AsSpan(0, count) : new ObjectId[count];
            for (var i = 0; i < count; i++) ids[i] = new ObjectId(parents.Slice(i * ObjectId.Size, ObjectId.Size));
            var pos = graph.PublishLocked(id, ids, generation, micros, fromFile: true);
            // A commit this process loaded the normal way before reading the file is in the file already.
            if (graph._loadedNormally.Count > 0 && graph._loadedNormally.Remove(pos)) Known.Add(pos);
        }

        /// <summary>Positions loaded the normal way that the file also holds (not to be appended again).</summary>
        public HashSet<int> Known { get; } = [];

        public void EndBlock() => Monitor.Exit(graph._gate);
    }

    private void PersistIfDue()
    {
        if (_file is not null && Volatile.Read(ref _unpersisted).Count >= _appendBatch) Persist(atClose: false);
    }

    /// <summary>
    /// Appends the nodes published since the last append to the file. At close, a process that never read the file
    /// appends the commits it loaded from the object store only when they are more than it would have read from the
    /// file (so a short command that touched a few old commits does not append copies of records the file may
    /// already hold); commits it wrote are always appended.
    /// </summary>
    public void Persist(bool atClose)
    {
        if (_file is null) return;
        lock (_fileGate)
        {
            List<int> pending;
            lock (_gate)
            {
                if (_unpersisted.Count == 0) return;
                pending = _unpersisted;
                if (atClose && !_fileRead && _unpersistedLoads < FileLoadThreshold)
                    pending = [.. pending.Where(p => !_loadedNormally.Contains(p))]; // only the commits written here
                _unpersisted = [];
                _unpersistedLoads = 0;
                _loadedNormally.Clear();
            }
            var records = new List<CommitGraphFile.Record>(pending.Count);
            foreach (var pos in pending)
            {
                var parents = new ObjectId[ParentCount(pos)];
                for (var i = 0; i < parents.Length; i++) parents[i] = IdOf(Parent(pos, i));
                records.Add(new CommitGraphFile.Record(IdOf(pos), Generation(pos), Time(pos), parents));
            }
            _file.Append(records);
        }
    }

    /// <summary>Adds a commit this process has decoded or written (no-op when already loaded).</summary>
    public int Add(Commit commit)
    {
        var parents = commit.Parents as ObjectId[] ?? [.. commit.Parents];
        var pos = Publish(commit.Id, parents, commit.Generation, ObjectCodec.ToUnixMicroseconds(commit.Timestamp));
        PersistIfDue();
        return pos;
    }

    /// <summary>Adds a commit from its header fields (benchmarks and bulk loads).</summary>
    public int Add(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long unixMicroseconds)
        => Publish(id, parents, generation, unixMicroseconds);

    private int Publish(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long micros)
    {
        lock (_gate) return PublishLocked(id, parents, generation, micros, fromFile: false);
    }

    /// <summary>Publishes a node; caller holds <see cref="_gate"/>. Nodes not read from the file are queued for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int PublishLocked(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long micros, bool fromFile)
    {
        if (generation < 1 || generation > int.MaxValue) throw new CorruptObjectException(id, $"generation {generation} is out of range");
        var pos = Intern(id);
        var chunk = _chunks[pos >> ChunkBits];
        var slot = pos & ChunkMask;
        var links = chunk.Links;
        if (links[(slot << 2) | GenerationField] != 0) return pos;
        chunk.Times[slot] = micros;
        links[(slot << 2) | CountField] = parents.Length;
        // Interning a parent may publish a bigger chunk table; it is published before the generation below.
        // In bulk loads (the file, a history written in order) the first parent is usually the node published last.
        links[(slot << 2) | P1Field] = parents.Length == 0 ? -1 : _recentPos >= 0 && parents[0] == _recentId ? _recentPos : Intern(parents[0]);
        links[(slot << 2) | P2Field] = parents.Length > 1 ? Intern(parents[1]) : -1;
        if (parents.Length > 2)
        {
            var extra = new int[parents.Length - 2];
            for (var i = 2; i < parents.Length; i++) extra[i - 2] = Intern(parents[i]);
            chunk.Extra[slot] = extra;
        }
        Volatile.Write(ref links[(slot << 2) | GenerationField], (int)generation);
        _recentId = id;
        _recentPos = pos;
        if (_file is not null && !fromFile) _unpersisted.Add(pos);
        return pos;
    }

    /// <summary>Allocates (or finds) the position of <paramref name="id"/>. Caller holds <see cref="_gate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Intern(ObjectId id)
    {
        if (_positions.TryGetValue(id, out var pos)) return pos;
        pos = _count;
        var chunkIndex = pos >> ChunkBits;
        if (chunkIndex == _chunks.Length)
        {
            var grown = new Chunk[Math.Max(4, _chunks.Length * 2)];
            Array.Copy(_chunks, grown, _chunks.Length);
            Volatile.Write(ref _chunks, grown);
        }
        var chunk = _chunks[chunkIndex] ??= new Chunk();
        var slot = pos & ChunkMask;
        chunk.Ids[slot] = id;
        chunk.Links[(slot << 2) | P1Field] = -1;
        chunk.Links[(slot << 2) | P2Field] = -1;
        _positions.Add(id, pos);
        // Release: a reader that sees the count sees the chunk table, the chunk and the id.
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
