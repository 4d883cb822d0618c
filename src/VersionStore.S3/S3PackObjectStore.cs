using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using VersionStore.S3.Internal;

namespace VersionStore.S3;

/// <summary>
/// The cold tier: an <see cref="IObjectStore"/> on S3 (or an S3-compatible server) that packs objects into
/// LZ4-compressed pack files with an index (docs/FORMAT-packs.md). The indexes of every pack are held in
/// memory, so a read is one ranged GET and <see cref="ContainsAsync"/> and <see cref="FindByPrefixAsync"/> cost
/// no request.
/// </summary>
/// <remarks>
/// <para><b>Durability.</b> <see cref="WriteAsync"/> returns only after a pack holding every object it was given
/// (and that pack's index) has been uploaded and acknowledged by S3: a returned write is durable. Concurrent
/// writers are batched into one pack (group commit), so many small concurrent writes cost one upload. A write
/// that throws may have stored some of its objects; writing them again is harmless.</para>
/// <para><b>Other processes.</b> Packs written elsewhere become visible after <see cref="RefreshIndexAsync"/>,
/// which a lookup miss triggers by itself at most once per <see cref="S3PackStoreOptions.MissRefreshInterval"/>.</para>
/// <para>Open with <see cref="OpenAsync(S3PackStoreOptions, CancellationToken)"/>; it loads every pack index.</para>
/// </remarks>
public sealed class S3PackObjectStore : IObjectStore, IBatchObjectStore, ISweepableObjectStore, IAsyncDisposable, IVerifyingObjectStore
{
    /// <summary>The backend name in <see cref="BackendUnavailableException.Backend"/>.</summary>
    public const string BackendName = "S3";

    private readonly IAmazonS3 _s3;
    private readonly bool _ownsClient;
    private readonly S3PackStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly S3Keys _keys;
    private readonly string? _cacheDirectory;
    private readonly PackRangeCache _ranges;

    private readonly ConcurrentDictionary<ObjectId, Location> _index = new();
    private readonly ConcurrentDictionary<string, LoadedPack> _packs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly SemaphoreSlim _compactGate = new(1, 1);
    private long _lastRefresh = long.MinValue;

    private readonly Lock _writeLock = new();
    private List<PendingWrite> _queue = [];
    private Task? _flushLoop;
    private volatile bool _disposed;

    private sealed class LoadedPack(string name, PackIndex index, DateTimeOffset writtenAt)
    {
        public string Name { get; } = name;
        public PackIndex Index { get; } = index;
        /// <summary>When the pack was written: its index's LastModified in the bucket (the server's clock), or the upload time.</summary>
        public DateTimeOffset WrittenAt { get; set; } = writtenAt;
    }

    private readonly record struct Location(LoadedPack Pack, PackEntry Entry);

    private sealed class PendingWrite(List<EncodedObject> objects)
    {
        public List<EncodedObject> Objects { get; } = objects;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    private S3PackObjectStore(IAmazonS3 s3, bool ownsClient, S3PackStoreOptions options)
    {
        _s3 = s3;
        _ownsClient = ownsClient;
        _options = options;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger(S3Telemetry.Name);
        _keys = new S3Keys(options.Prefix);
        _ranges = new PackRangeCache(options.ReadAheadCacheBytes);
        if (options.IndexCacheDirectory is not null)
        {
            var parts = new List<string> { options.IndexCacheDirectory, options.BucketName };
            parts.AddRange(_keys.PacksPrefix.TrimEnd('/').Split('/'));
            _cacheDirectory = Path.Combine([.. parts]);
        }
    }

    /// <summary>Request counters of this store.</summary>
    public S3PackStoreMetrics Metrics { get; } = new();

    /// <summary>Packs known to this store.</summary>
    public int PackCount => _packs.Count;

    /// <summary>Objects known to this store.</summary>
    public int ObjectCount => _index.Count;

    /// <summary>The store's options (do not change them after opening).</summary>
    public S3PackStoreOptions Options => _options;

    /// <inheritdoc />
    /// <remarks>True with <see cref="S3PackStoreOptions.VerifyReads"/> (the default): bytes are verified where they enter the process.</remarks>
    public bool ReturnsVerifiedBytes => _options.VerifyReads;

    /// <summary>Validates the options, creates an S3 client from them, optionally creates the bucket, and loads
    /// every pack index of the store's prefix.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="BackendUnavailableException">S3 cannot be reached.</exception>
    public static Task<S3PackObjectStore> OpenAsync(S3PackStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return OpenCoreAsync(CreateClient(options), ownsClient: true, options, cancellationToken);
    }

    /// <summary>As <see cref="OpenAsync(S3PackStoreOptions, CancellationToken)"/>, with a client the caller
    /// configured and keeps owning (the connection settings in <paramref name="options"/> are then not used).</summary>
    public static Task<S3PackObjectStore> OpenAsync(S3PackStoreOptions options, IAmazonS3 client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        options.Validate();
        return OpenCoreAsync(client, ownsClient: false, options, cancellationToken);
    }

