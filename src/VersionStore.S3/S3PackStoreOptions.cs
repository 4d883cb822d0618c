using Amazon.Runtime;
using K4os.Compression.LZ4;
using VersionStore.S3.Internal;

namespace VersionStore.S3;

/// <summary>
/// Options of an <see cref="S3PackObjectStore"/>. Every property has a documented default; <see cref="Validate"/>
/// reports every problem at once.
/// </summary>
public sealed class S3PackStoreOptions
{
    /// <summary>The bucket that holds the packs. Required.</summary>
    /// <value>Empty (must be set).</value>
    public string BucketName { get; set; } = "";

    /// <summary>
    /// Key prefix of this store inside the bucket, so several stores can share a bucket without seeing each
    /// other's objects: slash-separated segments of <c>[A-Za-z0-9._-]</c> (no <c>.</c> or <c>..</c> segment),
    /// e.g. <c>vstore/prod</c>. Packs live under <c>{Prefix}/packs/</c>.
    /// </summary>
    /// <value>Empty: packs live under <c>packs/</c> at the root of the bucket.</value>
    public string Prefix { get; set; } = "";

    /// <summary>Endpoint of an S3-compatible server (MinIO, Ceph, s3rver, …), e.g. <c>http://127.0.0.1:4568</c>.
    /// Null talks to AWS S3 in <see cref="Region"/>.</summary>
    /// <value>Null.</value>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS region (signing region when <see cref="ServiceUrl"/> is set).</summary>
    /// <value><c>us-east-1</c>.</value>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>) instead of virtual-hosted style. Most
    /// S3-compatible servers need it.</summary>
    /// <value>False.</value>
    public bool ForcePathStyle { get; set; }

    /// <summary>
    /// Talk to an S3-compatible server the plain way: request checksums and response validation only when an
    /// operation requires them, and no <c>aws-chunked</c> bodies on uploads. AWS SDK 4 otherwise sends
    /// chunked bodies with checksum trailers, which some servers (s3rver among them) store verbatim — silent
    /// corruption. Set it for every non-AWS endpoint.
    /// </summary>
    /// <value>False (AWS S3 behaviour).</value>
    public bool S3CompatibleMode { get; set; }

    /// <summary>Access key id. With <see cref="SecretKey"/>; when both are null and <see cref="Credentials"/> is
    /// null the SDK's default credential chain is used.</summary>
    /// <value>Null.</value>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key, with <see cref="AccessKey"/>.</summary>
    /// <value>Null.</value>
    public string? SecretKey { get; set; }

