using BenchmarkDotNet.Attributes;
using LibGit2Sharp;
using VersionStore.RocksDb.Internal;
using VersionStore.RocksDb.Internal.Native;
using VersionStore.Workflows;
using GitRepository = LibGit2Sharp.Repository;
using GitSignature = LibGit2Sharp.Signature;
using GitCommit = LibGit2Sharp.Commit;

namespace VersionStore.Benchmarks;

/// <summary>
/// Goal "commit": one commit of a 200-node real workflow with 1–5 nodes changed, on the embedded RocksDB
/// store, against LibGit2Sharp building the same blob/tree/commit shapes plus a ref update (baseline), and against
/// the CPU floor: encode + hash of exactly the new objects and one raw RocksDB WriteBatch — and against a fairer floor
/// that also does what a commit must do besides (<see cref="CpuFloorWithRefAndAudit"/>: the ref read and compare, the
/// new ref state and a hash-chained audit entry, and the objects' write time for garbage collection's grace period — one
/// record per batch naming them, as the store's layout 2 keeps it — in the same batch). Every method writes through the WAL without fsync, as the store's default (<c>SyncWrites = false</c>)
/// and as LibGit2Sharp's default (no fsync of loose objects or refs).
/// Goals: ≥ 50× LibGit2Sharp's rate (ratio ≤ 0.02); ≥ 0.3× the floor's rate.
/// </summary>
[MemoryDiagnoser]
public class CommitIngestBenchmarks
{
    private WorkflowFixture _fixture = null!;
    private TempDirectory _temp = null!;

    private RepositoryStore _store = null!;
    private VersionStore.Repository _repo = null!;
    private readonly CommitOptions _commitOptions = new() { Author = "bench", Message = "edit nodes" };

    private GitRepository _git = null!;
    private GitCommit? _gitHead;
    private GitSignature _signature = null!;

    // The floors write through the same native binding, database options and column families as the store (a second
    // RocksDbBackend opened with the same defaults), straight to its native database: no locks, no checks.
    private RocksDbBackend _floorBackend = null!;
    private readonly WriteOptions _floorWrite = new(); // no fsync: the store's default
    private FloorTree _floorTree = null!;
    private ColumnFamilyHandle _floorObjects = null!;
    private RocksDbBackend _fairBackend = null!;
    private FloorTree _fairTree = null!;
    private ColumnFamilyHandle _fairObjects = null!, _fairWritten = null!, _fairRefs = null!, _fairAudit = null!;
    private static readonly byte[] FairRefKey = KeyLayout.Ref(new RepositoryName("line-daigen"), RefName.Branch("main"));
    private long _fairSequence;
    private long _fairRecord;
    private ObjectId _fairAuditHash;
    private ObjectId? _fairHead;
    private byte[]? _fairState;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new WorkflowFixture();
        _temp = new TempDirectory("commit");

        var backend = RocksDbBackend.Open(_temp.Sub("vstore"));
        _store = new RepositoryStore(backend, backend, new VersionStoreOptions(), ownedBackend: backend);
        _repo = _store.GetRepository("line-daigen");
        var first = _repo.CommitAsync("main", SnapshotChanges.FromEntries(_fixture.Entries), _commitOptions).GetAwaiter().GetResult();

        GitRepository.Init(_temp.Sub("git"), isBare: true);
        _git = new GitRepository(_temp.Sub("git"));
        _signature = new GitSignature("bench", "bench@example.com", DateTimeOffset.UnixEpoch);
        var definition = new TreeDefinition();
        foreach (var (path, content) in _fixture.Entries)
            definition.Add(path, _git.ObjectDatabase.CreateBlob(new MemoryStream(content)), Mode.NonExecutableFile);
        GitCommit(definition);

        _floorBackend = RocksDbBackend.Open(_temp.Sub("floor"));
        _floorObjects = _floorBackend.Database.GetColumnFamily(KeyLayout.ObjectsFamily);
        _floorTree = FloorTree.LoadAsync(_repo, first.Commit).GetAwaiter().GetResult();

