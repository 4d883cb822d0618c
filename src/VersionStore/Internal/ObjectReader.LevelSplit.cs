using System.Runtime.ExceptionServices;

namespace VersionStore.Internal;

/// <summary>
/// A visitor whose <see cref="IObjectBytesVisitor.Visit"/> may be called concurrently from two threads, for different
/// positions and out of position order (each position still at most once per read): what lets
/// <see cref="ObjectReader.VisitManyVerifiedAsync"/> split a large batch between the calling thread and a helper.
/// </summary>
internal interface IConcurrentObjectBytesVisitor : IObjectBytesVisitor;

internal sealed partial class ObjectReader
{
    /// <summary>
    /// Whether readers created from now on split large in-place batches (on with more than one core). Off: every batch is
    /// read on the calling thread, as before the split (benchmarks compare the two in one build).
    /// </summary>
    internal static bool SplitEnabled { get; set; } = Environment.ProcessorCount > 1;

    /// <summary>Batches at least this large are split (a snapshot's leaf level: ~300 of its ~350 objects); <see cref="int.MaxValue"/>: never.</summary>
    internal int SplitMinObjects { get; set; } = SplitEnabled ? 96 : int.MaxValue;

    /// <summary>Objects per chunk of a split batch (~20 µs of reading and hashing each for node-sized objects).</summary>
    internal int SplitChunkObjects { get; set; } = 16;

    /// <summary>Tests: called before each chunk of a split batch is read, with the chunk's number and whether the helper reads it.</summary>
    internal Action<int, bool>? SplitChunkStarting { get; set; }

    /// <summary>Tests: called after each chunk of a split batch was read, with its number, whether the helper read it, and whether it failed.</summary>
    internal Action<int, bool, bool>? SplitChunkFinished { get; set; }

    /// <summary>Chunks of split batches read by the helper (tests, benchmarks: it did take part).</summary>
    internal long HelperChunks => Interlocked.Read(ref _helperChunks);

    private long _helperChunks;
    private bool _inPlaceIsSynchronous;
    private LevelSplit? _spareSplit;
    private LevelSplit? _helperSlot; // the split a helper should join; taken by the helper, or withdrawn by its caller
    private int _helperQueued;       // 1 while a helper work item is queued and has not yet started
    private int _helperPresent;      // 1 while a helper is running (taking splits from the slot)
    private HelperWorkItem? _helperItem;

