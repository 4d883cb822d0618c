using Amazon.S3;
using Amazon.S3.Model;
using StackExchange.Redis;
using VersionStore.RocksDb.Internal;
using VersionStore.S3;

namespace VersionStore.Hostile.Tests.Surfaces;

/// <summary>
/// Crafted stored values — encoded objects, and what RocksDB, Redis and S3 hand back — are refused with
/// <see cref="CorruptObjectException"/> naming what is wrong, within 10 s and 256 MiB; nothing else is thrown.
/// </summary>
public sealed class StoredValueCases(ITestOutputHelper log)
{
    private static byte[] Bytes(params int[] values) => [.. values.Select(v => (byte)v)];

    /// <summary>name, bytes of a stored object.</summary>
    public static TheoryData<string, byte[]> Objects => new()
    {
        { "empty", [] },
        { "unknown format byte", Bytes(9, 1, 0) },
        { "unknown kind", Bytes(1, 9, 0) },
        { "tree with 2^63 entries", Bytes(1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F) },
        { "tree entry name of 2^32 bytes", Bytes(1, 2, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61) },
        { "varint of 11 bytes", Bytes(1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01) },
        { "commit with 2^40 parents", [.. Bytes(1, 3), .. new byte[32], .. Bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)] },
        { "commit truncated after the tree", [.. Bytes(1, 3), .. new byte[32]] },
        { "blob length past the end", Bytes(1, 1, 0xFF, 0xFF, 0x03, 1, 2) },
        { "1 MiB of 0xFF", [.. Enumerable.Repeat((byte)0xFF, 1 << 20)] },
        { "1 MiB of zeros", new byte[1 << 20] },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public async Task An_encoded_object_decodes_or_is_corrupt(string name, byte[] bytes)
    {
        var id = ObjectId.Compute(bytes);
        var cost = await Bounded.Run(name, () =>
        {
            foreach (var decode in new Action[] { () => ObjectCodec.DecodeTree(id, bytes), () => ObjectCodec.DecodeCommit(id, bytes), () => ObjectCodec.Verify(id, bytes) })
            {
                try { decode(); }
                catch (CorruptObjectException) { }
                catch (UnexpectedObjectKindException) { }
            }
        });
        log.WriteLine($"object {name}: {cost}");
    }

    /// <summary>name, column family, value written under a real key of r/main (ref state, audit entry) or an object id.</summary>
    public static TheoryData<string, string, byte[]> RocksDbValues => new()
    {
        { "ref state: empty", KeyLayout.RefsFamily, [] },
        { "ref state: one byte", KeyLayout.RefsFamily, Bytes(1) },
        { "ref state: 1 MiB", KeyLayout.RefsFamily, new byte[1 << 20] },
        { "audit: empty", KeyLayout.AuditFamily, [] },
        { "audit: huge string length", KeyLayout.AuditFamily, Bytes(1, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F) },
        { "audit: 1 MiB of 0xFF", KeyLayout.AuditFamily, [.. Enumerable.Repeat((byte)0xFF, 1 << 20)] },
        { "object: garbage under the head's id", KeyLayout.ObjectsFamily, Bytes(1, 3, 0xFF, 0xFF) },
        { "object: a blob under the head's id", KeyLayout.ObjectsFamily, ObjectCodec.EncodeBlob("not a commit"u8) },
    };

    [Theory]
    [MemberData(nameof(RocksDbValues))]
    public async Task A_crafted_rocksdb_value_is_corrupt(string name, string family, byte[] value)
    {
        using var dir = new TempDirectory("stored");
        var heads = await WalDamage.WriteCommitsAsync(dir.Path, 2);
        var repoName = new RepositoryName("r");
        using var backend = RocksDbBackend.Open(dir.Path);
        var refKey = KeyLayout.Ref(repoName, RefName.Branch("main"));
        var key = family switch
        {
            KeyLayout.RefsFamily => refKey,
            KeyLayout.AuditFamily => KeyLayout.Audit(refKey, 2),
            _ => heads[^1].ToByteArray(),
        };
        backend.PutRaw(family, key, value);
        var store = new RepositoryStore(backend, backend);
        var repo = store.GetRepository("r");
        var cost = await Bounded.RunAsync(name, async () =>
        {
            var e = await Assert.ThrowsAnyAsync<VersionStoreException>(async () =>
            {
                await foreach (var _ in repo.AuditAsync(RefName.Branch("main"))) { }
                await foreach (var _ in repo.LogAsync("main")) { }
            });
            Assert.True(e is CorruptObjectException or UnexpectedObjectKindException, $"{e.GetType().Name}: {e.Message}");
        });
        log.WriteLine($"rocksdb {name}: {cost}");
    }

