using System.Diagnostics;
using VersionStore.Conformance;

namespace VersionStore.Releases.Tests;

/// <summary>
/// A real crash between the ref move and its verification: the child process (VersionStore.Releases.CrashHelper)
/// rolls a channel back in a RocksDB store with a verifier that prints "moved" and blocks; the test kills it with
/// SIGKILL there, reopens the store and recovers.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static async Task<(ObjectId V1, ObjectId V2)> RunAndKillAsync(string dbPath)
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "VersionStore.Releases.CrashHelper.dll");
        Assert.True(File.Exists(helper), $"crash helper not built at {helper}");
        var versions = TestData.HistoryVersions(ReleaseFixture.History);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { helper, dbPath, versions[0], versions[1] }) psi.ArgumentList.Add(a);
        var lines = new List<string>();
        var stderr = new System.Text.StringBuilder();
        var moved = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var child = new Process { StartInfo = psi, EnableRaisingEvents = true };
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            if (e.Data.StartsWith("moved ", StringComparison.Ordinal)) moved.TrySetResult(e.Data);
        };
        child.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        child.Exited += (_, _) => moved.TrySetException(new InvalidOperationException("the child exited before the move"));
        Assert.True(child.Start());
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            string movedLine;
            try
            {
                movedLine = await moved.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                if (!child.HasExited) child.Kill(true);
                await child.WaitForExitAsync();
                lock (lines) lock (stderr) Assert.Fail($"{e.Message}; exit code {child.ExitCode}; stdout: {string.Join(" | ", lines)}; stderr: {stderr}");
                throw;
            }
            child.Kill(entireProcessTree: true);     // SIGKILL on Linux, while the verifier blocks
            await child.WaitForExitAsync();
            string[] ids;
            lock (lines) ids = lines.Single(l => l.StartsWith("published ", StringComparison.Ordinal)).Split(' ');
            Assert.Equal($"moved {ids[1]}", movedLine);   // the channel served v1, verification pending
            return (ObjectId.Parse(ids[1]), ObjectId.Parse(ids[2]));
        }
        finally
        {
            if (!child.HasExited) child.Kill(true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rollback_killed_between_move_and_verification_is_finished_at_restart(bool reverify)
    {
        using var dir = new TempDirectory("guard-crash");
        var (v1, v2) = await RunAndKillAsync(dir.Combine("db"));

        using var backend = RocksDbBackend.Open(dir.Combine("db"));
        var store = new RepositoryStore(backend, backend);
        var repo = store.GetRepository("support-bot");
        var prod = ReleaseChannels.ChannelRef("prod");
        var pending = await repo.AuditAsync(prod).FirstAsync();
        Assert.Equal(("rollback.reset", v2, v1, "pending"), (pending.Operation, pending.Old!.Value, pending.New!.Value, pending.Details.Single(d => d.Key == "Verification").Value));
        Assert.Equal(v1, (await repo.TryGetRefAsync(prod))!.Target);

        var results = await repo.RecoverPendingRollbacksAsync(reverify ? [new Verifiers.Fixed(null)] : null, actor: "startup");
        var result = Assert.Single(results);
        var log = await repo.AuditAsync(prod).ToListAsync();
        if (reverify)
        {
            Assert.Equal(RollbackStatus.Succeeded, result.Status);
            Assert.Equal(v1, (await repo.TryGetRefAsync(prod))!.Target);
            Assert.Equal("rollback.verified", log[0].Operation);
        }
        else
        {
            Assert.Equal(RollbackStatus.Compensated, result.Status);
            Assert.Equal(v2, (await repo.TryGetRefAsync(prod))!.Target);
            Assert.Equal(("rollback.compensate", v1, v2), (log[0].Operation, log[0].Old!.Value, log[0].New!.Value));
            Assert.Contains("never completed", log[0].Reason);
        }
        Assert.Equal("rollback.reset", log[1].Operation);   // the move itself stays audited
        Assert.True((await repo.VerifyAuditAsync(prod)).Intact);
        Assert.True((await repo.VerifyAsync()).IsHealthy);
        Assert.Empty(await repo.RecoverPendingRollbacksAsync());
    }
}
