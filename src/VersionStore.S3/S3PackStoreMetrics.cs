using VersionStore.S3.Internal;

namespace VersionStore.S3;

/// <summary>
/// Requests an <see cref="S3PackObjectStore"/> has sent, counted by the store (one per request it issues; the
/// SDK's own retries of a request are not counted again). Tests use it to check that a cold read costs one GET. The same
/// counts are exported, for all stores of the process, as <c>vstore.s3.requests</c> and <c>vstore.s3.bytes</c> on the
/// <c>VersionStore.S3</c> Meter.
/// </summary>
public sealed class S3PackStoreMetrics
{
    private long _gets, _puts, _lists, _deletes, _bytesDownloaded, _bytesUploaded, _indexesSkipped;

    /// <summary>GET requests (ranged object reads, index and pack downloads).</summary>
    public long GetRequests => Volatile.Read(ref _gets);

    /// <summary>PUT requests (pack and index uploads, bucket creation).</summary>
    public long PutRequests => Volatile.Read(ref _puts);

    /// <summary>LIST requests (index discovery; one per page).</summary>
    public long ListRequests => Volatile.Read(ref _lists);

    /// <summary>DELETE requests (compaction).</summary>
    public long DeleteRequests => Volatile.Read(ref _deletes);

    /// <summary>Body bytes received by GETs.</summary>
    public long BytesDownloaded => Volatile.Read(ref _bytesDownloaded);

    /// <summary>Body bytes sent by PUTs.</summary>
    public long BytesUploaded => Volatile.Read(ref _bytesUploaded);

    /// <summary>Freshly listed pack indexes that did not parse (after retries) and whose packs an index refresh therefore
    /// skipped until the next one (log event 4003): an index caught while its upload was in progress.</summary>
    public long IndexesSkipped => Volatile.Read(ref _indexesSkipped);

    internal void IndexSkipped() => Interlocked.Increment(ref _indexesSkipped);

    internal void Get() { Interlocked.Increment(ref _gets); S3Telemetry.Requests.Add(1, new KeyValuePair<string, object?>("operation", "get")); }
    internal void Put(long bytes)
    {
        Interlocked.Increment(ref _puts);
        Interlocked.Add(ref _bytesUploaded, bytes);
        S3Telemetry.Requests.Add(1, new KeyValuePair<string, object?>("operation", "put"));
        S3Telemetry.Bytes.Add(bytes, new KeyValuePair<string, object?>("direction", "upload"));
    }
    internal void List() { Interlocked.Increment(ref _lists); S3Telemetry.Requests.Add(1, new KeyValuePair<string, object?>("operation", "list")); }
    internal void Delete() { Interlocked.Increment(ref _deletes); S3Telemetry.Requests.Add(1, new KeyValuePair<string, object?>("operation", "delete")); }
    internal void Downloaded(long bytes)
    {
        Interlocked.Add(ref _bytesDownloaded, bytes);
        S3Telemetry.Bytes.Add(bytes, new KeyValuePair<string, object?>("direction", "download"));
    }
}
