using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace VersionStore.S3.Internal;

/// <summary>
/// The SHA-256 of a pack computed while the pack is still being written: finished bytes (a prefix of the pack that
/// is never written again) are handed over a chunk at a time and hashed on a thread-pool thread, so the writer's
/// thread goes on compressing. At most one chunk is in flight. A chunk that no pool thread has started by the time
/// the writer needs the result is hashed by the writer itself, so a busy or starved pool costs no more than hashing
/// on one thread; the bytes hashed, and so the result, are the same either way.
/// </summary>
internal sealed class PackHasher : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<byte[]> _retired = [];
    private Chunk? _chunk;

    /// <summary>Bytes of the pack handed to the hash so far (the prefix [0, <see cref="Hashed"/>)).</summary>
    public int Hashed { get; private set; }

    /// <summary>True when a chunk is queued or being hashed.</summary>
    private bool Busy => _chunk is { IsDone: false };

    /// <summary>Hands bytes [<see cref="Hashed"/>, <paramref name="length"/>) of <paramref name="pack"/> to a pool
    /// thread when at least <paramref name="minimum"/> of them wait and no chunk is in flight. They must never change again.</summary>
    public void Offer(byte[] pack, int length, int minimum)
    {
        if (length - Hashed < minimum || Busy) return;
        Complete();
        _chunk = new Chunk(_hash, pack, Hashed, length - Hashed);
        Hashed = length;
        ThreadPool.UnsafeQueueUserWorkItem(_chunk, preferLocal: false);
    }

    /// <summary>A buffer the writer has outgrown: pooled again at once, or once the chunk in flight (which may read it) is done.</summary>
    public void Retire(byte[] buffer)
    {
        if (Busy) _retired.Add(buffer);
        else ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Hashes the rest of the pack, [<see cref="Hashed"/>, <paramref name="length"/>) of <paramref name="pack"/>,
    /// on this thread after the chunk in flight, writes the SHA-256 of the whole pack, and starts afresh.</summary>
    public void Finish(byte[] pack, int length, Span<byte> destination)
    {
        Complete();
        _hash.AppendData(pack, Hashed, length - Hashed);
        _hash.TryGetHashAndReset(destination, out _);
        Hashed = 0;
    }

    /// <summary>Forgets the hash so far (after the chunk in flight is done) and starts afresh.</summary>
    public void Reset()
    {
        if (_chunk is null && Hashed == 0) return;
        Span<byte> discard = stackalloc byte[32];
        try
        {
            Complete();
        }
        finally
        {
            _hash.TryGetHashAndReset(discard, out _);
            Hashed = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Complete();
        _hash.Dispose();
    }

    /// <summary>Waits for the chunk in flight, or hashes it here if no pool thread has started it; rethrows its failure.</summary>
    private void Complete()
    {
        if (_chunk is null) return;
        var chunk = _chunk;
        _chunk = null;
        chunk.RunOrWait();
        foreach (var b in _retired) ArrayPool<byte>.Shared.Return(b);
        _retired.Clear();
        chunk.Failure?.Throw();
    }

    /// <summary>One chunk: hashed by whichever of the pool thread and the writer claims it first.</summary>
    private sealed class Chunk(IncrementalHash hash, byte[] buffer, int start, int length) : IThreadPoolWorkItem
    {
        private const int Queued = 0, Claimed = 1, Done = 2;
        private readonly object _lock = new(); // Monitor.Wait/PulseAll need a monitor, not a System.Threading.Lock
        private int _state;

        public ExceptionDispatchInfo? Failure { get; private set; }

        public bool IsDone => Volatile.Read(ref _state) == Done;

        /// <summary>The pool thread's turn.</summary>
        public void Execute()
        {
            if (Interlocked.CompareExchange(ref _state, Claimed, Queued) != Queued) return; // the writer took it
            Hash();
            lock (_lock)
            {
                Volatile.Write(ref _state, Done);
                Monitor.PulseAll(_lock);
            }
        }

        /// <summary>The writer's turn: hash the chunk here if still queued, else wait until the pool thread is done.</summary>
        public void RunOrWait()
        {
            if (Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued)
            {
                Hash();
                Volatile.Write(ref _state, Done);
                return;
            }
            var spin = new SpinWait(); // a chunk takes microseconds: spin a little before sleeping
            while (!IsDone && !spin.NextSpinWillYield) spin.SpinOnce();
            if (IsDone) return;
            lock (_lock)
                while (!IsDone) Monitor.Wait(_lock);
        }

        private void Hash()
        {
            try
            {
                hash.AppendData(buffer, start, length);
            }
            catch (Exception e)
            {
                Failure = ExceptionDispatchInfo.Capture(e);
            }
        }
    }
}