    private static async Task<S3PackObjectStore> OpenCoreAsync(IAmazonS3 client, bool ownsClient, S3PackStoreOptions options, CancellationToken cancellationToken)
    {
        var store = new S3PackObjectStore(client, ownsClient, options);
        try
        {
            if (options.CreateBucketIfMissing) await store.EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
            await store.RefreshIndexAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the S3 client <see cref="OpenAsync(S3PackStoreOptions, CancellationToken)"/> uses.</summary>
    internal static AmazonS3Client CreateClient(S3PackStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.Timeout,
        };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        if (options.S3CompatibleMode)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        var credentials = options.Credentials
            ?? (options.AccessKey is not null ? new BasicAWSCredentials(options.AccessKey, options.SecretKey) : null);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    // ---------------------------------------------------------------- reads

    /// <inheritdoc />
    /// <exception cref="CorruptObjectException">The stored bytes do not decode, or do not hash to <paramref name="id"/>.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!_index.TryGetValue(id, out var location))
        {
            if (!await RefreshOnMissAsync(cancellationToken).ConfigureAwait(false) || !_index.TryGetValue(id, out location)) return null;
        }
        var bytes = await ReadEntryOrOtherCopyAsync(id, location, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            // The pack is gone: another process compacted it. Its objects live in a newer pack.
            await RefreshIndexAsync(cancellationToken).ConfigureAwait(false);
            if (!_index.TryGetValue(id, out location)) return null;
            bytes = await ReadEntryOrOtherCopyAsync(id, location, cancellationToken).ConfigureAwait(false);
            if (bytes is null) return null;
        }
        return bytes;
    }

    /// <summary>
    /// The object at <paramref name="location"/>; when that copy is damaged, a good copy from another known pack that holds
    /// it (a compaction or sweep interrupted before its deletes leaves two), so damage in one pack does not hide a good
    /// copy in the same bucket. Throws the first damage when no pack holds a good copy.
    /// </summary>
    private async Task<byte[]?> ReadEntryOrOtherCopyAsync(ObjectId id, Location location, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadEntryAsync(location, cancellationToken).ConfigureAwait(false);
        }
        catch (CorruptObjectException damaged)
        {
            foreach (var other in _packs.Values)
            {
                if (ReferenceEquals(other, location.Pack) || !other.Index.TryFind(id, out var entry)) continue;
                byte[]? copy;
                try { copy = await ReadEntryAsync(new Location(other, entry), cancellationToken).ConfigureAwait(false); }
                catch (CorruptObjectException) { continue; }
                if (copy is null) continue;
                S3Telemetry.ServedFromOtherPack(_logger, id.ToString(), location.Pack.Name, _options.BucketName, damaged.Message, other.Name);
                return copy;
            }
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_index.ContainsKey(id)) return true;
        return await RefreshOnMissAsync(cancellationToken).ConfigureAwait(false) && _index.ContainsKey(id);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hexPrefix);
        ThrowIfDisposed();
        if (limit <= 0) yield break;
        var found = Find(hexPrefix, limit);
        if (found.Count == 0 && await RefreshOnMissAsync(cancellationToken).ConfigureAwait(false)) found = Find(hexPrefix, limit);
        foreach (var id in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    private List<ObjectId> Find(string hexPrefix, int limit)
    {
        var found = new List<ObjectId>();
        foreach (var id in _index.Keys)
            if (id.StartsWith(hexPrefix)) found.Add(id);
        found.Sort();
        if (found.Count > limit) found.RemoveRange(limit, found.Count - limit);
        return found;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The ids are grouped by pack; entries of one pack lying at most <see cref="S3PackStoreOptions.BatchReadGapBytes"/> apart
    /// share one ranged GET (a small pack, up to <see cref="S3PackStoreOptions.ReadAheadBytes"/>, is fetched whole and kept),
    /// up to <see cref="S3PackStoreOptions.MaxConcurrentRequests"/> GETs at once. Each object is decoded and verified once.
    /// </remarks>
    /// <exception cref="CorruptObjectException">The stored bytes of one of the objects do not decode, or do not hash to its id.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ThrowIfDisposed();
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        if (ids.Count == 0) return result;
        var unknown = false;
        foreach (var id in ids) unknown |= !_index.ContainsKey(id);
        if (unknown) await RefreshOnMissAsync(cancellationToken).ConfigureAwait(false);
        if (await ReadLocatedAsync(ids, result, cancellationToken).ConfigureAwait(false))
        {
            // A pack is gone: another process compacted it. Its objects live in a newer pack.
            await RefreshIndexAsync(cancellationToken).ConfigureAwait(false);
            await ReadLocatedAsync(ids, result, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>Reads every id the index locates whose answer is still null; true when a pack was gone.</summary>
    private async Task<bool> ReadLocatedAsync(IReadOnlyList<ObjectId> ids, ReadOnlyMemory<byte>?[] result, CancellationToken cancellationToken)
    {
        var byPack = new Dictionary<LoadedPack, Dictionary<ObjectId, PackEntry>>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (result[i] is not null || !_index.TryGetValue(ids[i], out var location)) continue;
            if (!byPack.TryGetValue(location.Pack, out var entries)) byPack[location.Pack] = entries = [];
            entries[ids[i]] = location.Entry;
        }
        if (byPack.Count == 0) return false;
        var runs = new List<(LoadedPack Pack, long Start, int Length, List<PackEntry> Entries)>();
        foreach (var (pack, entries) in byPack) AddRuns(pack, entries.Values, runs);
        var decoded = new ConcurrentDictionary<ObjectId, byte[]>();
        var gone = 0;
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken },
            async (run, token) =>
            {
                var stored = run.Length == 0 ? ReadOnlyMemory<byte>.Empty : await GetStoredAsync(run.Pack, run.Start, run.Length, token).ConfigureAwait(false);
                if (stored is not { } bytes)
                {
                    Interlocked.Exchange(ref gone, 1);
                    return;
                }
                foreach (var e in run.Entries)
                    decoded[e.Id] = DecodeVerified(run.Pack, e, bytes.Span.Slice((int)(e.Offset - run.Start), e.StoredLength));
            }).ConfigureAwait(false);
        for (var i = 0; i < ids.Count; i++)
            if (result[i] is null && decoded.TryGetValue(ids[i], out var data)) result[i] = data;
        return gone != 0;
    }

    /// <summary>Splits the wanted entries of one pack into runs of neighbours, each fetched by one ranged GET.</summary>
    private void AddRuns(LoadedPack pack, IEnumerable<PackEntry> wanted, List<(LoadedPack Pack, long Start, int Length, List<PackEntry> Entries)> runs)
    {
        var entries = wanted.OrderBy(e => e.Offset).ToList();
        var dataLength = pack.Index.DataEnd - PackFormat.PackHeaderSize;
        if (dataLength <= ReadAheadLimit)
        {
            runs.Add((pack, PackFormat.PackHeaderSize, (int)dataLength, entries));
            return;
        }
        var start = entries[0].Offset;
        var end = start + entries[0].StoredLength;
        var run = new List<PackEntry> { entries[0] };
        for (var k = 1; k < entries.Count; k++)
        {
            var e = entries[k];
            if (e.Offset - end <= _options.BatchReadGapBytes && e.Offset + e.StoredLength - start <= int.MaxValue)
            {
                run.Add(e);
                end = Math.Max(end, e.Offset + e.StoredLength);
                continue;
            }
            runs.Add((pack, start, (int)(end - start), run));
            (start, end, run) = (e.Offset, e.Offset + e.StoredLength, [e]);
        }
        runs.Add((pack, start, (int)(end - start), run));
    }

    /// <summary>One ranged GET of an entry's stored bytes (or of the whole small pack), decoded and checked; null when the pack is gone.</summary>
    private async Task<byte[]?> ReadEntryAsync(Location location, CancellationToken cancellationToken)
    {
        var entry = location.Entry;
        if (entry.StoredLength == 0) return DecodeVerified(location.Pack, entry, []);
        var dataLength = location.Pack.Index.DataEnd - PackFormat.PackHeaderSize;
        var (start, length) = dataLength <= ReadAheadLimit ? (PackFormat.PackHeaderSize, (int)dataLength) : (entry.Offset, entry.StoredLength);
        if (await GetStoredAsync(location.Pack, start, length, cancellationToken).ConfigureAwait(false) is not { } stored) return null;
        return DecodeVerified(location.Pack, entry, stored.Span.Slice((int)(entry.Offset - start), entry.StoredLength));
    }

    /// <summary>
    /// The stored bytes [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of a pack: from the
    /// read-ahead cache, else one ranged GET (kept in the cache when it is the whole data of a small pack); null when the
    /// pack is gone.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>?> GetStoredAsync(LoadedPack pack, long start, int length, CancellationToken cancellationToken)
    {
        if (_ranges.TryGet(pack.Name, start, length, out var cached)) return cached;
        var key = _keys.Pack(pack.Name);
        var stored = await CallAsync($"GET {key} (range)", async token =>
        {
            Metrics.Get();
            var request = new GetObjectRequest
            {
                BucketName = _options.BucketName,
                Key = key,
                ByteRange = new ByteRange(start, start + length - 1),
            };
            using var response = await _s3.GetObjectAsync(request, token).ConfigureAwait(false);
            if (response.ContentLength != length)
                throw new CorruptObjectException(null, $"ranged GET of {key} returned {response.ContentLength} bytes, expected {length} (does the server honour Range?)");
            var buffer = GC.AllocateUninitializedArray<byte>(length);
            await response.ResponseStream.ReadExactlyAsync(buffer, token).ConfigureAwait(false);
            Metrics.Downloaded(buffer.Length);
            return buffer;
        }, cancellationToken, notFoundIsNull: true).ConfigureAwait(false);
        if (stored is null) return null;
        if (start == PackFormat.PackHeaderSize && length == pack.Index.DataEnd - PackFormat.PackHeaderSize && length <= ReadAheadLimit)
            _ranges.Add(pack.Name, start, stored);
        return stored;
    }

    /// <summary>Packs with at most this much entry data are read whole (no read-ahead without a cache to keep it in).</summary>
    private long ReadAheadLimit => _options.ReadAheadCacheBytes == 0 ? -1 : _options.ReadAheadBytes;

    /// <summary>Decodes an entry's stored bytes and, with <see cref="S3PackStoreOptions.VerifyReads"/>, checks them against the id.</summary>
    private byte[] DecodeVerified(LoadedPack pack, in PackEntry entry, ReadOnlySpan<byte> stored)
    {
        var result = PackReader.DecodeEntry(entry, stored);
        if (_options.VerifyReads && ObjectId.Compute(result) != entry.Id)
            throw new CorruptObjectException(entry.Id, $"bytes read from pack {pack.Name[..12]} do not hash to the id");
        return result;
    }

    // ---------------------------------------------------------------- writes

    /// <inheritdoc />
    /// <remarks>Returns once a pack holding every given object (and the pack's index) is uploaded: the objects are
    /// durable. Concurrent calls share uploads. Objects the store already holds are skipped.</remarks>
    public async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        List<EncodedObject>? fresh = null;
        var freshenBefore = _time.GetUtcNow() - _options.RewriteObjectsOlderThan;
        foreach (var o in objects)
            if (!_index.TryGetValue(o.Id, out var held) || held.Pack.WrittenAt < freshenBefore) (fresh ??= []).Add(o);
        if (fresh is null) return;

        var pending = new PendingWrite(fresh);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Add(pending);
            if (_flushLoop is null || _flushLoop.IsCompleted) _flushLoop = Task.Run(FlushLoopAsync, CancellationToken.None);
        }
        // The upload itself is bounded by the S3 timeout, not by one caller's token: other callers share it.
        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every write accepted so far is durable. <see cref="WriteAsync"/> already waits for its
    /// own objects, so this is only needed to wait for writes whose callers stopped waiting (cancelled).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task? loop;
        lock (_writeLock) loop = _flushLoop;
        if (loop is not null) await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_writeLock)
            {
                if (_queue.Count == 0)
                {
                    _flushLoop = null;
                    return;
                }
                batch = _queue;
                _queue = [];
            }
            try
            {
                await UploadObjectsAsync(batch, CancellationToken.None).ConfigureAwait(false);
                foreach (var w in batch) w.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var w in batch) w.Done.TrySetException(e);
            }
        }
    }

    private async Task UploadObjectsAsync(List<PendingWrite> batch, CancellationToken cancellationToken)
    {
        var count = batch.Sum(w => w.Objects.Count);
        // In id order, the writer lays each pack out as it compresses and hashes it meanwhile (PackWriter's remarks);
        // duplicates (the same object in two writes) come next to each other, and Add refuses the second.
        var objects = ArrayPool<EncodedObject>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var w in batch)
            {
                w.Objects.CopyTo(objects, n);
                n += w.Objects.Count;
            }
            PackWriter.SortById(objects.AsSpan(0, count));
            using var writer = new PackWriter(_options.CompressionLevel, Math.Min(count, _options.MaxObjectsPerPack));
            var freshenBefore = _time.GetUtcNow() - _options.RewriteObjectsOlderThan;
            for (var i = 0; i < count; i++)
            {
                var o = objects[i];
                if ((_index.TryGetValue(o.Id, out var held) && held.Pack.WrittenAt >= freshenBefore) || !writer.Add(o.Id, o.Data.Span)) continue;
                if (writer.StoredBytes >= _options.PackSizeTarget || writer.Count >= _options.MaxObjectsPerPack)
                {
                    using (var full = writer.Build()) await UploadPackAsync(full, cancellationToken).ConfigureAwait(false);
                }
            }
            if (writer.Count == 0) return;
            using var pack = writer.Build();
            await UploadPackAsync(pack, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<EncodedObject>.Shared.Return(objects, clearArray: true); // the objects' data must not outlive the write in the pool
        }
    }

    /// <summary>
    /// Uploads a pack made by compaction or a sweep, unless the bucket already holds it: a pack is named by the SHA-256
    /// of its bytes and a known pack was listed through its index, which is uploaded after the pack, so the bucket has
    /// these exact bytes. (A rerun after a crash rebuilds the pack the crashed run uploaded. Putting it again would
    /// gain nothing, and on a server that writes a PUT in place rather than atomically, a reader — or a crash during
    /// that PUT — would see the indexed pack cut short.) Writers always upload: their PUT is what refreshes an
    /// object's write time.
    /// </summary>
    private Task UploadRewrittenPackAsync(BuiltPack pack, CancellationToken cancellationToken)
        => _packs.ContainsKey(pack.Name) ? Task.CompletedTask : UploadPackAsync(pack, cancellationToken);

    /// <summary>Uploads a pack, then its index (so a listed index always has its pack), then makes it visible.</summary>
    private async Task UploadPackAsync(BuiltPack pack, CancellationToken cancellationToken)
    {
        using var activity = S3Telemetry.ActivitySource.StartActivity("vstore.s3.upload_pack");
        activity?.SetTag("vstore.s3.pack", pack.Name);
        await PutAsync(_keys.Pack(pack.Name), pack.Bytes, cancellationToken).ConfigureAwait(false);
        await PutAsync(_keys.Index(pack.Name), pack.IndexBytes, cancellationToken).ConfigureAwait(false);
        S3Telemetry.PackUploaded(_logger, pack.Name, _options.BucketName, pack.Index.Count, pack.Bytes.Length);
        WriteCachedIndex(pack.Name, pack.IndexBytes.Span);
        Register(new LoadedPack(pack.Name, pack.Index, _time.GetUtcNow()));
    }

    private async Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (!MemoryMarshal.TryGetArray(bytes, out var body)) body = new ArraySegment<byte>(bytes.ToArray());
        await CallAsync($"PUT {key}", async token =>
        {
            Metrics.Put(bytes.Length);
            var request = new PutObjectRequest
            {
                BucketName = _options.BucketName,
                Key = key,
                InputStream = new MemoryStream(body.Array!, body.Offset, body.Count, writable: false),
                AutoCloseStream = true,
                ContentType = "application/octet-stream",
            };
            if (_options.S3CompatibleMode) request.UseChunkEncoding = false;
            var response = await _s3.PutObjectAsync(request, token).ConfigureAwait(false);
            if (_options.VerifyUploadETag) CheckETag(key, response.ETag, body);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckETag(string key, string? etag, ReadOnlySpan<byte> bytes)
    {
        var e = etag?.Trim('"');
        if (e is null || e.Length != 32 || !S3Keys.IsHex(e)) return; // not an MD5 ETag (multipart, SSE-KMS, …)
        var md5 = Convert.ToHexStringLower(MD5.HashData(bytes));
        if (!string.Equals(e, md5, StringComparison.OrdinalIgnoreCase))
            throw new BackendUnavailableException(BackendName,
                $"PUT {key}: the server stored other bytes than were sent (ETag {e}, MD5 of the body {md5}). For an S3-compatible server set S3CompatibleMode; for SSE-KMS/SSE-C buckets turn off VerifyUploadETag.");
    }

    // ---------------------------------------------------------------- index

    /// <summary>
    /// Lists the store's pack indexes in the bucket, loads those not yet known (from the local index cache when
    /// it has them, else one GET each) and forgets packs that are gone. Returns the number of packs loaded.
    /// </summary>
    /// <exception cref="BackendUnavailableException">S3 cannot be reached.</exception>
    public async Task<int> RefreshIndexAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Packs registered before the listing starts have their index uploaded already, so the listing sees them:
            // only those may be judged gone.
            var known = _packs.Keys.ToHashSet(StringComparer.Ordinal);
            var listed = await ListPackNamesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (name, at) in listed)
                if (_packs.TryGetValue(name, out var held) && at > held.WrittenAt) held.WrittenAt = at; // the same pack written again
            var toLoad = listed.Keys.Where(n => !_packs.ContainsKey(n)).ToList();
            var loaded = 0;
            await Parallel.ForEachAsync(toLoad, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken },
                async (name, token) =>
                {
                    PackIndex? index;
                    try
                    {
                        index = await LoadIndexAsync(name, token).ConfigureAwait(false);
                    }
                    catch (CorruptObjectException e) when (_time.GetUtcNow() - listed[name] < IndexSettleTime)
                    {
                        // A fresh index: most likely caught mid-upload. Not loaded, so not judged: its objects stay unknown
                        // (never listed for, nor deleted by, garbage collection), its pack is kept (its index is listed),
                        // and the next refresh tries it again. An older one that does not parse is damage, and throws.
                        Metrics.IndexSkipped();
                        S3Telemetry.IndexSkipped(_logger, _keys.Index(name), _options.BucketName, IndexLoadAttempts, e.Message);
                        return;
                    }
                    if (index is null) return; // deleted since the listing (compacted)
                    Register(new LoadedPack(name, index, listed[name]));
                    Interlocked.Increment(ref loaded);
                }).ConfigureAwait(false);
            foreach (var name in known)
                if (!listed.ContainsKey(name)) Forget(name);
            Volatile.Write(ref _lastRefresh, _time.GetTimestamp());
            return loaded;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task<bool> RefreshOnMissAsync(CancellationToken cancellationToken)
    {
        var interval = _options.MissRefreshInterval;
        if (interval == Timeout.InfiniteTimeSpan) return false;
        var last = Volatile.Read(ref _lastRefresh);
        if (last != long.MinValue && _time.GetElapsedTime(last) < interval) return false;
        await RefreshIndexAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<Dictionary<string, DateTimeOffset>> ListPackNamesAsync(CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (key, (name, isIndex, _, at)) in await ListKeysAsync(cancellationToken).ConfigureAwait(false))
            if (isIndex) names[name] = at;
        return names;
    }

    /// <summary>Every pack and index key under the prefix: key → (pack name, is an index, size, LastModified).</summary>
    private async Task<Dictionary<string, (string Name, bool IsIndex, long Size, DateTimeOffset LastModified)>> ListKeysAsync(CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, (string, bool, long, DateTimeOffset)>(StringComparer.Ordinal);
        string? continuation = null;
        do
        {
            var response = await CallAsync($"LIST {_keys.PacksPrefix}", token =>
            {
                Metrics.List();
                return _s3.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = _options.BucketName,
                    Prefix = _keys.PacksPrefix,
                    ContinuationToken = continuation,
                }, token);
            }, cancellationToken).ConfigureAwait(false);
            foreach (var o in response!.S3Objects ?? [])
            {
                var at = o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
                if (_keys.TryParseIndexKey(o.Key) is { } name) keys[o.Key] = (name, true, o.Size ?? 0, at);
                else if (_keys.TryParsePackKey(o.Key) is { } pack) keys[o.Key] = (pack, false, o.Size ?? 0, at);
            }
            continuation = response.IsTruncated == true ? response.NextContinuationToken : null;
        } while (continuation is not null);
        return keys;
    }

    /// <summary>Bytes of every pack and index under the store's prefix, from one listing (benchmarks, space reports).</summary>
    public async Task<long> GetBucketBytesAsync(CancellationToken cancellationToken = default)
        => (await ListKeysAsync(cancellationToken).ConfigureAwait(false)).Values.Sum(k => k.Size);

    // ---------------------------------------------------------------- garbage collection

    /// <inheritdoc />
    /// <remarks>Re-lists the bucket first. An object's write time is that of the newest pack holding it.</remarks>
    public async IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await RefreshIndexAsync(cancellationToken).ConfigureAwait(false);
        var newest = new Dictionary<ObjectId, (long Bytes, DateTimeOffset At)>();
        foreach (var pack in _packs.Values)
            foreach (var e in pack.Index.Entries)
                if (!newest.TryGetValue(e.Id, out var seen) || seen.At < pack.WrittenAt) newest[e.Id] = (e.Length, pack.WrittenAt);
        foreach (var (id, (bytes, at)) in newest)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredObjectInfo(id, bytes, at);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Packs are immutable, so deleting is rewriting: each pack written before <paramref name="writtenBefore"/> that holds a
    /// doomed object is downloaded, checked, and written again without the doomed objects (every kept object checked
    /// against its id); only once the new pack and its index are uploaded (durable) are the old index and pack deleted.
    /// Packs written since the cut-off are never touched, so a copy freshened by a writer survives. Packs left without an
    /// index by a crash (older than the cut-off) are deleted too. A crash at any moment leaves every object in at least one
    /// indexed pack, or deleted as planned.
    /// </remarks>
    public async ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ThrowIfDisposed();
        var doomed = ids as IReadOnlySet<ObjectId> ?? ids.ToHashSet();
        long count = 0, freed = 0;
        await _compactGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshIndexAsync(cancellationToken).ConfigureAwait(false);
            var affected = _packs.Values.Where(p => p.WrittenAt < writtenBefore && HasAny(p.Index, doomed)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            foreach (var old in affected)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var bytes = await GetWholeAsync(_keys.Pack(old.Name), cancellationToken).ConfigureAwait(false);
                if (bytes is null) continue; // rewritten by another collector meanwhile
                if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), old.Name, StringComparison.Ordinal))
                    throw new CorruptObjectException(null, $"pack {old.Name} does not hash to its name; left in place");
                var index = PackReader.ReadIndex(bytes, $"pack {old.Name}");
                using var writer = new PackWriter(_options.CompactionCompressionLevel);
                var dropped = CopyVerified(bytes, index, old.Name, writer, doomed);
                long after = 0;
                if (writer.Count > 0)
                {
                    using var pack = writer.Build();
                    await UploadRewrittenPackAsync(pack, cancellationToken).ConfigureAwait(false);
                    after = pack.Bytes.Length + pack.IndexBytes.Length;
                }
                // The new pack is durable and registered: now the old one may go (index first, so no listed index lacks its pack).
                Forget(old.Name);
                await DeleteAsync(_keys.Index(old.Name), cancellationToken).ConfigureAwait(false);
                await DeleteAsync(_keys.Pack(old.Name), cancellationToken).ConfigureAwait(false);
                count += dropped;
                freed += bytes.Length + PackFormat.IndexLength(index.Count) - after;
            }
            var keys = await ListKeysAsync(cancellationToken).ConfigureAwait(false);
            var indexed = keys.Values.Where(k => k.IsIndex).Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, (name, isIndex, size, at)) in keys)
            {
                if (isIndex || at >= writtenBefore || indexed.Contains(name) || _packs.ContainsKey(name)) continue;
                await DeleteAsync(key, cancellationToken).ConfigureAwait(false); // a pack whose index never landed (or was deleted before it)
                freed += size;
            }
        }
        finally
        {
            _compactGate.Release();
        }
        return [new TierSweepResult("s3", count, freed)];
    }

    /// <summary>
    /// Adds every object of a downloaded pack to <paramref name="writer"/> except those in <paramref name="drop"/> and those
    /// it holds already, each checked against its id first; returns how many were dropped. Objects are decoded into one
    /// pooled buffer (the writer compresses them on <see cref="PackWriter.Add"/>), not into an array each.
    /// </summary>
    /// <exception cref="CorruptObjectException">An object does not decode, or does not hash to its id.</exception>
    private static int CopyVerified(ReadOnlySpan<byte> pack, PackIndex index, string packName, PackWriter writer, IReadOnlySet<ObjectId>? drop)
    {
        var dropped = 0;
        var scratch = ArrayPool<byte>.Shared.Rent(PackReader.MaximumLength(index.Entries));
        try
        {
            foreach (ref readonly var e in index.Entries)
            {
                if (drop is not null && drop.Contains(e.Id)) { dropped++; continue; }
                if (writer.Contains(e.Id)) continue;
                var data = scratch.AsSpan(0, e.Length);
                PackReader.ReadObject(pack, e, data);
                if (ObjectId.Compute(data) != e.Id) throw new CorruptObjectException(e.Id, $"object in pack {packName[..12]} does not hash to its id; pack left in place");
                writer.Add(e.Id, data);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return dropped;
    }

    private static bool HasAny(PackIndex index, IReadOnlySet<ObjectId> ids)
    {
        foreach (var e in index.Entries)
            if (ids.Contains(e.Id)) return true;
        return false;
    }

    /// <summary>GETs of a listed index that does not parse before it is given up on for this refresh.</summary>
    internal const int IndexLoadAttempts = 3;

    /// <summary>A listed index younger than this (by its LastModified) that does not parse is taken for an upload in
    /// progress and skipped until the next refresh; an older one is damage (<see cref="CorruptObjectException"/>).
    /// Generous, so that clock skew between this process and the server does not matter.</summary>
    internal static readonly TimeSpan IndexSettleTime = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The index of pack <paramref name="name"/>: from the local cache, else GET (null when it is gone). An index that does not
    /// parse is fetched again, up to <see cref="IndexLoadAttempts"/> GETs: a listing can show an index whose upload is still
    /// in progress, and some S3-compatible servers then serve a partial object.
    /// </summary>
    /// <exception cref="CorruptObjectException">The index still does not parse after the last attempt.</exception>
    private async Task<PackIndex?> LoadIndexAsync(string name, CancellationToken cancellationToken)
    {
        var key = _keys.Index(name);
        var cached = ReadCachedIndex(name);
        if (cached is not null) return cached;
        for (var attempt = 1; ; attempt++)
        {
            var bytes = await GetWholeAsync(key, cancellationToken).ConfigureAwait(false);
            if (bytes is null) return null;
            try
            {
                var index = PackIndex.Parse(bytes, $"pack index {key}");
                WriteCachedIndex(name, bytes);
                return index;
            }
            catch (CorruptObjectException) when (attempt < IndexLoadAttempts)
            {
                // Fetched again: the upload may have completed meanwhile.
            }
        }
    }

    private void Register(LoadedPack pack)
    {
        _packs[pack.Name] = pack;
        // The newest pack holding an object wins: its write time is the object's, which decides whether a write freshens it.
        foreach (var e in pack.Index.Entries)
            _index.AddOrUpdate(e.Id, static (_, l) => l, static (_, current, l) => current.Pack.WrittenAt > l.Pack.WrittenAt ? current : l, new Location(pack, e));
    }

    /// <summary>Drops a pack; its objects stay visible when another known pack holds them.</summary>
    private void Forget(string name)
    {
        if (!_packs.TryRemove(name, out var gone)) return;
        foreach (var e in gone.Index.Entries)
        {
            if (!_index.TryGetValue(e.Id, out var current) || !ReferenceEquals(current.Pack, gone)) continue;
            Location? replacement = null;
            foreach (var other in _packs.Values)
                if (other.Index.TryFind(e.Id, out var found)) { replacement = new Location(other, found); break; }
            if (replacement is { } r) _index.TryUpdate(e.Id, r, current);
            else ((ICollection<KeyValuePair<ObjectId, Location>>)_index).Remove(new(e.Id, current));
        }
        DeleteCachedIndex(name);
        _ranges.Forget(name);
    }

    private PackIndex? ReadCachedIndex(string name)
    {
        if (_cacheDirectory is null) return null;
        var path = Path.Combine(_cacheDirectory, name + S3Keys.IndexSuffix);
        try
        {
            if (!File.Exists(path)) return null;
            return PackIndex.Parse(File.ReadAllBytes(path), $"cached pack index {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CorruptObjectException)
        {
            DeleteCachedIndex(name); // a damaged cache entry is refetched
            return null;
        }
    }

    private void WriteCachedIndex(string name, ReadOnlySpan<byte> bytes)
    {
        if (_cacheDirectory is null) return;
        try
        {
            Directory.CreateDirectory(_cacheDirectory);
            var path = Path.Combine(_cacheDirectory, name + S3Keys.IndexSuffix);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache only saves GETs on restart; the bucket stays the source of truth.
        }
    }

    private void DeleteCachedIndex(string name)
    {
        if (_cacheDirectory is null) return;
        try { File.Delete(Path.Combine(_cacheDirectory, name + S3Keys.IndexSuffix)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    // ---------------------------------------------------------------- compaction

    /// <summary>
    /// Merges packs smaller than <see cref="S3PackStoreOptions.CompactionSmallPackBytes"/> into packs of up to
    /// <see cref="S3PackStoreOptions.PackSizeTarget"/>, recompressed at
    /// <see cref="S3PackStoreOptions.CompactionCompressionLevel"/>. Each new pack and its index are uploaded (and
    /// so durable) before the packs it replaces are deleted; every object is checked against its id on the way.
    /// </summary>
    /// <exception cref="CorruptObjectException">A pack to merge holds a damaged object; that group is left as it was.</exception>
    /// <exception cref="BackendUnavailableException">S3 cannot be reached.</exception>
    public async Task<S3CompactionResult> CompactAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _compactGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var small = _packs.Values.Where(p => p.Index.DataEnd < _options.CompactionSmallPackBytes)
                .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            var groups = new List<List<LoadedPack>>();
            var current = new List<LoadedPack>();
            long currentBytes = 0;
            foreach (var p in small)
            {
                if (current.Count > 0 && (currentBytes + p.Index.DataEnd > _options.PackSizeTarget || current.Sum(c => c.Index.Count) + p.Index.Count > _options.MaxObjectsPerPack))
                {
                    groups.Add(current);
                    current = [];
                    currentBytes = 0;
                }
                current.Add(p);
                currentBytes += p.Index.DataEnd;
            }
            if (current.Count > 0) groups.Add(current);

            int merged = 0, written = 0, objects = 0;
            long before = 0, after = 0;
            foreach (var group in groups.Where(g => g.Count >= 2))
            {
                var downloads = new byte[group.Count][];
                await Parallel.ForEachAsync(Enumerable.Range(0, group.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken },
                    async (i, token) => downloads[i] = await GetWholeAsync(_keys.Pack(group[i].Name), token).ConfigureAwait(false)
                        ?? throw new BackendUnavailableException(BackendName, $"pack {group[i].Name} vanished during compaction (another process compacting?)")).ConfigureAwait(false);

                using var writer = new PackWriter(_options.CompactionCompressionLevel);
                for (var i = 0; i < group.Count; i++)
                {
                    var bytes = downloads[i];
                    if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), group[i].Name, StringComparison.Ordinal))
                        throw new CorruptObjectException(null, $"pack {group[i].Name} does not hash to its name; left in place");
                    var index = PackReader.ReadIndex(bytes, $"pack {group[i].Name}");
                    CopyVerified(bytes, index, group[i].Name, writer, drop: null);
                    before += bytes.Length;
                }
                using var pack = writer.Build();
                // Merging may give back a pack the bucket holds already (a member of the group, or the output of a run
                // that crashed before deleting its inputs): then nothing is uploaded, and the rest of the group goes.
                if (!_packs.ContainsKey(pack.Name))
                {
                    await UploadPackAsync(pack, cancellationToken).ConfigureAwait(false);
                    written++;
                    objects += pack.Index.Count;
                    after += pack.Bytes.Length;
                }

                // The new pack is durable and registered (it wins every lookup): now the old ones may go.
                foreach (var old in group.Where(g => g.Name != pack.Name))
                {
                    Forget(old.Name);
                    await DeleteAsync(_keys.Index(old.Name), cancellationToken).ConfigureAwait(false);
                    await DeleteAsync(_keys.Pack(old.Name), cancellationToken).ConfigureAwait(false);
                    merged++;
                }
            }
            return new S3CompactionResult(merged, written, objects, before, after);
        }
        finally
        {
            _compactGate.Release();
        }
    }

    // ---------------------------------------------------------------- S3 plumbing

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync($"PUT bucket {_options.BucketName}", async token =>
            {
                Metrics.Put(0);
                await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _options.BucketName }, token).ConfigureAwait(false);
                return true;
            }, cancellationToken, passThrough: e => e.StatusCode == HttpStatusCode.Conflict).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // BucketAlreadyOwnedByYou / BucketAlreadyExists: fine when it is ours; the listing that follows tells.
        }
    }

    private Task<byte[]?> GetWholeAsync(string key, CancellationToken cancellationToken)
        => CallAsync($"GET {key}", async token =>
        {
            Metrics.Get();
            using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _options.BucketName, Key = key }, token).ConfigureAwait(false);
            using var buffer = response.ContentLength is > 0 and <= int.MaxValue ? new MemoryStream((int)response.ContentLength) : new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, token).ConfigureAwait(false);
            Metrics.Downloaded(buffer.Length);
            return buffer.ToArray();
        }, cancellationToken, notFoundIsNull: true);

    private Task DeleteAsync(string key, CancellationToken cancellationToken)
        => CallAsync($"DELETE {key}", async token =>
        {
            Metrics.Delete();
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.BucketName, Key = key }, token).ConfigureAwait(false);
            return true;
        }, cancellationToken, notFoundIsNull: true);

    /// <summary>
    /// Runs one S3 request under <see cref="S3PackStoreOptions.Timeout"/> and maps failures to
    /// <see cref="BackendUnavailableException"/>. A missing key (404 NoSuchKey) gives null when
    /// <paramref name="notFoundIsNull"/>; the caller's own cancellation stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task<T?> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken,
        bool notFoundIsNull = false, Func<AmazonS3Exception, bool>? passThrough = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeout = _options.Timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendUnavailableException(BackendName, $"{what} did not complete within {_options.Timeout.TotalSeconds:0.###} s (bucket '{_options.BucketName}').", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && notFoundIsNull && e.ErrorCode != "NoSuchBucket")
        {
            return default;
        }
        catch (AmazonS3Exception e) when (passThrough?.Invoke(e) == true)
        {
            throw;
        }
        catch (AmazonServiceException e)
        {
            throw new BackendUnavailableException(BackendName, $"{what} failed: {(int)e.StatusCode} {e.ErrorCode}: {e.Message} (bucket '{_options.BucketName}').", e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            throw new BackendUnavailableException(BackendName, $"{what} failed: {e.Message} (bucket '{_options.BucketName}').", e);
        }
    }

    // ---------------------------------------------------------------- test and benchmark hooks

    /// <summary>Names of the packs known to this store.</summary>
    internal IReadOnlyList<string> PackNames => [.. _packs.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The bucket key of pack <paramref name="name"/>.</summary>
    internal string PackKey(string name) => _keys.Pack(name);

    /// <summary>The bucket key of the index of pack <paramref name="name"/>.</summary>
    internal string IndexKey(string name) => _keys.Index(name);

    /// <summary>Where the in-memory index places <paramref name="id"/>.</summary>
    internal bool TryLocate(ObjectId id, out string packName, out PackEntry entry)
    {
        if (_index.TryGetValue(id, out var location))
        {
            packName = location.Pack.Name;
            entry = location.Entry;
            return true;
        }
        packName = "";
        entry = default;
        return false;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Waits for uploads in flight, then releases the S3 client when the store created it.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_writeLock)
        {
            if (_disposed) return;
            _disposed = true;
            loop = _flushLoop;
        }
        if (loop is not null)
        {
            try { await loop.ConfigureAwait(false); }
            catch (Exception) { /* failures were reported to the writers */ }
        }
        if (_ownsClient) _s3.Dispose();
        _refreshGate.Dispose();
        _compactGate.Dispose();
    }
}
