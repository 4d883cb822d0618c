using System.Diagnostics;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// Durability under <c>kill -9</c>: a child process (VersionStore.RocksDb.CrashHelper) writes objects and ref
/// updates with the default options (WAL on, no fsync) and prints each acknowledged step; the test kills it
/// with SIGKILL mid-stream and checks that every acknowledged step survived, whole, in a database that opens clean.
/// </summary>
public sealed class RocksDbCrashTests : IDisposable
{
    private const int AcknowledgementsBeforeKill = 300;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90); // a hung child fails the test; it is never waited out on success

    private readonly TempDirectory _dir = new("rocks-crash");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Acknowledged_writes_survive_SIGKILL_of_the_writing_process()
    {
        var dbPath = _dir.Combine("db");
        var started = DateTimeOffset.UtcNow; // the helper stamps write times with the system clock
        using var child = StartHelper(dbPath);
        using var timeout = new CancellationTokenSource(Guard);
        var acknowledged = new List<(long Step, ObjectId Target)>();
        try
        {
            Assert.Equal("READY", await child.StandardOutput.ReadLineAsync(timeout.Token));

            // While the child holds the database, another process cannot open it.
            var locked = Assert.Throws<BackendUnavailableException>(() => RocksDbBackend.Open(dbPath));
            Assert.Equal("RocksDB", locked.Backend);

            while (acknowledged.Count < AcknowledgementsBeforeKill)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new Xunit.Sdk.XunitException($"helper exited early (code {(child.HasExited ? child.ExitCode : -1)}): {await child.StandardError.ReadToEndAsync(timeout.Token)}");
                acknowledged.Add(ParseAck(line));
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL on Unix: no finally blocks, no RocksDB close
            await child.WaitForExitAsync(CancellationToken.None);
        }
        // Lines already in the pipe were acknowledged too.
        while (await child.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
            if (rest.StartsWith("ACK ", StringComparison.Ordinal)) acknowledged.Add(ParseAck(rest));
        Assert.NotEqual(0, child.ExitCode);

        using var reopened = RocksDbBackend.Open(dbPath);
        var repo = new RepositoryName(CrashWorkload.Repository);
        var branch = RefName.Branch(CrashWorkload.Branch);
        var last = acknowledged[^1];
        Assert.Equal(Enumerable.Range(1, acknowledged.Count).Select(i => (long)i), acknowledged.Select(a => a.Step));

        var state = await reopened.TryGetRefAsync(repo, branch);
        Assert.NotNull(state);
        // The ref is at the last acknowledged step, or one past it when the kill fell between write and print.
        Assert.InRange(state.Sequence, last.Step, last.Step + 1);
        if (state.Sequence == last.Step) Assert.Equal(last.Target, state.Target);

        var audit = new List<AuditEntry>();
        await foreach (var e in reopened.ReadAuditAsync(repo, branch)) audit.Add(e);
        Assert.Equal(state.Sequence, audit.Count);
        Assert.Equal(state.AuditHash, audit[0].Hash);
        var bySequence = audit.ToDictionary(e => e.Sequence);
        for (var i = 0; i + 1 < audit.Count; i++) Assert.Equal(audit[i + 1].Hash, audit[i].PreviousHash);
        foreach (var (step, target) in acknowledged)
        {
            Assert.Equal(target, bySequence[step].New);
            foreach (var o in CrashWorkload.Objects(step))
                Assert.True((await reopened.TryReadAsync(o.Id))?.Span.SequenceEqual(o.Data.Span), $"object of step {step} lost");
        }

        // Each acknowledged object's write time survived with it (one record per batch, in the same WriteBatch): it is
        // listed with a time of this run, and a sweep whose cut-off precedes the run deletes none of them.
        var writtenAt = new Dictionary<ObjectId, DateTimeOffset?>();
        await foreach (var o in reopened.ListObjectsAsync()) writtenAt[o.Id] = o.WrittenAt;
        var acknowledgedIds = acknowledged.SelectMany(a => CrashWorkload.Objects(a.Step)).Select(o => o.Id).Distinct().ToList();
        foreach (var id in acknowledgedIds)
            Assert.True(writtenAt.GetValueOrDefault(id) >= started - TimeSpan.FromSeconds(1), $"object {id} has no write time of this run after the crash");
        Assert.Equal(0, (await reopened.DeleteObjectsAsync(acknowledgedIds, started - TimeSpan.FromMinutes(1))).Sum(r => r.ObjectsDeleted));

        // The database is writable after recovery: the next CAS from the recovered state wins.
        var next = new AuditEntry(branch, state.Sequence + 1, state.Target, last.Target, "rollback.reset", "test", CrashWorkload.TimeOf(state.Sequence + 1), "after crash", state.AuditHash);
        Assert.True(await reopened.TryUpdateRefAsync(new RefUpdate(repo, state, next)));
    }

    private static (long Step, ObjectId Target) ParseAck(string line)
    {
        var parts = line.Split(' ');
        Assert.True(parts.Length == 3 && parts[0] == "ACK", $"unexpected helper output: {line}");
        return (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), ObjectId.Parse(parts[2]));
    }

    private static Process StartHelper(string dbPath)
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "VersionStore.RocksDb.CrashHelper.dll");
        Assert.True(File.Exists(helper), $"crash helper not built next to the tests: {helper}");
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(helper);
        info.ArgumentList.Add(dbPath);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash helper");
    }
}
