using System.Diagnostics;
using System.Globalization;
using VersionStore.Graph;

namespace VersionStore.Benchmarks;

/// <summary>
/// Modes of the benchmarks program used by <c>benchmarks/fresh-process.sh</c>:
/// <c>fresh-build STORE N</c> bulk-loads a linear history of N commits into an embedded store (repository <c>wf</c>:
/// branch <c>main</c> at the tip, tag <c>v1</c> at the root, branch <c>side</c> = one commit forked from the root,
/// branch <c>rb</c> for rollbacks at the tip) through the library — plumbing writes, not one CLI call per commit —
/// and writes its commit-graph file; <c>open-probe STORE [ro]</c> times <c>RocksDbBackend.Open</c> in a fresh process
/// and the first whole-history walk after it.
/// </summary>
internal static class FreshProcessHistory
{
    public const string GraphFile = "commit-graph.vscg";

    public static async Task BuildAsync(string path, int count)
    {
        var watch = Stopwatch.StartNew();
        using (var backend = RocksDbBackend.Open(path))
        {
            var options = new VersionStoreOptions { CommitGraphPath = Path.Combine(path, GraphFile) };
            await using var store = new RepositoryStore(backend, backend, options);
            var repo = store.GetRepository("wf");
            var root = (await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/start", "{\"type\":\"start\"}").Put("nodes/llm", "{\"type\":\"llm\",\"model\":\"gpt-4o\"}"),
                new CommitOptions { Author = "bench", Message = "c0" })).Commit;
            var graph = CommitGraph.For(store);
            graph.ReadFile(); // attached: the commits below go into the graph, and its dispose writes them as the file's indexed base
            var batch = new List<EncodedObject>(8192);
            var parent = root.Id;
            var one = new ObjectId[1];
            for (var i = 1; i < count; i++)
            {
                one[0] = parent;
                var time = root.Timestamp.AddSeconds(i);
                var encoded = ObjectCodec.EncodeCommit(root.Tree, one, i + 1, time, "bench", "c" + i.ToString(CultureInfo.InvariantCulture), []);
                var id = ObjectId.Compute(encoded);
                batch.Add(new EncodedObject(id, encoded));
                graph.Add(id, one, i + 1, ObjectCodec.ToUnixMicroseconds(time));
                parent = id;
                if (batch.Count == batch.Capacity)
                {
                    await backend.WriteAsync(batch);
                    batch.Clear();
                }
            }
            one[0] = root.Id;
            var sideTime = root.Timestamp.AddSeconds(count);
            var side = ObjectCodec.EncodeCommit(root.Tree, one, 2, sideTime, "bench", "side", []);
            var sideId = ObjectId.Compute(side);
            batch.Add(new EncodedObject(sideId, side));
            graph.Add(sideId, one, 2, ObjectCodec.ToUnixMicroseconds(sideTime));
            await backend.WriteAsync(batch);
            await repo.UpdateRefAsync(RefName.Branch("main"), parent, root.Id, "bench.load", "bench");
            await repo.CreateTagAsync("v1", root.Id.ToString(), actor: "bench");
            await repo.CreateBranchAsync("side", sideId.ToString(), "bench");
            await repo.CreateBranchAsync("rb", parent.ToString(), "bench");
        }
        Console.WriteLine($"built {count} commits at {path} in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    public static async Task ProbeOpenAsync(string path, bool readOnly)
    {
        var watch = Stopwatch.StartNew();
        using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = path, CreateIfMissing = false, ReadOnly = readOnly });
        var open = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions { CommitGraphPath = Path.Combine(path, GraphFile) });
        var repo = store.GetRepository("wf");
        if (Environment.GetEnvironmentVariable("VSTORE_PROBE_SPLIT") == "1")
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var graph = CommitGraph.For(store);
            graph.ReadFile();
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  commit-graph file attached ({graph.BaseCount} commits in its base): {watch.Elapsed.TotalMilliseconds:0.0} ms wall, {cpuMs:0.0} ms CPU"));
        }
        var cpuWalk = Process.GetCurrentProcess().TotalProcessorTime;
        var ancestor = await repo.IsAncestorAsync("v1", "main");
        var walk = watch.Elapsed.TotalMilliseconds;
        var walkCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuWalk).TotalMilliseconds;
        watch.Restart();
        var bases = await repo.MergeBasesAsync("main", "side");
        var mergeBase = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var count = CommitGraph.For(store).BaseCount;
        var half = await repo.ResolveAsync("main~" + (count / 2).ToString(CultureInfo.InvariantCulture));
        var tilde = watch.Elapsed.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RocksDbBackend.Open{(readOnly ? " (read-only)" : "")}: {open:0.0} ms; first whole-history is-ancestor after it (graph file attached on the way): {walk:0.0} ms, {walkCpu:0.0} ms CPU ({ancestor}); merge-base main side: {mergeBase:0.0} ms ({bases.Count} base); main~{count / 2}: {tilde:0.0} ms ({half.ToString(12)})"));
    }

    /// <summary>
    /// <c>walk-probe STORE</c>: the first whole-history walk after opening, phase by phase, wall and CPU: opening the
    /// database, the repository store, attaching the commit-graph file (base checksum and structural checks), resolving
    /// both ends, the first whole-history <c>is-ancestor v1 main</c> walk, and the same walk again (JIT and first-touch
    /// costs gone).
    /// </summary>
    public static async Task ProbeWalkPhasesAsync(string path, bool jitLog = false)
    {
        using var listener = jitLog ? new JitListener() : null;
        var process = Process.GetCurrentProcess();
        var line = new System.Text.StringBuilder("first whole-history walk, phases (wall / CPU / JIT ms, methods jitted):");
        var total = Stopwatch.StartNew();
        var cpuStart = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var cpu = cpuStart;
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        void Phase(string name)
        {
            process.Refresh();
            var now = process.TotalProcessorTime;
            var jitNow = System.Runtime.JitInfo.GetCompilationTime();
            var jittedNow = System.Runtime.JitInfo.GetCompiledMethodCount();
            line.Append(CultureInfo.InvariantCulture, $" {name} {watch.Elapsed.TotalMilliseconds:0.0} / {(now - cpu).TotalMilliseconds:0.0} / {(jitNow - jit).TotalMilliseconds:0.0}, {jittedNow - jitted};");
            cpu = now;
            jit = jitNow;
            jitted = jittedNow;
            listener?.EndPhase(name);
            watch.Restart();
        }
        using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = path, CreateIfMissing = false, ReadOnly = true });
        Phase("RocksDbBackend.Open (read-only)");
        var opened = total.Elapsed.TotalMilliseconds;
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions { CommitGraphPath = Path.Combine(path, GraphFile) });
        var repo = store.GetRepository("wf");
        Phase("RepositoryStore");
        var graph = CommitGraph.For(store);
        graph.ReadFile();
        Phase($"attach graph file ({graph.BaseCount} commits)");
        var v1 = await repo.ResolveAsync("v1");
        var main = await repo.ResolveAsync("main");
        Phase("resolve v1, main");
        var first = await repo.IsAncestorAsync(v1.ToString(), main.ToString());
        Phase($"is-ancestor v1 main ({first})");
        var answered = total.Elapsed.TotalMilliseconds;
        await repo.IsAncestorAsync(v1.ToString(), main.ToString());
        Phase("the same walk again");
        Console.WriteLine(line.Append(CultureInfo.InvariantCulture, $" from the open to the first answer: {answered - opened:0.0} ms wall"));
        listener?.Print(25);
    }

    /// <summary><c>graph-probe STORE</c>: the commit-graph file's load (attach) three times in one process, wall and CPU (the first pays the JIT).</summary>
    public static void ProbeGraphFile(string path)
    {
        for (var i = 0; i < 3; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var graph = new CommitGraph(null, Path.Combine(path, GraphFile));
            graph.ReadFile();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"attach {i + 1}: {watch.Elapsed.TotalMilliseconds:0.0} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:0.0} ms CPU ({graph.BaseCount} commits)"));
        }
    }

    /// <summary><c>open-loop STORE [ro]</c>: <c>RocksDbBackend.Open</c> + dispose six times in one process (the first pays loading the native library and the JIT).</summary>
    public static void ProbeOpenLoop(string path, bool readOnly)
    {
        var line = new System.Text.StringBuilder(readOnly ? "RocksDbBackend.Open (read-only), 6 times in one process:" : "RocksDbBackend.Open, 6 times in one process:");
        for (var i = 0; i < 6; i++)
        {
            var watch = Stopwatch.StartNew();
            var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = path, CreateIfMissing = false, ReadOnly = readOnly });
            var open = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            backend.Dispose();
            line.Append(CultureInfo.InvariantCulture, $" {open:0.0} (close {watch.Elapsed.TotalMilliseconds:0.0})");
        }
        Console.WriteLine(line.Append(" ms"));
    }
}
