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

    // Offsets of a node's fields in Chunk.Links and CommitGraphBase.Links (4 ints per node).
    private const int GenerationField = 0, CountField = 1, P1Field = 2, P2Field = 3;

    private static readonly ConditionalWeakTable<RepositoryStore, CommitGraph> Graphs = new();

    private readonly object _gate = new();
    // Positions of commits outside the file's base, guarded by _gate; created on first use (a walk over the base alone
    // never needs it, and its generic code over ObjectId would JIT in a fresh process).
    private Dictionary<ObjectId, int>? _positions;
    private readonly ObjectReader? _reader;
    private Chunk[] _chunks = [];
    private int _count;
    private ObjectId _recentId; // guarded by _gate: the node published last, and its position
    private int _recentPos = -1;

    // Positions [0, _baseCount) are the base of the persisted file (immutable arrays, always loaded); positions from
    // _baseCount on are the chunks. The base is attached once, under _gate, before the first position is handed out
    // (so a commit never has two positions); these fields are not written again.
    private CommitGraphBase _base = CommitGraphBase.Empty;
    private int _baseCount;
    private unsafe int* _baseLinks;
    private volatile bool _attached;
    // Commits added before the graph was attached (a process that writes but never walks need not read the file).
    private List<CommitGraphFile.Record> _pendingAdds = [];

    // The persisted graph (null: memory only). Commits published since the last write (written here, or loaded the
    // normal way) are appended in blocks of the append batch, and the rest at dispose; when the file's blocks have
    // grown past half its base (and at least MinRewrite records) the file is rewritten with everything known as its base.
    private const int MinRewrite = 256;
    private readonly CommitGraphFile? _file;
    private readonly object _fileGate = new();
    private List<int> _unpersisted = [];
    private CommitGraphFile.LoadState _fileState = CommitGraphFile.LoadState.Unavailable;
    private long _fileBlockRecords;
    private readonly int _appendBatch = 4096;

    /// <summary>Creates a graph that loads missing commits through <paramref name="reader"/> (null: only <see cref="Add(Commit)"/> feeds it).</summary>
    public CommitGraph(ObjectReader? reader) => _reader = reader;

    /// <summary>Creates a graph that loads missing commits from the file at <paramref name="filePath"/> (when it holds them) or through <paramref name="reader"/>, and persists what it learns there.</summary>
    public CommitGraph(ObjectReader? reader, string? filePath, int appendBatch = 4096)
    {
        _reader = reader;
        // The file is little-endian and read through a memory map: big-endian hosts keep the graph in memory only.
        _file = filePath is null || !BitConverter.IsLittleEndian ? null : new CommitGraphFile(filePath);
        _appendBatch = appendBatch;
    }

    /// <summary>The graph of <paramref name="store"/>, created on first use.</summary>
    public static CommitGraph For(RepositoryStore store) => Graphs.GetValue(store, static s => new CommitGraph(s.ObjectReader, s.Options.CommitGraphPath, s.Options.CommitGraphAppendBatch));

    /// <summary>Appends what the graph of <paramref name="store"/> learned to its file, when it has a graph and a file.</summary>
    public static void PersistFor(RepositoryStore store)
    {
        if (Graphs.TryGetValue(store, out var graph)) graph.Persist();
    }

    /// <summary>Whether the persisted file has been read into this graph.</summary>
    public bool FileRead => _attached && _file is not null;

    /// <summary>
    /// True while a persisted file exists to attach and has not been attached yet (a fresh process). Attaching maps and
    /// checks the whole file, so a short walk (<c>main~1</c>) or a negative is-ancestor is cheaper from the commits'
    /// own headers (<see cref="TryReadHeaderAsync"/>): a few verified reads instead of a pass over every record.
    /// </summary>
    public bool AttachPending => _file is not null && !_attached;

    /// <summary>
    /// The parents and generation of a stored commit, from its verified header, without touching the graph (nothing is
    /// attached, interned or loaded); null when the commit is not stored (the graph may still know it).
    /// </summary>
    public async ValueTask<(ObjectId[] Parents, long Generation)?> TryReadHeaderAsync(ObjectId id, CancellationToken ct)
        => await ReadStoredHeaderAsync(id, ct).ConfigureAwait(false) is { } h ? (h.Parents, h.Generation) : null;

    /// <summary>The parsed header of a stored commit (verified read), or null when it is not stored or there is no reader.</summary>
    private async ValueTask<(ObjectId[] Parents, long Generation, long Micros)?> ReadStoredHeaderAsync(ObjectId id, CancellationToken ct)
    {
        if (_reader is null) return null;
        var data = await _reader.TryReadVerifiedAsync(id, ct).ConfigureAwait(false);
        return data is null ? null : ParseHeader(id, data.Value.Span);
    }

    /// <summary>Commits served by the base of the persisted file.</summary>
    public int BaseCount => _baseCount;

    /// <summary>Positions allocated so far (loaded or not).</summary>
    public int Count
    {
        get
        {
            if (!_attached) Attach();
            return Volatile.Read(ref _count);
        }
    }

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
    private Chunk ChunkOf(int pos) => Volatile.Read(ref _chunks)[(pos - _baseCount) >> ChunkBits];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe ref int Link(int pos, int field)
        => ref (uint)pos < (uint)_baseCount
            ? ref _baseLinks[(pos << 2) | field]
            : ref ChunkOf(pos).Links[(((pos - _baseCount) & ChunkMask) << 2) | field];

    /// <summary>True once the node's generation, time and parents are known (acquire: the rest of the node is visible after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLoaded(int pos) => Volatile.Read(ref Link(pos, GenerationField)) != 0;

    /// <summary>The generation of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Generation(int pos) => Link(pos, GenerationField);

    /// <summary>The timestamp (unix microseconds) of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Time(int pos) => (uint)pos < (uint)_baseCount ? _base.TimeOf(pos) : ChunkOf(pos).Times[(pos - _baseCount) & ChunkMask];

    /// <summary>The commit id at a position.</summary>
    public ObjectId IdOf(int pos) => (uint)pos < (uint)_baseCount ? _base.IdOf(pos) : ChunkOf(pos).Ids[(pos - _baseCount) & ChunkMask];

    /// <summary>Number of parents of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ParentCount(int pos) => Link(pos, CountField);

    /// <summary>The <paramref name="index"/>-th parent of a loaded node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Parent(int pos, int index)
    {
        if (index < 2) return Link(pos, P1Field + index);
        return (uint)pos < (uint)_baseCount ? _base.Extra![pos][index - 2] : ChunkOf(pos).Extra[(pos - _baseCount) & ChunkMask]![index - 2];
    }

    /// <summary>
    /// Reads a node for a walk in one go: 0 when the node is not loaded (acquire read), else its generation,
    /// with its parent count and first two parents (-1: none).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe int Read(int pos, out int parentCount, out int p1, out int p2)
    {
        if ((uint)pos < (uint)_baseCount)
        {
            var b = _baseLinks + (pos << 2);
            parentCount = b[CountField];
            p1 = b[P1Field];
            p2 = b[P2Field];
            return b[GenerationField];
        }
        var links = ChunkOf(pos).Links;
        var i = ((pos - _baseCount) & ChunkMask) << 2;
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
        lock (_gate)
        {
            if (!_attached) AttachLocked();
            var b = _base.Find(id);
            if (b >= 0) return b;
            return _positions is not null && _positions.TryGetValue(id, out var p) ? p : -1;
        }
    }

    /// <summary>The position of <paramref name="id"/>, loaded.</summary>
    /// <exception cref="ObjectNotFoundException">The commit is not stored.</exception>
    public ValueTask<int> GetLoadedAsync(ObjectId id, CancellationToken ct)
    {
        // A commit of the attached file's base (what a whole-history query meets on a store with its file): the base is
        // immutable once attached and always loaded, so no lock, no interning and no async state machine (whose generic
        // code over this method's state would JIT in a fresh process). _attached is read with acquire semantics; the
        // base fields were written before it.
        if (_attached && _baseCount > 0)
        {
            var b = _base.Find(id);
            if (b >= 0) return new ValueTask<int>(b);
        }
        return GetLoadedSlowAsync(id, ct);
    }

    private async ValueTask<int> GetLoadedSlowAsync(ObjectId id, CancellationToken ct)
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
        var (parents, generation, micros) = await ReadStoredHeaderAsync(id, ct).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, "commit");
        lock (_gate) PublishLocked(id, parents, generation, micros, fromFile: false);
        PersistIfDue();
    }

    /// <summary>Reads the persisted file into the graph, when not done yet (the first use of the graph does it).</summary>
    public void ReadFile() => Attach();

    private void Attach()
    {
        lock (_gate)
            if (!_attached) AttachLocked();
    }

    /// <summary>
    /// Attaches the base of the persisted file and publishes the records of its blocks, then the commits added before;
    /// caller holds <see cref="_gate"/>, and no position has been handed out yet.
    /// </summary>
    private unsafe void AttachLocked()
    {
        RecordSink? sink = null;
        if (_file is not null)
        {
            sink = new RecordSink();
            _fileState = _file.Load(sink, out var loaded, out _fileBlockRecords);
            _base = loaded;
            _baseCount = loaded.Count;
            _baseLinks = loaded.Links;
            _count = loaded.Count;
        }
        _attached = true;
        // Index loops, and only over lists that exist and are not empty: a file that is all base (and a process that added
        // nothing before attaching) runs no List<Record> enumerator code, which would JIT (a generic over this library's struct).
        if (sink?.Records is { } records)
            for (var i = 0; i < records.Count; i++)
            {
                var r = records[i];
                PublishLocked(r.Id, r.Parents, r.Generation, r.Micros, fromFile: true);
            }
        var pending = _pendingAdds;
        if (pending.Count == 0) return;
        _pendingAdds = [];
        for (var i = 0; i < pending.Count; i++)
        {
            var r = pending[i];
            PublishLocked(r.Id, r.Parents, r.Generation, r.Micros, fromFile: false);
        }
    }

    /// <summary>Collects the records of the file's blocks.</summary>
    private sealed class RecordSink : CommitGraphFile.ISink
    {
        /// <summary>The blocks' records; null when the file has no blocks.</summary>
        public List<CommitGraphFile.Record>? Records { get; private set; }

        public void BeginBlock(int count)
        {
            var records = Records ??= [];
            records.EnsureCapacity(records.Count + count);
        }

        public void Add(ObjectId id, int generation, long micros, ReadOnlySpan<byte> parents)
        {
            var ids = new ObjectId[parents.Length / ObjectId.Size];
            for (var i = 0; i < ids.Length; i++) ids[i] = new ObjectId(parents.Slice(i * ObjectId.Size, ObjectId.Size));
            (Records ??= []).Add(new CommitGraphFile.Record(id, generation, micros, ids));
        }

        public void EndBlock() { }
    }

    private void PersistIfDue()
    {
        if (_file is not null && (Volatile.Read(ref _unpersisted).Count >= _appendBatch || Volatile.Read(ref _pendingAdds).Count >= _appendBatch)) Persist();
    }

    /// <summary>
    /// Writes what the graph learned since the last write to the file: the commits added before the graph was
    /// attached (appended, without reading the file), else the nodes published since — appended as a block, or, when
    /// the file's blocks have outgrown its base (or the file was foreign, of an older version or damaged), the whole
    /// file rewritten with every commit whose ancestry is fully known as its base.
    /// </summary>
    public void Persist()
    {
        if (_file is null) return;
        lock (_fileGate)
        {
            List<int> pending;
            List<CommitGraphFile.Record> added;
            lock (_gate)
            {
                added = _pendingAdds;
                _pendingAdds = [];
                pending = _unpersisted;
                _unpersisted = [];
            }
            if (added.Count > 0) _file.Append(added);
            if (pending.Count == 0 && _fileState != CommitGraphFile.LoadState.Invalid) return;
            if (!_attached) return;
            var rewrite = _fileState == CommitGraphFile.LoadState.Invalid
                || (_fileState == CommitGraphFile.LoadState.Valid && _fileBlockRecords + pending.Count >= Math.Max(MinRewrite, _baseCount / 2));
            if (rewrite)
            {
                var (next, rest) = BuildBase();
                if (_file.Rewrite(next, rest))
                {
                    _fileState = CommitGraphFile.LoadState.Valid;
                    _fileBlockRecords = rest.Count;
                    return;
                }
            }
            if (pending.Count == 0) return;
            var records = new List<CommitGraphFile.Record>(pending.Count);
            foreach (var pos in pending) records.Add(RecordOf(pos));
            if (_file.Append(records)) _fileBlockRecords += records.Count;
        }
    }

    /// <summary>Rewrites the file now with everything this graph knows as its base (tools and tests); false when it could not be written.</summary>
    public bool Compact()
    {
        if (_file is null) return false;
        Attach();
        lock (_fileGate)
        {
            lock (_gate) _unpersisted = [];
            var (next, rest) = BuildBase();
            if (!_file.Rewrite(next, rest)) return false;
            _fileState = CommitGraphFile.LoadState.Valid;
            _fileBlockRecords = rest.Count;
            return true;
        }
    }

    private CommitGraphFile.Record RecordOf(int pos)
    {
        var parents = new ObjectId[ParentCount(pos)];
        for (var i = 0; i < parents.Length; i++) parents[i] = IdOf(Parent(pos, i));
        return new CommitGraphFile.Record(IdOf(pos), Generation(pos), Time(pos), parents);
    }

    /// <summary>
    /// A base of every node whose whole ancestry is loaded (parents before children, lower generations; ordered by
    /// generation, then position), and the records of the loaded nodes that are not in it.
    /// </summary>
    private (CommitGraphBase Base, List<CommitGraphFile.Record> Others) BuildBase()
    {
        int total;
        lock (_gate) total = _count;
        // Loaded dynamic nodes by generation: a node is complete when its parents are (and have lower generations).
        var complete = new bool[total];
        for (var p = 0; p < _baseCount; p++) complete[p] = true;
        var dynamicKeys = new List<long>();
        for (var p = _baseCount; p < total; p++)
            if (IsLoaded(p)) dynamicKeys.Add(((long)Generation(p) << 32) | (uint)p);
        var sortedDynamic = dynamicKeys.ToArray();
        Array.Sort(sortedDynamic);
        var rest = new List<CommitGraphFile.Record>();
        foreach (var key in sortedDynamic)
        {
            var p = (int)(uint)key;
            var ok = true;
            var g = Generation(p);
            for (var i = 0; i < ParentCount(p) && ok; i++)
            {
                var q = Parent(p, i);
                ok = complete[q] && Generation(q) < g;
            }
            if (ok) complete[p] = true;
            else rest.Add(RecordOf(p));
        }
        var keys = new List<long>(total);
        for (var p = 0; p < total; p++)
            if (complete[p]) keys.Add(((long)Generation(p) << 32) | (uint)p);
        var order = keys.ToArray();
        Array.Sort(order);
        var n = order.Length;
        var newPos = new int[total];
        for (var k = 0; k < n; k++) newPos[(int)(uint)order[k]] = k;
        var ids = new byte[n * ObjectId.Size];
        var links = new int[n * CommitGraphBase.LinkInts];
        var times = new long[n];
        var sortKeys = new ObjectId[n];
        Dictionary<int, int[]>? extra = null;
        var fanout = new int[256];
        for (var k = 0; k < n; k++)
        {
            var p = (int)(uint)order[k];
            var id = IdOf(p);
            id.WriteTo(ids.AsSpan(k * ObjectId.Size, ObjectId.Size));
            sortKeys[k] = id;
            fanout[ids[k * ObjectId.Size]]++;
            var parents = ParentCount(p);
            var i = k * CommitGraphBase.LinkInts;
            links[i] = Generation(p);
            links[i + 1] = parents;
            links[i + 2] = parents > 0 ? newPos[Parent(p, 0)] : -1;
            links[i + 3] = parents > 1 ? newPos[Parent(p, 1)] : -1;
            if (parents > 2)
            {
                var more = new int[parents - 2];
                for (var j = 2; j < parents; j++) more[j - 2] = newPos[Parent(p, j)];
                (extra ??= [])[k] = more;
            }
            times[k] = Time(p);
        }
        for (var b = 1; b < 256; b++) fanout[b] += fanout[b - 1];
        var lookup = new int[n];
        for (var k = 0; k < n; k++) lookup[k] = k;
        Array.Sort(sortKeys, lookup);
        return (new CommitGraphBase(n, ids, lookup, fanout, links, times, extra), rest);
    }

    /// <summary>Adds a commit this process has decoded or written (no-op when already loaded).</summary>
    public void Add(Commit commit)
    {
        var parents = commit.Parents as ObjectId[] ?? [.. commit.Parents];
        Add(commit.Id, parents, commit.Generation, ObjectCodec.ToUnixMicroseconds(commit.Timestamp));
        PersistIfDue();
    }

    /// <summary>
    /// Adds a commit from its header fields (also benchmarks and bulk loads). Before the graph is first used for a
    /// walk, the commit is only queued (for the file and for the walk that attaches the graph). Returns the
    /// position, or -1 when queued.
    /// </summary>
    public int Add(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long unixMicroseconds)
    {
        if (generation < 1 || generation > int.MaxValue) throw new CorruptObjectException(id, $"generation {generation} is out of range");
        lock (_gate)
        {
            if (_attached || _file is null) return PublishLocked(id, parents, generation, unixMicroseconds, fromFile: false);
            _pendingAdds.Add(new CommitGraphFile.Record(id, (int)generation, unixMicroseconds, parents.ToArray()));
            return -1;
        }
    }

    /// <summary>Publishes a node; caller holds <see cref="_gate"/>. Nodes not read from the file are queued for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int PublishLocked(ObjectId id, ReadOnlySpan<ObjectId> parents, long generation, long micros, bool fromFile)
    {
        if (generation < 1 || generation > int.MaxValue) throw new CorruptObjectException(id, $"generation {generation} is out of range");
        var pos = Intern(id);
        if (pos < _baseCount) return pos;
        var chunk = _chunks[(pos - _baseCount) >> ChunkBits];
        var slot = (pos - _baseCount) & ChunkMask;
        var links = chunk.Links;
        if (links[(slot << 2) | GenerationField] != 0) return pos;
        chunk.Times[slot] = micros;
        links[(slot << 2) | CountField] = parents.Length;
        // Interning a parent may publish a bigger chunk table; it is published before the generation below.
        // In bulk loads (a history written in order) the first parent is usually the node published last.
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

    /// <summary>Allocates (or finds: in the base, then among the chunks) the position of <paramref name="id"/>. Caller holds <see cref="_gate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Intern(ObjectId id)
    {
        if (!_attached) AttachLocked();
        if (_baseCount > 0)
        {
            var b = _base.Find(id);
            if (b >= 0) return b;
        }
        if (_positions is not null && _positions.TryGetValue(id, out var pos)) return pos;
        pos = _count;
        var d = pos - _baseCount;
        var chunkIndex = d >> ChunkBits;
        if (chunkIndex == _chunks.Length)
        {
            var grown = new Chunk[Math.Max(4, _chunks.Length * 2)];
            Array.Copy(_chunks, grown, _chunks.Length);
            Volatile.Write(ref _chunks, grown);
        }
        var chunk = _chunks[chunkIndex] ??= new Chunk();
        var slot = d & ChunkMask;
        chunk.Ids[slot] = id;
        chunk.Links[(slot << 2) | P1Field] = -1;
        chunk.Links[(slot << 2) | P2Field] = -1;
        (_positions ??= []).Add(id, pos);
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
