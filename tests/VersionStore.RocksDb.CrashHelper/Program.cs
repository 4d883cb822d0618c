// Child process of RocksDbCrashTests: opens the database at args[0] and, until killed, writes a batch of
// objects and then a ref update (with its audit entry) per step, printing "ACK <step> <target>" only after
// both calls returned. The test kills it with SIGKILL and checks that every acknowledged step survived.
using System.Text;
using VersionStore;

// Mode "graph <db-path> <commit-graph-file>": commits to branch main of repository "g" in a loop through a
// RepositoryStore whose commit graph is persisted (appended every 8 commits), printing "ACK <step> <commit>" after
// each commit; at step 1 it also creates branch "side" there, and every 40 steps it walks the whole history.
if (args.Length >= 3 && args[0] == "graph") return await GraphWorkload.RunAsync(args[1], args[2]);
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: VersionStore.RocksDb.CrashHelper <db-path> [max-steps] | graph <db-path> <commit-graph-file>");
    return 2;
}
var maxSteps = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = args[0], SyncWrites = false });
var repository = new RepositoryName(CrashWorkload.Repository);
var branch = RefName.Branch(CrashWorkload.Branch);
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
await stdout.WriteLineAsync("READY");
RefState? state = await backend.TryGetRefAsync(repository, branch);
for (var step = (state?.Sequence ?? 0) + 1; step <= maxSteps; step++)
{
    var objects = CrashWorkload.Objects(step);
    await backend.WriteAsync(objects);
    var target = objects[^1].Id;
    var entry = new AuditEntry(branch, step, state?.Target, target, "commit", "crash-helper",
        CrashWorkload.TimeOf(step), null, state?.AuditHash ?? ObjectId.Zero);
    var update = new RefUpdate(repository, state, entry);
    if (!await backend.TryUpdateRefAsync(update))
    {
        await Console.Error.WriteLineAsync($"CAS lost at step {step}");
        return 1;
    }
    state = update.NewState;
    await stdout.WriteLineAsync($"ACK {step} {target}");
}
return 0;

