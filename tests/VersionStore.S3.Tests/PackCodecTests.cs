using CsCheck;
using K4os.Compression.LZ4;
using VersionStore.Conformance;
using VersionStore.S3.Internal;
using Xunit;

namespace VersionStore.S3.Tests;

/// <summary>The pack and pack-index formats, without a server.</summary>
public sealed class PackCodecTests
{
    private static EncodedObject Blob(ReadOnlySpan<byte> content)
    {
        var encoded = ObjectCodec.EncodeBlob(content);
        return new EncodedObject(ObjectId.Compute(encoded), encoded);
    }

    private static BuiltPack Build(IEnumerable<(ObjectId Id, byte[] Data)> objects, LZ4Level level = LZ4Level.L00_FAST)
    {
        using var writer = new PackWriter(level);
        foreach (var (id, data) in objects) writer.Add(id, data);
        return writer.Build();
    }

    /// <summary>Random object sets: empty objects, tiny ones, compressible text and incompressible noise up to 300 KB.</summary>
    private static readonly Gen<byte[]> GenContent = Gen.OneOf(
        Gen.Const(Array.Empty<byte>()),
        Gen.Byte.Array[0, 40],
        Gen.Byte.Array[1000, 300_000],
        Gen.Char['a', 'f'].Array[0, 200_000].Select(cs => System.Text.Encoding.ASCII.GetBytes(cs)));

    private static readonly Gen<(ObjectId, byte[])[]> GenObjects = GenContent.Array[0, 12]
        .Select(contents => contents.Select((c, i) => (ObjectId.Compute([.. c, (byte)i]), c)).ToArray());