        _fairBackend = RocksDbBackend.Open(_temp.Sub("fair"));
        var fair = _fairBackend.Database;
        (_fairObjects, _fairWritten, _fairRefs, _fairAudit) = (fair.GetColumnFamily(KeyLayout.ObjectsFamily), fair.GetColumnFamily(KeyLayout.WrittenFamily),
            fair.GetColumnFamily(KeyLayout.RefsFamily), fair.GetColumnFamily(KeyLayout.AuditFamily));
        _fairTree = FloorTree.LoadAsync(_repo, first.Commit).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _git.Dispose();
        _floorBackend.Dispose();
        _fairBackend.Dispose();
        _temp.Dispose();
    }

    private void GitCommit(TreeDefinition definition)
    {
        var tree = _git.ObjectDatabase.CreateTree(definition);
        var parents = _gitHead is null ? Array.Empty<GitCommit>() : [_gitHead];
        _gitHead = _git.ObjectDatabase.CreateCommit(_signature, _signature, "edit nodes", tree, parents, prettifyMessage: false);
        _git.Refs.Add("refs/heads/main", _gitHead.Id, allowOverwrite: true);
    }

    /// <summary>Peer: LibGit2Sharp — new blobs, tree rebuilt from the parent's with the changed paths, commit, ref update.</summary>
    [Benchmark(Baseline = true)]
    public void LibGit2Sharp()
    {
        var definition = TreeDefinition.From(_gitHead!.Tree);
        foreach (var (path, content) in _fixture.NextEdit())
            definition.Add(path, _git.ObjectDatabase.CreateBlob(new MemoryStream(content)), Mode.NonExecutableFile);
        GitCommit(definition);
    }

    /// <summary>VersionStore: <c>CommitAsync</c> on the embedded RocksDB store (objects batch, then ref CAS + audit entry).</summary>
    [Benchmark]
    public async Task VersionStoreRocksDb()
    {
        var changes = new SnapshotChanges();
        foreach (var (path, content) in _fixture.NextEdit()) changes.Put(path, content);
        await _repo.CommitAsync("main", changes, _commitOptions);
    }

    /// <summary>The CPU floor: encode + hash the new blobs, the changed trees and the commit; one raw RocksDB WriteBatch.</summary>
    [Benchmark]
    public void CpuFloor()
    {
        var objects = _floorTree.Apply(_fixture.NextEdit());
        using var batch = new WriteBatch();
        Span<byte> key = stackalloc byte[ObjectId.Size];
        foreach (var o in objects)
        {
            o.Id.WriteTo(key);
            batch.Put(key, o.Data.Span, _floorObjects);
        }
        _floorBackend.Database.Write(batch, _floorWrite);
    }

    /// <summary>
    /// The fair floor: <see cref="CpuFloor"/> plus what a commit must also do — read the ref and compare it with the head
    /// the commit was built on, encode and hash an audit entry that names the previous entry's hash, and put the new ref
    /// state, the audit entry and the batch's write-time record (one put naming every object: layout 2) — all in the same
    /// one WriteBatch. No validation, no caches, no commit-graph, no locks.
    /// </summary>
    [Benchmark]
    public void CpuFloorWithRefAndAudit()
    {
        var objects = _fairTree.Apply(_fixture.NextEdit());
        using var batch = new WriteBatch();
        Span<byte> ids = stackalloc byte[objects.Count * ObjectId.Size];
        Span<byte> recordKey = stackalloc byte[KeyLayout.WriteRecordKeySize];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < objects.Count; i++)
        {
            var key = ids.Slice(i * ObjectId.Size, ObjectId.Size);
            objects[i].Id.WriteTo(key);
            batch.Put(key, objects[i].Data.Span, _fairObjects);
        }
        // The write times as the store keeps them (layout 2): one record per batch naming its objects.
        KeyLayout.WriteRecordKey(recordKey, now.ToUnixTimeMilliseconds() * 1000, ++_fairRecord);
        batch.Put(recordKey, ids, _fairWritten);
        // The compare half of the CAS: the stored state must be the one this writer last wrote.
        var current = _fairBackend.Database.Get(FairRefKey, _fairRefs);
        if (current is null ? _fairState is not null : _fairState is null || !current.AsSpan().SequenceEqual(_fairState))
            throw new InvalidOperationException("the fair floor's ref moved under it");
        var head = objects[^1].Id; // Apply returns the commit last
        var entry = new AuditEntry(RefName.Branch("main"), ++_fairSequence, _fairHead, head, "commit", "bench", now, "edit nodes", _fairAuditHash, null);
        (_fairHead, _fairAuditHash) = (head, entry.Hash);
        _fairState = new RefState(head, _fairSequence, entry.Hash).Encode();
        batch.Put(FairRefKey, _fairState, _fairRefs);
        batch.Put(KeyLayout.Audit(FairRefKey, _fairSequence), entry.Encoded.Span, _fairAudit);
        _fairBackend.Database.Write(batch, _floorWrite);
    }

    /// <summary>
    /// The minimal in-memory model of the snapshot (root → folder → bucket → entries) needed to produce the
    /// same objects a commit writes, with no store, no validation and no ref update.
    /// </summary>
    private sealed class FloorTree
    {
        private readonly Dictionary<string, TreeEntry[]> _trees = new(StringComparer.Ordinal); // folder path ("" = root) → sorted entries
        private ObjectId _head;
        private long _generation;

        public static async Task<FloorTree> LoadAsync(VersionStore.Repository repo, VersionStore.Commit head)
        {
            var model = new FloorTree { _head = head.Id, _generation = head.Generation };
            async Task Walk(string path, ObjectId id)
            {
                var tree = await repo.GetTreeAsync(id);
                model._trees[path] = tree.ToArray();
                foreach (var e in tree)
                    if (e.Kind == ObjectKind.Tree) await Walk(path.Length == 0 ? e.Name : path + "/" + e.Name, e.Id);
            }
            await Walk("", head.Tree);
            return model;
        }

        public List<EncodedObject> Apply((string Path, byte[] Content)[] edit)
        {
            var written = new List<EncodedObject>(edit.Length * 2 + 4);
            var dirty = new SortedSet<string>(Comparer<string>.Create((a, b) => b.Length != a.Length ? b.Length.CompareTo(a.Length) : string.CompareOrdinal(a, b)));
            foreach (var (path, content) in edit)
            {
                var blob = ObjectCodec.EncodeBlob(content);
                var id = ObjectId.Compute(blob);
                written.Add(new EncodedObject(id, blob));
                var slash = path.LastIndexOf('/');
                SetEntry(path[..slash], path[(slash + 1)..], ObjectKind.Blob, id);
                for (var folder = path[..slash]; ; folder = folder[..Math.Max(0, folder.LastIndexOf('/'))])
                {
                    dirty.Add(folder);
                    if (folder.Length == 0) break;
                }
            }
            // Deepest folders first, so a parent sees its child's new id.
            foreach (var folder in dirty)
            {
                var encoded = ObjectCodec.EncodeTree(_trees[folder]);
                var id = ObjectId.Compute(encoded);
                written.Add(new EncodedObject(id, encoded));
                if (folder.Length == 0)
                {
                    var commit = ObjectCodec.EncodeCommit(id, [_head], ++_generation, DateTimeOffset.UtcNow, "bench", "edit nodes", []);
                    _head = ObjectId.Compute(commit);
                    written.Add(new EncodedObject(_head, commit));
                }
                else
                {
                    var slash = folder.LastIndexOf('/');
                    SetEntry(slash < 0 ? "" : folder[..slash], folder[(slash + 1)..], ObjectKind.Tree, id);
                }
            }
            return written;
        }

        private void SetEntry(string folder, string name, ObjectKind kind, ObjectId id)
        {
            var entries = _trees[folder];
            for (var i = 0; i < entries.Length; i++)
                if (entries[i].Name == name) { entries[i] = new TreeEntry(name, kind, id); return; }
            throw new InvalidOperationException($"floor model: no entry '{name}' in '{folder}'");
        }
    }
}
