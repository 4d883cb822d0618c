// Usage: VersionStore.Releases.CrashHelper <rocksdb-folder> <workflow-v1.yml> <workflow-v2.yml>
// Publishes v1 to channel prod (last-known-good), then v2, then rolls prod back to v1 with a verifier that prints
// "moved <from> <to>" once the ref has moved and then blocks forever: the test kills the process right there.
using VersionStore;
using VersionStore.Releases;

var backend = RocksDbBackend.Open(args[0]);
var store = new RepositoryStore(backend, backend, ownedBackend: backend);
var repo = store.GetRepository("support-bot");
var channels = new ReleaseChannels(repo);
var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(args[1])), new CommitOptions { Author = "ana", Message = "v1.4.0" });
var v2 = await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(args[2])), new CommitOptions { Author = "ana", Message = "v1.5.0" });
await channels.PublishAsync("prod", v1.Id.ToString(), "ana");
await channels.MarkLastKnownGoodAsync("prod", v1.Id, "ana");
await channels.PublishAsync("prod", v2.Id.ToString(), "ana");
Console.Out.WriteLine($"published {v1.Id} {v2.Id}");
Console.Out.Flush();
await channels.RollbackAsync("prod", null, "model output degraded", "ops", expectedHead: v2.Id, verifiers: [new BlockingVerifier()]);
Console.Out.WriteLine("unreachable: the verifier never returns");
return 1;

internal sealed class BlockingVerifier : IRollbackVerifier
{
    public async ValueTask<string?> VerifyAsync(Repository repository, Commit target, CancellationToken cancellationToken)
    {
        var head = await repository.TryGetRefAsync(ReleaseChannels.ChannelRef("prod"), CancellationToken.None);
        Console.Out.WriteLine($"moved {head!.Target}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
        return null;
    }
}
