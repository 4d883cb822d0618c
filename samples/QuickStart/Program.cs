// QuickStart: the VersionStore API in 40 lines, on the embedded RocksDB store (no servers).
// Run: dotnet run --project samples/QuickStart
using System.Text;
using VersionStore;

var path = Path.Combine(Path.GetTempPath(), "vstore-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
var host = await new VersionStoreBuilder().UseRocksDb(path).BuildAsync(); // embedded: one RocksDB database
var store = host.Store;
var repo = store.GetRepository("support-bot");

// 1. Commit two versions: one entry per workflow node.
var v1 = await repo.CommitAsync("main", new SnapshotChanges()
        .Put("nodes/start", """{"type":"start"}""")
        .Put("nodes/llm", """{"type":"llm","model":"gpt-4o-mini"}"""),
    new CommitOptions { Author = "ana@example.com", Message = "First version" });
await repo.CreateTagAsync("v1", "main");
var v2 = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", """{"type":"llm","model":"gpt-4o"}"""),
    new CommitOptions { Author = "ana@example.com", Message = "Switch model" });

// 2. What changed? Entry-level diff.
foreach (var change in await repo.DiffAsync("v1", "main")) Console.WriteLine($"diff: {change}");

// 3. Read a version back (entries load lazily).
var snapshot = await repo.CheckoutAsync("v1");
Console.WriteLine("v1 llm: " + Encoding.UTF8.GetString((await snapshot.ReadAsync("nodes/llm"))!.Value.Span));

// 4. Roll back, atomically and audited.
var rollback = await repo.RollbackAsync(new RollbackRequest
{
    Ref = RefName.Branch("main"), Target = "v1", Reason = "gpt-4o answers too long", Actor = "oncall@example.com",
});
Console.WriteLine($"rollback: {rollback.Status} {rollback.From.ToString(8)} -> {rollback.NewHead.ToString(8)} in {rollback.Elapsed.TotalMilliseconds:0.###} ms");

// 5. History and audit trail.
await foreach (var c in repo.LogAsync("main")) Console.WriteLine($"log: {c.Id.ToString(8)} {c.Subject}");
await foreach (var e in repo.AuditAsync(RefName.Branch("main"))) Console.WriteLine($"audit: {e.Operation} by {e.Actor}: {e.Reason}");

await host.DisposeAsync();
Directory.Delete(path, recursive: true);