    /// <summary>name, which Redis key (refs hash field or audit sorted-set member), value.</summary>
    public static TheoryData<string, string, byte[]> RedisValues => new()
    {
        { "ref state: empty", "ref", [] },
        { "ref state: garbage", "ref", Bytes(1, 2, 3) },
        { "ref state: 1 MiB", "ref", new byte[1 << 20] },
        { "audit: garbage member", "audit", Bytes(1, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F) },
        { "audit: 1 MiB member", "audit", [.. Enumerable.Repeat((byte)0xFF, 1 << 20)] },
    };

    [Theory]
    [MemberData(nameof(RedisValues))]
    public async Task A_crafted_redis_value_is_corrupt(string name, string where, byte[] value)
    {
        var options = new RedisBackendOptions { Configuration = ServerEnvironment.RedisEndpoint, KeyPrefix = $"hostile:{Guid.NewGuid():N}:" };
        await using var redis = await RedisBackend.ConnectAsync(options);
        using var connection = await ConnectionMultiplexer.ConnectAsync(ServerEnvironment.RedisEndpoint);
        var store = new RepositoryStore(new InMemoryObjectStore(), redis.Refs);
        var repo = store.GetRepository("r");
        await repo.CommitAsync("main", new SnapshotChanges().Put("a", "1"u8.ToArray()));
        var db = connection.GetDatabase();
        var keys = new VersionStore.Internal.RedisKeys(options.KeyPrefix);
        if (where == "ref") await db.HashSetAsync(keys.Refs(new RepositoryName("r")), "refs/heads/main", value);
        else await db.SortedSetAddAsync(keys.Audit(new RepositoryName("r"), RefName.Branch("main")), value, 1);
        var cost = await Bounded.RunAsync(name, async () =>
            await Assert.ThrowsAsync<CorruptObjectException>(async () =>
            {
                await foreach (var _ in repo.AuditAsync(RefName.Branch("main"))) { }
                await repo.ResolveAsync("main");
            }));
        log.WriteLine($"redis {name}: {cost}");
    }

    /// <summary>name, S3 key suffix under the store's packs prefix, value.</summary>
    public static TheoryData<string, string, byte[]> S3Values => new()
    {
        { "index: empty", "0000000000000000000000000000000000000000000000000000000000000001.idx", [] },
        { "index: garbage", "0000000000000000000000000000000000000000000000000000000000000002.idx", Bytes(0x56, 0x53, 0x50, 0x49, 0xFF, 0xFF, 0xFF, 0xFF) },
        { "index: 1 MiB of 0xFF", "0000000000000000000000000000000000000000000000000000000000000003.idx", [.. Enumerable.Repeat((byte)0xFF, 1 << 20)] },
    };

    [Theory]
    [MemberData(nameof(S3Values))]
    public async Task A_crafted_s3_object_is_corrupt(string name, string keySuffix, byte[] value)
    {
        var options = new S3PackStoreOptions
        {
            BucketName = "vstore-hostile-tests",
            Prefix = "h/" + Guid.NewGuid().ToString("N"),
            ServiceUrl = ServerEnvironment.S3Endpoint.ToString().TrimEnd('/'),
            ForcePathStyle = true,
            S3CompatibleMode = true,
            AccessKey = ServerEnvironment.S3AccessKey,
            SecretKey = ServerEnvironment.S3SecretKey,
            CreateBucketIfMissing = true,
        };
        await using (var first = await S3PackObjectStore.OpenAsync(options)) await first.WriteAsync([new EncodedObject(ObjectId.Compute(ObjectCodec.EncodeBlob("x"u8)), ObjectCodec.EncodeBlob("x"u8))]);
        using (var client = S3PackObjectStore.CreateClient(options))
        {
            var packs = new VersionStore.S3.Internal.S3Keys(options.Prefix).PacksPrefix;
            await client.PutObjectAsync(new PutObjectRequest { BucketName = options.BucketName, Key = packs + keySuffix, InputStream = new MemoryStream(value), UseChunkEncoding = false });
        }
        var cost = await Bounded.RunAsync(name, async () =>
        {
            // Just written, it may be an index caught mid-upload: skipped and counted, the store opens.
            await using (var fresh = await S3PackObjectStore.OpenAsync(options)) Assert.Equal(1, fresh.Metrics.IndexesSkipped);
            // Seen by a clock an hour later, it is damage.
            options.TimeProvider = new AheadClock(TimeSpan.FromHours(1));
            var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => { await using var reopened = await S3PackObjectStore.OpenAsync(options); });
            Assert.Contains(keySuffix[..8], e.Message);
        });
        log.WriteLine($"s3 {name}: {cost}");
    }

    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}