    /// <summary>Credentials object (takes precedence over <see cref="AccessKey"/>/<see cref="SecretKey"/>).</summary>
    /// <value>Null.</value>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>A pack is closed once its compressed bytes reach this size; a write larger than this is split
    /// over several packs. Also the largest pack compaction produces.</summary>
    /// <value>8 MiB.</value>
    public int PackSizeTarget { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most objects one pack holds.</summary>
    /// <value>100,000.</value>
    public int MaxObjectsPerPack { get; set; } = 100_000;

    /// <summary>Packs whose data is smaller than this are merged by <see cref="S3PackObjectStore.CompactAsync"/>.</summary>
    /// <value>1 MiB.</value>
    public int CompactionSmallPackBytes { get; set; } = 1024 * 1024;

    /// <summary>LZ4 level of packs written by <see cref="S3PackObjectStore.WriteAsync"/>.</summary>
    /// <value><see cref="LZ4Level.L00_FAST"/>.</value>
    public LZ4Level CompressionLevel { get; set; } = LZ4Level.L00_FAST;

    /// <summary>LZ4 level of packs written by compaction (cold data: spend CPU once for smaller packs; decoding
    /// speed does not depend on the level).</summary>
    /// <value><see cref="LZ4Level.L09_HC"/>.</value>
    public LZ4Level CompactionCompressionLevel { get; set; } = LZ4Level.L09_HC;

    /// <summary>Longest one S3 request (including the SDK's retries) may take before the store reports
    /// <see cref="BackendUnavailableException"/>.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries the SDK makes on a failed request (within <see cref="Timeout"/>).</summary>
    /// <value>2.</value>
    public int MaxErrorRetry { get; set; } = 2;

    /// <summary>
    /// When a lookup misses the in-memory index, the store lists the bucket for packs written by other
    /// processes — at most once per this interval. <see cref="TimeSpan.Zero"/>: on every miss;
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: never (call <see cref="S3PackObjectStore.RefreshIndexAsync"/>).
    /// </summary>
    /// <value>1 second.</value>
    public TimeSpan MissRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Folder where pack indexes are cached, so a restart fetches only the indexes it has not seen
    /// (a subfolder per bucket and prefix is used). Null: no local cache.</summary>
    /// <value>Null.</value>
    public string? IndexCacheDirectory { get; set; }

    /// <summary>Check that every object read hashes to its id (SHA-256), reporting <see cref="CorruptObjectException"/>
    /// otherwise.</summary>
    /// <value>True.</value>
    public bool VerifyReads { get; set; } = true;

    /// <summary>Compare the ETag the server returns for an upload with the MD5 of the bytes sent, reporting a
    /// failed write when they differ (catches servers that store a body other than the one meant). Turn off for
    /// buckets encrypted with SSE-KMS or SSE-C, whose ETags are not MD5s.</summary>
    /// <value>True.</value>
    public bool VerifyUploadETag { get; set; } = true;

    /// <summary>Create the bucket on open when it does not exist.</summary>
    /// <value>False.</value>
    public bool CreateBucketIfMissing { get; set; }

    /// <summary>Most S3 requests one operation runs at once (loading indexes, compaction).</summary>
    /// <value>4.</value>
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>Where the backend logs (category <c>VersionStore.S3</c>, event ids 4000–4999); the store builder passes the host's.</summary>
    /// <value><see cref="Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance"/> (no logging).</value>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>Clock for timeouts and refresh intervals.</summary>
    /// <value>the system clock (<c>TimeProvider.System</c>).</value>
    public TimeProvider TimeProvider { get; set; } = SystemClock.Default;

    /// <summary>
    /// A write of an object the store already holds is skipped only while the newest pack holding it is younger than this;
    /// otherwise the object is written again into a new pack ("freshened"), so garbage collection, which never deletes what
    /// was written within its grace period, cannot delete an old unreachable object that a commit in flight reuses.
    /// Keep it at most the collector's grace period minus the longest commit.
    /// </summary>
    /// <value>30 minutes (the collector's default grace period is 1 hour).</value>
    public TimeSpan RewriteObjectsOlderThan { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A batch read (<see cref="S3PackObjectStore.TryReadManyAsync"/>) fetches entries of one pack that lie at most this many
    /// bytes apart in one ranged GET (the bytes between them are downloaded and dropped), so a snapshot's objects cost one
    /// GET per run of neighbouring entries instead of one per object. 0: only adjacent entries share a GET.
    /// </summary>
    /// <value>64 KiB.</value>
    public int BatchReadGapBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// A read from a pack whose entry data is at most this long fetches all of it in one GET and keeps it (compressed) in a
    /// cache of <see cref="ReadAheadCacheBytes"/>, so the next reads from that pack — the rest of a snapshot, level after
    /// level — cost no request: a cold snapshot read from a freshly archived pack is one GET. Every object decoded from it
    /// is still verified. 0: no read-ahead (each read fetches only what it needs).
    /// </summary>
    /// <value>512 KiB.</value>
    public int ReadAheadBytes { get; set; } = 512 * 1024;

    /// <summary>Most bytes of read-ahead ranges kept (least recently used dropped first).</summary>
    /// <value>16 MiB.</value>
    public long ReadAheadCacheBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (!S3Keys.IsValidBucketName(BucketName)) errors.Add($"{nameof(BucketName)} '{BucketName}' is not a valid bucket name (3-63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit)");
        if (Prefix is null || !S3Keys.IsValidPrefix(Prefix)) errors.Add($"{nameof(Prefix)} '{Prefix}' must be empty or slash-separated segments of [A-Za-z0-9._-] (no '.' or '..' segment, at most 512 characters)");
        if (ServiceUrl is not null && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)))
            errors.Add($"{nameof(ServiceUrl)} '{ServiceUrl}' must be an absolute http(s) URL");
        if (string.IsNullOrWhiteSpace(Region)) errors.Add($"{nameof(Region)} is required");
        if ((AccessKey is null) != (SecretKey is null)) errors.Add($"{nameof(AccessKey)} and {nameof(SecretKey)} must be set together");
        if (PackSizeTarget < 4096) errors.Add($"{nameof(PackSizeTarget)} must be at least 4096 bytes");
        if (MaxObjectsPerPack <= 0) errors.Add($"{nameof(MaxObjectsPerPack)} must be positive");
        if (CompactionSmallPackBytes <= 0) errors.Add($"{nameof(CompactionSmallPackBytes)} must be positive");
        if (!Enum.IsDefined(CompressionLevel)) errors.Add($"{nameof(CompressionLevel)} {(int)CompressionLevel} is not an LZ4 level");
        if (!Enum.IsDefined(CompactionCompressionLevel)) errors.Add($"{nameof(CompactionCompressionLevel)} {(int)CompactionCompressionLevel} is not an LZ4 level");
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan) errors.Add($"{nameof(Timeout)} must be positive");
        if (MaxErrorRetry < 0) errors.Add($"{nameof(MaxErrorRetry)} cannot be negative");
        if (MissRefreshInterval < TimeSpan.Zero && MissRefreshInterval != System.Threading.Timeout.InfiniteTimeSpan) errors.Add($"{nameof(MissRefreshInterval)} cannot be negative");
        if (IndexCacheDirectory is not null && string.IsNullOrWhiteSpace(IndexCacheDirectory)) errors.Add($"{nameof(IndexCacheDirectory)} cannot be blank");
        if (MaxConcurrentRequests <= 0) errors.Add($"{nameof(MaxConcurrentRequests)} must be positive");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (BatchReadGapBytes < 0) errors.Add($"{nameof(BatchReadGapBytes)} cannot be negative");
        if (ReadAheadBytes < 0) errors.Add($"{nameof(ReadAheadBytes)} cannot be negative");
        if (ReadAheadCacheBytes < 0) errors.Add($"{nameof(ReadAheadCacheBytes)} cannot be negative");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (RewriteObjectsOlderThan < TimeSpan.Zero) errors.Add($"{nameof(RewriteObjectsOlderThan)} cannot be negative");
        if (errors.Count > 0) throw new ArgumentException("Invalid S3PackStoreOptions: " + string.Join("; ", errors) + ".");
    }
}