    /// <summary>Queues the helper unless one is queued or running (a running one takes what is posted to the slot).</summary>
    private void WakeHelper()
    {
        if (Volatile.Read(ref _helperPresent) == 0 && Interlocked.Exchange(ref _helperQueued, 1) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(_helperItem ??= new HelperWorkItem(this), preferLocal: false);
    }

    /// <summary>
    /// One batch read in place, split into chunks that the calling thread and one thread-pool helper take from a shared
    /// counter ("caller helps"): the caller starts at once and, if the helper is never scheduled, reads every chunk itself;
    /// on an idle second core the two halves run side by side. What a busy machine can still cost over the serial read is
    /// the wait, at the end, for a chunk the helper holds while it is pre-empted (docs/BENCHMARKS.md, "fourth pass").
    /// Each chunk is one in-place batch read of the store, checked by a <see cref="VerifyingVisitor"/>-like part exactly as
    /// the serial read checks it. What is reported is what the serial read reports: chunks are claimed in position order,
    /// so when a chunk fails every chunk before it was claimed too, and the failure of the lowest failing chunk (its first
    /// failing position, the store visiting each chunk in order) is the first failure in position order. Cancellation is
    /// observed before each chunk. Nothing is allocated per read: the split, its parts and the helper's work item are reused.
    /// </summary>
    private sealed class LevelSplit
    {
        private const int NoFailure = int.MaxValue;

        private readonly ObjectReader _reader;
        private readonly Part _caller;
        private readonly Part _helper;
        private readonly ManualResetEventSlim _helperLeft = new(false);
        private IInPlaceBatchObjectStore? _store;
        private IReadOnlyList<ObjectId> _ids = [];
        private IObjectBytesVisitor? _inner;
        private CancellationToken _cancellationToken;
        private HashCounter.Scope? _hashScope;
        private Action<int, bool>? _chunkStarting;
        private Action<int, bool, bool>? _chunkFinished;
        private int _chunkObjects;
        private int _chunks;
        private int _next;      // the next chunk to claim (Interlocked)
        private int _completed; // chunks read and checked without failure
        private int _failedChunk;
        private Exception? _failure;

        public LevelSplit(ObjectReader reader)
        {
            _reader = reader;
            _caller = new Part(this, helper: false);
            _helper = new Part(this, helper: true);
        }

        public IReadOnlyList<ObjectId> Ids => _ids;
        public IObjectBytesVisitor Inner => _inner!;
        public bool StoreVerifies => _reader._storeVerifies;

        /// <summary>Reads and checks <paramref name="ids"/> with the help of one helper; returns once every claimed chunk is done and the helper has left.</summary>
        public void Run(IInPlaceBatchObjectStore store, IReadOnlyList<ObjectId> ids, IObjectBytesVisitor inner, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _store = store;
            _ids = ids;
            _inner = inner;
            _cancellationToken = cancellationToken;
            _hashScope = HashCounter.CurrentScope;
            _chunkStarting = _reader.SplitChunkStarting;
            _chunkFinished = _reader.SplitChunkFinished;
            _chunkObjects = Math.Max(1, _reader.SplitChunkObjects);
            _chunks = (ids.Count + _chunkObjects - 1) / _chunkObjects;
            _next = 0;
            _completed = 0;
            _failedChunk = NoFailure;
            _failure = null;
            _caller.Read = 0;
            _helper.Read = 0;
            _helperLeft.Reset();
            try
            {
                var posted = Post();
                Work(_caller);
                // Withdrawn before a helper took it: no helper will touch this split. Otherwise wait until the helper left
                // (it finishes the chunk it holds, then finds none left): one chunk's time, unless it was pre-empted in it.
                if (posted && Interlocked.CompareExchange(ref _reader._helperSlot, null, this) != this) _helperLeft.Wait(CancellationToken.None);

                var read = _caller.Read + _helper.Read;
                if (read > 0) VersionStoreDiagnostics.ObjectsRead.Add(read);
                if (_failedChunk != NoFailure) ExceptionDispatchInfo.Throw(_failure!);
                if (_completed != _chunks)
                {
                    // Stopped before every chunk was claimed, with no failure: only cancellation does that.
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException($"a split batch read stopped after {_completed} of {_chunks} chunks without a failure");
                }
            }
            finally
            {
                _store = null;
                _ids = [];
                _inner = null;
                _hashScope = null;
                _chunkStarting = null;
                _chunkFinished = null;
                _failure = null;
                _cancellationToken = default;
            }
        }

        /// <summary>Offers this split to a helper: false when another split of this reader holds the helper (then the caller reads alone).</summary>
        private bool Post()
        {
            if (_chunks < 2 || Interlocked.CompareExchange(ref _reader._helperSlot, this, null) is not null) return false;
            // A helper that is running or queued will take this split from the slot.
            _reader.WakeHelper();
            return true;
        }

        /// <summary>The helper's side: takes chunks until none are left, then leaves (the last thing it does with this split).</summary>
        public void RunAsHelper()
        {
            try
            {
                HashCounter.Lend(_hashScope);
                Work(_helper);
            }
            finally
            {
                HashCounter.Lend(null);
                _helperLeft.Set();
            }
        }

        /// <summary>Claims chunks in order and reads each, until none are left, one failed, or the read is cancelled.</summary>
        private void Work(Part part)
        {
            while (Volatile.Read(ref _failedChunk) == NoFailure && !_cancellationToken.IsCancellationRequested)
            {
                var chunk = Interlocked.Increment(ref _next) - 1;
                if (chunk >= _chunks) return;
                var failed = false;
                try
                {
                    _chunkStarting?.Invoke(chunk, part.IsHelper);
                    var start = chunk * _chunkObjects;
                    part.Set(start, Math.Min(_chunkObjects, _ids.Count - start));
                    var pending = _store!.ReadManyInPlaceAsync(part, part, _cancellationToken);
                    // The split is used only for a store whose in-place reads completed synchronously; should one not, wait.
                    if (pending.IsCompleted) pending.GetAwaiter().GetResult();
                    else pending.AsTask().GetAwaiter().GetResult();
                    Interlocked.Increment(ref _completed);
                    if (part.IsHelper) Interlocked.Increment(ref _reader._helperChunks);
                }
                catch (Exception e)
                {
                    failed = true;
                    Fail(chunk, e);
                }
                if (_chunkFinished is { } finished)
                {
                    try { finished(chunk, part.IsHelper, failed); }
                    catch (Exception e) { Fail(chunk, e); }
                }
            }
        }

        private void Fail(int chunk, Exception e)
        {
            lock (_helperLeft)
            {
                if (chunk >= _failedChunk) return;
                _failure = e;
                Volatile.Write(ref _failedChunk, chunk);
            }
        }
    }

    /// <summary>
    /// One participant's view of its current chunk: the chunk's ids (what the store reads) and the check of each object
    /// visited, by position in the whole batch, before the inner visitor sees it (as <see cref="VerifyingVisitor"/>).
    /// </summary>
    private sealed class Part(LevelSplit split, bool helper) : IReadOnlyList<ObjectId>, IObjectBytesVisitor
    {
        private int _start;

        public bool IsHelper => helper;
        public int Count { get; private set; }
        public int Read; // objects checked by this participant in the current split

        public void Set(int start, int count)
        {
            _start = start;
            Count = count;
        }

        public ObjectId this[int index] => (uint)index < (uint)Count ? split.Ids[_start + index] : throw new ArgumentOutOfRangeException(nameof(index));

        public void Visit(int index, ReadOnlySpan<byte> encoded)
        {
            var position = _start + index;
            var id = split.Ids[position];
            if (!split.StoreVerifies && ObjectId.Compute(encoded) != id) ObjectCodec.Verify(id, encoded); // throws the typed error naming the object
            ObjectCodec.ReadKind(id, encoded);
            Read++;
            split.Inner.Visit(position, encoded);
        }

        public IEnumerator<ObjectId> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// The helper, queued to the thread pool (reused: one per reader): joins each split posted to the slot while it runs,
    /// then leaves at once (no spinning for the next one).
    /// </summary>
    private sealed class HelperWorkItem(ObjectReader reader) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            Volatile.Write(ref reader._helperPresent, 1);
            Volatile.Write(ref reader._helperQueued, 0);
            while (true)
            {
                if (Interlocked.Exchange(ref reader._helperSlot, null) is { } split)
                {
                    split.RunAsHelper();
                    continue;
                }
                // Leaving: a split posted while this helper still counted as present was not queued for; take it now.
                Volatile.Write(ref reader._helperPresent, 0);
                if (Interlocked.Exchange(ref reader._helperSlot, null) is not { } late) return;
                Volatile.Write(ref reader._helperPresent, 1);
                late.RunAsHelper();
            }
        }
    }
}