    [Fact]
    public void Every_object_of_a_random_set_round_trips_through_a_pack_and_the_embedded_index_equals_the_idx_copy()
    {
        GenObjects.Sample(objects =>
        {
            var pack = Build(objects);
            var index = PackReader.ReadIndex(pack.Bytes.Span, "pack");
            Assert.Equal(pack.IndexBytes.ToArray(), index.Encode());
            Assert.Equal(objects.Select(o => o.Item1).Distinct().Count(), index.Count);
            Assert.Equal(pack.IndexBytes.ToArray(), PackIndex.Parse(pack.IndexBytes.Span, "idx").Encode());
            foreach (var (id, data) in objects)
            {
                Assert.True(index.TryFind(id, out var entry));
                Assert.Equal(data.Length, entry.Length);
                Assert.Equal(data, PackReader.ReadObject(pack.Bytes.Span, entry));
                // What a ranged GET returns is exactly the entry's stored bytes.
                Assert.Equal(data, PackReader.DecodeEntry(entry, pack.Bytes.Span.Slice((int)entry.Offset, entry.StoredLength)));
            }
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pack.Bytes.Span)), pack.Name);
        }, iter: 60);
    }

    [Fact]
    public void The_same_objects_in_any_order_give_the_same_pack_name()
    {
        GenObjects.Sample(objects =>
        {
            var forward = Build(objects);
            var backward = Build(objects.Reverse());
            Assert.Equal(forward.Name, backward.Name);
            Assert.Equal(forward.Bytes.ToArray(), backward.Bytes.ToArray());
        }, iter: 40);
    }

    [Fact]
    public void Real_workflows_compress_and_round_trip_at_fast_and_high_compression_levels()
    {
        var blobs = TestData.DifyBlobs(200);
        var raw = blobs.Sum(b => (long)b.Data.Length);
        var fast = Build(blobs.Select(b => (b.Id, b.Data.ToArray())), LZ4Level.L00_FAST);
        var high = Build(blobs.Select(b => (b.Id, b.Data.ToArray())), LZ4Level.L09_HC);

        Assert.True(fast.Bytes.Length < raw * 0.8, $"fast pack {fast.Bytes.Length} B for {raw} B of YAML");
        Assert.True(high.Bytes.Length <= fast.Bytes.Length, $"HC pack {high.Bytes.Length} B > fast {fast.Bytes.Length} B");
        foreach (var pack in new[] { fast, high })
            foreach (var b in blobs)
            {
                Assert.True(pack.Index.TryFind(b.Id, out var e));
                Assert.Equal(b.Data.ToArray(), PackReader.ReadObject(pack.Bytes.Span, e));
            }
    }

    [Fact]
    public void Incompressible_and_empty_objects_are_stored_raw_and_compressible_ones_as_lz4()
    {
        var noise = new byte[5000];
        new Random(7).NextBytes(noise);
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("model: gpt-4o\n", 300)));
        var pack = Build([(ObjectId.Compute(noise), noise), (ObjectId.Compute(text), text), (ObjectId.Compute([]), [])]);

        Assert.True(pack.Index.TryFind(ObjectId.Compute(noise), out var n));
        Assert.Equal(PackEntryCodec.Raw, n.Codec);
        Assert.Equal(noise.Length, n.StoredLength);
        Assert.True(pack.Index.TryFind(ObjectId.Compute(text), out var t));
        Assert.Equal(PackEntryCodec.Lz4Block, t.Codec);
        Assert.True(t.StoredLength < text.Length / 10);
        Assert.True(pack.Index.TryFind(ObjectId.Compute([]), out var e));
        Assert.Equal((0, 0, PackEntryCodec.Raw), (e.StoredLength, e.Length, e.Codec));
    }

    [Fact]
    public void An_empty_pack_is_well_formed()
    {
        var pack = Build([]);
        Assert.Equal(0, PackReader.ReadIndex(pack.Bytes.Span, "pack").Count);
        Assert.Equal(PackFormat.PackHeaderSize + PackFormat.IndexLength(0) + PackFormat.PackFooterSize, pack.Bytes.Length);
    }

    [Fact]
    public void Adding_an_id_twice_keeps_the_first_copy()
    {
        var b = Blob("a"u8);
        using var writer = new PackWriter(LZ4Level.L00_FAST);
        Assert.True(writer.Add(b.Id, b.Data.Span));
        Assert.False(writer.Add(b.Id, b.Data.Span));
        Assert.Equal(1, writer.Build().Index.Count);
    }

    [Fact]
    public void Any_flipped_byte_of_an_index_is_detected()
    {
        var blobs = TestData.DifyBlobs(5);
        var pack = Build(blobs.Select(b => (b.Id, b.Data.ToArray())));
        for (var i = 0; i < pack.IndexBytes.Length; i++)
        {
            var damaged = pack.IndexBytes.ToArray();
            damaged[i] ^= 0x01;
            Assert.Throws<CorruptObjectException>(() => PackIndex.Parse(damaged, "idx"));
        }
        Assert.Throws<CorruptObjectException>(() => PackIndex.Parse(pack.IndexBytes.Span[..^1], "idx"));
    }

    [Fact]
    public void An_intact_index_of_another_format_version_is_its_own_error_not_corruption()
    {
        var pack = Build(TestData.DifyBlobs(2).Select(b => (b.Id, b.Data.ToArray())));
        var newer = pack.IndexBytes.ToArray();
        newer[4] = (byte)(PackFormat.Version + 1);
        System.Security.Cryptography.SHA256.HashData(newer.AsSpan(0, newer.Length - 32), newer.AsSpan(newer.Length - 32)); // a valid checksum
        var e = Assert.Throws<UnsupportedFormatException>(() => PackIndex.Parse(newer, "packs/p.idx"));
        Assert.Equal("S3", e.Backend);
        Assert.Equal((PackFormat.Version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Found);
        Assert.Contains("packs/p.idx", e.Message);
    }

    [Fact]
    public void A_flipped_byte_in_entry_data_fails_to_decode_or_changes_the_hash()
    {
        var blobs = TestData.DifyBlobs(3);
        var pack = Build(blobs.Select(b => (b.Id, b.Data.ToArray())));
        foreach (var e in pack.Index.Entries)
        {
            for (var k = 0; k < e.StoredLength; k += Math.Max(1, e.StoredLength / 50))
            {
                var stored = pack.Bytes.Span.Slice((int)e.Offset, e.StoredLength).ToArray();
                stored[k] ^= 0x20;
                try
                {
                    var decoded = PackReader.DecodeEntry(e, stored);
                    Assert.NotEqual(e.Id, ObjectId.Compute(decoded));
                }
                catch (CorruptObjectException ex)
                {
                    Assert.Equal(e.Id, ex.ObjectId);
                }
            }
        }
    }

    [Fact]
    public void A_pack_with_a_damaged_footer_or_header_is_rejected()
    {
        var pack = Build(TestData.DifyBlobs(2).Select(b => (b.Id, b.Data.ToArray())));
        foreach (var at in new[] { 0, 4, pack.Bytes.Length - 1, pack.Bytes.Length - 10 })
        {
            var damaged = pack.Bytes.ToArray();
            damaged[at] ^= 0x40;
            Assert.Throws<CorruptObjectException>(() => PackReader.ReadIndex(damaged, "pack"));
        }
    }

    [Fact]
    public void Packs_laid_out_in_dirty_pooled_buffers_are_byte_identical_and_decode_into_one_reused_buffer()
    {
        var junk = new byte[700_000];
        new Random(11).NextBytes(junk);
        GenObjects.Sample(objects =>
        {
            var first = Build(objects);
            var expected = first.Bytes.ToArray();
            first.Dispose();
            // Dirty the pool: a larger pack of noise, returned, then the same objects again.
            Build([(ObjectId.Compute(junk), junk)]).Dispose();
            using var again = Build(objects);
            Assert.Equal(expected, again.Bytes.ToArray());
            Assert.Equal(new byte[3], again.Bytes.Span[5..8].ToArray()); // reserved header bytes
            Assert.Throws<ObjectDisposedException>(() => first.Bytes);

            var index = PackReader.ReadIndex(again.Bytes.Span, "pack");
            var scratch = new byte[PackReader.MaximumLength(index.Entries) + 7];
            foreach (var (id, data) in objects)
            {
                scratch.AsSpan().Fill(0xCC);
                Assert.True(index.TryFind(id, out var e));
                PackReader.ReadObject(again.Bytes.Span, e, scratch.AsSpan(0, e.Length));
                Assert.True(scratch.AsSpan(0, e.Length).SequenceEqual(data));
            }
        }, iter: 30);
    }

    [Fact]
    public void Edge_objects_round_trip_empty_one_byte_incompressible_larger_than_the_first_buffer_and_the_largest_real_blob()
    {
        var noise = new byte[PackWriter.InitialBufferBytes + 12_345];
        new Random(3).NextBytes(noise);
        var largestReal = TestData.DifyBlobs().MaxBy(b => b.Data.Length).Data.ToArray();
        var objects = new List<(ObjectId, byte[])> { (ObjectId.Compute([]), []), (ObjectId.Compute(noise), noise), (ObjectId.Compute(largestReal), largestReal) };
        for (var b = 0; b < 256; b++) objects.Add((ObjectId.Compute([(byte)b]), [(byte)b]));

        using var writer = new PackWriter(LZ4Level.L00_FAST, expectedObjects: 3);
        foreach (var (id, data) in objects) Assert.True(writer.Add(id, data));
        using var pack = writer.Build();

        var index = PackReader.ReadIndex(pack.Bytes.Span, "pack");
        Assert.Equal(objects.Count, index.Count);
        foreach (var (id, data) in objects)
        {
            Assert.True(index.TryFind(id, out var e));
            Assert.Equal(data.Length > 1 && data != noise ? PackEntryCodec.Lz4Block : PackEntryCodec.Raw, e.Codec);
            Assert.Equal(data, PackReader.ReadObject(pack.Bytes.Span, e));
            Assert.Equal(data, PackReader.DecodeEntry(e, pack.Bytes.Span.Slice((int)e.Offset, e.StoredLength)));
        }
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pack.Bytes.Span)), pack.Name);
    }

    [Fact]
    public void An_entry_claiming_more_bytes_than_its_stored_bytes_can_hold_is_rejected_before_any_allocation()
    {
        var id = ObjectId.Compute("x"u8);
        var stored = new byte[16];
        foreach (var entry in new[]
        {
            new PackEntry(id, PackFormat.PackHeaderSize, 16, int.MaxValue, PackEntryCodec.Lz4Block),
            new PackEntry(id, PackFormat.PackHeaderSize, 16, 16 * 255 + 1, PackEntryCodec.Lz4Block),
            new PackEntry(id, PackFormat.PackHeaderSize, 16, 17, PackEntryCodec.Raw),
            new PackEntry(id, PackFormat.PackHeaderSize, 16, -1, PackEntryCodec.Raw),
        })
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<CorruptObjectException>(() => PackReader.DecodeEntry(entry, stored));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "a buffer of the claimed size was allocated");
            Assert.Equal(id, e.ObjectId);
            Assert.Throws<CorruptObjectException>(() => PackReader.MaximumLength([entry]));
        }
    }

    /// <summary>The pack of <paramref name="objects"/> added in the given order, by a writer that hashes beside or not.</summary>
    private static byte[] PackBytes(IEnumerable<(ObjectId Id, byte[] Data)> objects, bool hashBeside, out string name)
    {
        using var writer = new PackWriter(LZ4Level.L00_FAST, hashBeside: hashBeside);
        foreach (var (id, data) in objects) writer.Add(id, data);
        using var pack = writer.Build();
        Assert.Equal(0, writer.Count); // Build leaves the writer empty
        name = pack.Name;
        return pack.Bytes.ToArray();
    }

    [Fact]
    public void Ids_added_in_order_out_of_order_or_breaking_order_halfway_give_the_same_pack_hashed_beside_or_not()
    {
        // Up to 12 objects of up to 300 KB: packs far above the hash chunk and the first buffer, so hash jobs run while
        // the buffer grows under them.
        GenObjects.Sample(objects =>
        {
            var sorted = objects.DistinctBy(o => o.Item1).OrderBy(o => o.Item1).ToArray();
            var expected = PackBytes(objects, hashBeside: false, out var expectedName);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(expected)), expectedName);
            foreach (var hashBeside in new[] { false, true })
            {
                Assert.Equal(expected, PackBytes(sorted, hashBeside, out var name));
                Assert.Equal(expectedName, name);
                // In order until the last object, which comes first in id order: the hash begun so far is dropped.
                Assert.Equal(expected, PackBytes([.. sorted.Skip(1), .. sorted.Take(1)], hashBeside, out name));
                Assert.Equal(expectedName, name);
                Assert.Equal(expected, PackBytes(objects.Reverse(), hashBeside, out name));
            }
        }, iter: 40);
    }

    [Fact]
    public void A_real_workflow_in_id_order_hashed_beside_equals_the_one_core_pack_across_reused_writers()
    {
        var blobs = TestData.DifyBlobs().Select(b => (b.Id, Data: b.Data.ToArray())).DistinctBy(b => b.Id).ToArray();
        var sorted = blobs.OrderBy(b => b.Id).ToArray();
        Assert.True(sorted.Sum(b => b.Data.Length) > 4 * PackWriter.HashChunkBytes, "the sample must span several hash chunks");
        var expected = PackBytes(blobs, hashBeside: false, out var expectedName);
        using var writer = new PackWriter(LZ4Level.L00_FAST, sorted.Length, hashBeside: true);
        for (var round = 0; round < 3; round++) // the writer is reused: Build hands its buffer to the pack and starts afresh
        {
            foreach (var (id, data) in sorted)
            {
                Assert.False(writer.Contains(id));
                Assert.True(writer.Add(id, data));
                Assert.True(writer.Contains(id));
                Assert.False(writer.Add(id, data)); // the duplicate of the previous id
            }
            Assert.True(writer.Contains(sorted[sorted.Length / 2].Id));
            using var pack = writer.Build();
            Assert.Equal(expectedName, pack.Name);
            Assert.Equal(expected, pack.Bytes.ToArray());
        }
    }

    [Fact]
    public void After_ids_stop_ascending_duplicates_are_still_refused_and_contains_still_answers()
    {
        var blobs = TestData.DifyBlobs(40).DistinctBy(b => b.Id).OrderBy(b => b.Id).ToArray();
        using var writer = new PackWriter(LZ4Level.L00_FAST, hashBeside: true);
        foreach (var b in blobs.Skip(10)) Assert.True(writer.Add(b.Id, b.Data.Span));
        foreach (var b in blobs.Take(10)) Assert.True(writer.Add(b.Id, b.Data.Span)); // out of order from here
        foreach (var b in blobs)
        {
            Assert.True(writer.Contains(b.Id));
            Assert.False(writer.Add(b.Id, b.Data.Span));
        }
        using var pack = writer.Build();
        Assert.Equal(blobs.Select(b => b.Id), PackReader.ReadIndex(pack.Bytes.Span, "pack").Entries.ToArray().Select(e => e.Id));
    }

    [Fact]
    public void SortById_orders_like_a_byte_wise_sort_with_duplicates_and_ids_sharing_their_first_64_bits()
    {
        var gen = Gen.Select(Gen.Byte[0, 3], Gen.Byte.Array[24], (prefix, rest) => new ObjectId([0, 0, 0, 0, 0, 0, 0, prefix, .. rest])).Array[0, 60];
        gen.Sample(ids =>
        {
            // Duplicates: every third id again; shared prefixes: only four 64-bit prefixes exist in this generator.
            var objects = ids.Concat(ids.Where((_, i) => i % 3 == 0)).Select((id, i) => new EncodedObject(id, new byte[] { (byte)i })).ToArray();
            var expected = objects.OrderBy(o => o.Id).Select(o => o.Id).ToArray();
            var payloads = objects.Select(o => (o.Id, o.Data.ToArray()[0])).OrderBy(p => p.Id).ThenBy(p => p.Item2).ToArray();
            PackWriter.SortById(objects);
            Assert.Equal(expected, objects.Select(o => o.Id));
            // Every object moved with its data (none lost, none doubled).
            Assert.Equal(payloads, objects.Select(o => (o.Id, o.Data.ToArray()[0])).OrderBy(p => p.Id).ThenBy(p => p.Item2));
        }, iter: 200);
    }
}
