using System.Text;
using System.Buffers.Binary;

namespace VersionStore.Hostile.Tests;

/// <summary>A real RocksDB store with acknowledged commits still in its write-ahead log, and copies of it with one byte flipped.</summary>
internal static class WalDamage
{
    /// <summary>Commits <paramref name="count"/> versions to r/main (each acknowledged) and closes the store; returns the heads in order.</summary>
    public static async Task<List<ObjectId>> WriteCommitsAsync(string path, int count)
    {
        var heads = new List<ObjectId>();
        var backend = RocksDbBackend.Open(path);
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions(), ownedBackend: backend);
        var repo = store.GetRepository("r");
        for (var i = 0; i < count; i++)
            heads.Add((await repo.CommitAsync("main", new SnapshotChanges().Put("a", Encoding.UTF8.GetBytes($"version {i}")), new CommitOptions { Author = "w" })).Id);
        return heads;
    }

    /// <summary>The newest WAL file of the database.</summary>
    public static string Wal(string path) => Directory.GetFiles(path, "*.log").OrderBy(f => f, StringComparer.Ordinal).Last();

    /// <summary>Offsets from the end of the WAL of every byte of its last physical record (7-byte header and payload).</summary>
    public static IEnumerable<int> LastRecordOffsets(string path)
    {
        var wal = File.ReadAllBytes(Wal(path));
        // Records are CRC(4) length(2, LE) type(1) payload; walk them to find where the last one starts.
        var position = 0;
        var last = 0;
        while (position + 7 <= wal.Length)
        {
            var block = 32768 - position % 32768;
            if (block < 7) { position += block; continue; }
            var length = BinaryPrimitives.ReadUInt16LittleEndian(wal.AsSpan(position + 4));
            if (length == 0 && wal[position + 6] == 0) break;
            last = position;
            position += 7 + length;
        }
        for (var back = wal.Length - last; back >= 1; back--) yield return back;
    }

    /// <summary>A copy of the database folder with the byte <paramref name="fromEnd"/> bytes before the WAL's end flipped.</summary>
    public static TempDirectory CopyWithFlippedByte(string path, int fromEnd)
    {
        var copy = new TempDirectory("wal-copy");
        foreach (var file in Directory.GetFiles(path)) File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        var wal = Wal(copy.Path);
        var bytes = File.ReadAllBytes(wal);
        bytes[^fromEnd] ^= 0x40;
        File.WriteAllBytes(wal, bytes);
        return copy;
    }
}
