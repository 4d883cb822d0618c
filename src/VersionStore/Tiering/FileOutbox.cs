using System.Buffers.Binary;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// A crash-safe <see cref="IOutbox"/> in one append-only file. Each append or completion is one or more fixed-size
/// records (<c>'A'</c> or <c>'D'</c>, the 32-byte id, a 4-byte FNV-1a checksum) written and fsynced before the call
/// returns. Opening replays the file; a torn or damaged record ends the replay and the file is truncated there (the
/// records after it were never acknowledged, or are lost with the damage — their objects stay in the durable tier).
/// When completed records dominate, the file is rewritten with only the pending ids (write a temporary file, fsync,
/// rename). The file is opened exclusively: a second opener (another process) fails with
/// <see cref="BackendUnavailableException"/>.
/// </summary>
public sealed class FileOutbox : IOutbox, IDisposable
{
    private static ReadOnlySpan<byte> Header => "VSOUTBX1"u8;
    private const int RecordSize = 1 + ObjectId.Size + 4;
    private const byte Added = (byte)'A';
    private const byte Done = (byte)'D';

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PendingSet _pending = new();
    private readonly bool _sync;
    private readonly int _compactionThreshold;
    private FileStream _file;
    private long _records;
    private bool _disposed;

    private FileOutbox(string path, FileStream file, bool sync, int compactionThreshold)
    {
        Path = path;
        _file = file;
        _sync = sync;
        _compactionThreshold = compactionThreshold;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Records dropped at the end of the file when it was opened (a torn write of a crash, or damage).</summary>
    public int TruncatedRecords { get; private set; }

    /// <inheritdoc />
    public long PendingCount
    {
        get
        {
            _gate.Wait();
            try { return _pending.Count; }
            finally { _gate.Release(); }
        }
    }

    /// <summary>Opens (or creates) the outbox file at <paramref name="path"/> and replays it.</summary>
    /// <param name="path">The file; its folder is created when missing.</param>
    /// <param name="syncWrites">fsync each append and completion (survives power loss); false only flushes to the OS (survives a process crash).</param>
    /// <param name="compactionThreshold">Rewrite the file when it holds more than this many records and four times as many as are pending.</param>
    /// <exception cref="BackendUnavailableException">The file cannot be opened (for example another process holds it).</exception>
    public static FileOutbox Open(string path, bool syncWrites = true, int compactionThreshold = 4096)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(compactionThreshold, 1);
        path = System.IO.Path.GetFullPath(path);
        FileStream file;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackendUnavailableException("outbox", $"cannot open '{path}': {e.Message}", e);
        }
        var outbox = new FileOutbox(path, file, syncWrites, compactionThreshold);
        try
        {
            outbox.Replay();
            return outbox;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private void Replay()
    {
        var length = _file.Length;
        if (length == 0)
        {
            _file.Write(Header);
            Flush();
            return;
        }
        var all = new byte[length];
        _file.Position = 0;
        _file.ReadExactly(all);
        if (length < Header.Length || !all.AsSpan(0, Header.Length).SequenceEqual(Header))
            throw new BackendUnavailableException("outbox", $"'{Path}' is not an outbox file (bad header)");
        var pos = Header.Length;
        while (pos + RecordSize <= length)
        {
            var record = all.AsSpan(pos, RecordSize);
            if (!TryDecode(record, out var kind, out var id)) break;
            if (kind == Added) _pending.Add(id);
            else _pending.Remove(id);
            _records++;
            pos += RecordSize;
        }
        if (pos != length)
        {
            TruncatedRecords = (int)((length - pos + RecordSize - 1) / RecordSize);
            _file.SetLength(pos);
            Flush();
        }
        _file.Position = pos;
        if (_records > _compactionThreshold && _records > 4L * _pending.Count) Compact();
    }

    private static bool TryDecode(ReadOnlySpan<byte> record, out byte kind, out ObjectId id)
    {
        kind = record[0];
        id = default;
        if (kind is not (Added or Done)) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(record[(1 + ObjectId.Size)..]) != Fnv(record[..(1 + ObjectId.Size)])) return false;
        id = new ObjectId(record.Slice(1, ObjectId.Size));
        return true;
    }

    private static void Encode(Span<byte> record, byte kind, ObjectId id)
    {
        record[0] = kind;
        id.WriteTo(record[1..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(1 + ObjectId.Size)..], Fnv(record[..(1 + ObjectId.Size)]));
    }

    private static uint Fnv(ReadOnlySpan<byte> data)
    {
        var h = 2166136261u;
        foreach (var b in data) h = (h ^ b) * 16777619u;
        return h;
    }

    /// <inheritdoc />
    public async ValueTask AppendAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WriteRecords(Added, ids);
            foreach (var id in ids) _pending.Add(id);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ObjectId>> PeekAsync(int max, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _pending.Take(max);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WriteRecords(Done, ids);
            foreach (var id in ids) _pending.Remove(id);
            if (_records > _compactionThreshold && _records > 4L * _pending.Count) Compact();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void WriteRecords(byte kind, IReadOnlyList<ObjectId> ids)
    {
        var buffer = new byte[ids.Count * RecordSize];
        for (var i = 0; i < ids.Count; i++) Encode(buffer.AsSpan(i * RecordSize, RecordSize), kind, ids[i]);
        try
        {
            _file.Write(buffer);
            Flush();
        }
        catch (IOException e)
        {
            throw new BackendUnavailableException("outbox", $"cannot write '{Path}': {e.Message}", e);
        }
        _records += ids.Count;
    }

    private void Flush()
    {
        if (_sync) _file.Flush(flushToDisk: true);
        else _file.Flush();
    }

    /// <summary>Rewrites the file with only the pending ids: temporary file, fsync, rename over the old one.</summary>
    private void Compact()
    {
        var temp = Path + ".compact";
        var pending = _pending.All.ToList();
        using (var t = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            t.Write(Header);
            var buffer = new byte[pending.Count * RecordSize];
            for (var i = 0; i < pending.Count; i++) Encode(buffer.AsSpan(i * RecordSize, RecordSize), Added, pending[i]);
            t.Write(buffer);
            t.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
        _file.Dispose();
        _file = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        _file.Position = _file.Length;
        _records = pending.Count;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _file.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
