// WorkflowRollback: the story of DESIGN.md §1 on the embedded store (RocksDB, no servers).
// A team publishes workflow v1.4.0, then v1.5.0; model output degrades; an operator rolls back to v1.4.0
// with a reason; the history shows who rolled back, when, why, and exactly which nodes changed.
//
// Run: dotnet run --project samples/WorkflowRollback [-- --store PATH]
using VersionStore;
using VersionStore.Workflows;

var storePath = args.Length == 2 && args[0] == "--store"
    ? args[1]
    : Path.Combine(Path.GetTempPath(), "vstore-workflow-rollback-" + Guid.NewGuid().ToString("N")[..8]);
var workflows = Path.Combine(AppContext.BaseDirectory, "workflows");

Console.WriteLine($"Embedded store: {storePath}");
var host = await new VersionStoreBuilder().UseRocksDb(storePath).BuildAsync(); // embedded: one RocksDB database
await using (host)
{
    var store = host.Store;
    var repo = store.GetRepository("support-bot");

    // Publish v1.4.0 and v1.5.0 (each node becomes its own entry; unchanged nodes are shared).
    foreach (var version in new[] { "v1.4.0", "v1.5.0" })
    {
        var document = DifyWorkflowCodec.Parse(File.ReadAllText(Path.Combine(workflows, $"support-bot-{version}.yml")));
        var commit = await repo.CommitWorkflowAsync("main", document,
            new CommitOptions { Author = "release-bot@example.com", Message = $"Publish {version}" });
        await repo.CreateTagAsync(version, "main", actor: "release-bot@example.com");
        Console.WriteLine($"published {version}: {commit.Id.ToString(12)} ({document.Nodes.Count} nodes, {commit.ObjectsWritten} new objects, {commit.BytesWritten} bytes)");
    }

    // Model output degrades after v1.5.0: roll back, atomically, with a reason.
    var result = await repo.RollbackAsync(new RollbackRequest
    {
        Ref = RefName.Branch("main"),
        Target = "v1.4.0",
        Reason = "v1.5.0 answers degraded: CSAT down 18% in 10 minutes",
        Actor = "oncall@example.com",
    });
    Console.WriteLine();
    Console.WriteLine("Rollback result");
    Console.WriteLine($"  status:         {result.Status}");
    Console.WriteLine($"  from:           {result.From.ToString(12)} (v1.5.0)");
    Console.WriteLine($"  to:             {result.To.ToString(12)} (v1.4.0)");
    Console.WriteLine($"  new head:       {result.NewHead.ToString(12)} (a revert commit: history is kept)");
    Console.WriteLine($"  effective time: {result.EffectiveTime:O}");
    Console.WriteLine($"  elapsed:        {result.Elapsed.TotalMilliseconds:0.000} ms (first call in a fresh process: includes JIT; steady state in docs/BENCHMARKS.md)");
    Console.WriteLine($"  verification:   {(result.Verification.Passed ? "passed" : "FAILED: " + result.Verification.Failure)} ({result.Verification.ObjectsVerified} objects checked)");

    Console.WriteLine();
    Console.WriteLine("What the rollback changed (node level, v1.5.0 -> main)");
    foreach (var change in await repo.DiffWorkflowAsync("v1.5.0", "main"))
        Console.WriteLine($"  {change}");

    Console.WriteLine();
    Console.WriteLine("Audit trail of main (newest first)");
    await foreach (var entry in repo.AuditAsync(RefName.Branch("main")))
        Console.WriteLine($"  #{entry.Sequence} {entry.Time:yyyy-MM-dd HH:mm:ss.fff} {entry.Operation,-16} {entry.Actor,-24} {entry.Old?.ToString(8) ?? "(none)",-8} -> {entry.New?.ToString(8)}  {entry.Reason}");
    var chain = await repo.VerifyAuditAsync(RefName.Branch("main"));
    Console.WriteLine($"  hash chain: {(chain.Intact ? "intact" : "BROKEN: " + chain.Problem)} ({chain.Entries} entries)");

    Console.WriteLine();
    Console.WriteLine("History of main");
    await foreach (var c in repo.LogAsync("main"))
        Console.WriteLine($"  {c.Id.ToString(12)} {c.Timestamp:HH:mm:ss} {c.Author,-24} {c.Subject}");

    if (result.Status != RollbackStatus.Succeeded || !chain.Intact) return 1;
}
if (args.Length != 2) Directory.Delete(storePath, recursive: true);
return 0;
