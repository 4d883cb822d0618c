using Xunit;
using System.Text.Json.Nodes;

namespace VersionStore.Workflows.Tests;

/// <summary>
/// Real edit histories replayed as concurrent branches: from version k, one branch takes version k+1 while the
/// other replays the next edit (k+1 → k+2, entry by entry) directly on version k; the two are then merged with the
/// JSON resolver (field-level merge of node and edge objects, their side for anything else).
/// </summary>
public sealed class ConcurrentHistoryMergeTests
{
    public static TheoryData<string> Histories() => new(Directory.GetDirectories(Path.Combine(DifyData.Root, "histories")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task ConsecutiveEdits_AsConcurrentBranches_MergeFieldByField(string history)
    {
        var files = Directory.GetFiles(Path.Combine(DifyData.Root, "histories", history), "*.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 2);
        var versions = files.Select(f => DifyWorkflowCodec.Parse(File.ReadAllText(f)).ToEntries()).ToArray();
        var merges = 0;
        var seen = new List<string>();
        var stats = new int[2];
        for (var k = 0; k + 2 < versions.Length || (versions.Length == 2 && k == 0 && merges == 0); k++)
        {
            var v1 = versions[k];
            var v2 = versions[Math.Min(k + 1, versions.Length - 1)];
            var v3 = versions[Math.Min(k + 2, versions.Length - 1)];
            var repo = RepositoryStore.CreateInMemory().GetRepository("h");
            await repo.CommitAsync("main", SnapshotChanges.FromEntries(v1), new CommitOptions { Message = "v1" });
            await repo.CreateBranchAsync("edit", "main");
            await repo.CommitAsync("main", SnapshotChanges.FromEntries(v2), new CommitOptions { Message = "v2" });
            var replay = new SnapshotChanges();
            foreach (var (path, bytes) in v3)
                if (!v2.TryGetValue(path, out var old) || !old.AsSpan().SequenceEqual(bytes)) replay.Put(path, bytes);
            foreach (var path in v2.Keys)
                if (!v3.ContainsKey(path)) replay.Remove(path);
            await repo.CommitAsync("edit", replay, new CommitOptions { Message = "next edit, made concurrently" });

            var result = await repo.MergeAsync("main", "edit", new MergeOptions
            {
                Resolvers = [new MergeResolverRule("**", new JsonThenTheirs(stats))],
                Author = "replay",
            });
            if (result.Status == MergeStatus.Conflicted)
            {
                seen.Add(string.Join(",", result.Conflicts));
                foreach (var c in result.Conflicts)
                    Assert.True(c.Kind is MergeConflictKind.ModifiedDeleted or MergeConflictKind.DeletedModified || FieldsConflict(v1, v2, v3, c.Path),
                        $"{history} v{k + 1}: {c} should have merged");
                continue;
            }
            Assert.Equal(MergeStatus.Merged, result.Status);
            merges++;
            var merged = await (await repo.CheckoutAsync("main")).ReadAllAsync();
            foreach (var path in v1.Keys.Union(v2.Keys).Union(v3.Keys))
            {
                v1.TryGetValue(path, out var a);
                v2.TryGetValue(path, out var b);
                v3.TryGetValue(path, out var c);
                merged.TryGetValue(path, out var m);
                // Three-way expectations with base v1, ours v2, theirs = v1 with the next edit's entries replayed.
                var t = !Same(b, c) ? c : a;
                var mine = m.IsEmpty && !merged.ContainsKey(path) ? null : m.ToArray();
                if (Same(a, t)) Assert.True(Same(b, mine), $"{history}: {path} should keep version k+1");
                else if (Same(a, b) || Same(b, t)) Assert.True(Same(t, mine), $"{history}: {path} should take the replayed edit");
                else if (b is null || t is null) Assert.True(Same(t, mine), $"{history}: {path} modify/delete settles to their side");
                else
                {
                    // Both edited: every field comes from one side (field-level merge, or their side when fields truly conflict).
                    var mo = JsonNode.Parse(mine!)!.AsObject();
                    var bo = JsonNode.Parse(b)!.AsObject();
                    var co = JsonNode.Parse(t)!.AsObject();
                    foreach (var (key, value) in mo)
                        Assert.True(JsonNode.DeepEquals(value, bo[key]) || JsonNode.DeepEquals(value, co[key]), $"{history}: {path}.{key} comes from neither side");
                }
            }
            // Every merged entry is still a JSON object. (Rebuilding the document can fail when both sides changed the node/edge
            // index: arrays merge whole, so the index needs a set-merging resolver of its own — not the generic JSON one.)
            foreach (var (path, bytes) in merged) Assert.True(JsonNode.Parse(bytes.Span) is JsonObject, $"{history}: {path} is not a JSON object after the merge");
        }
        Assert.True(merges > 0, $"{history}: no merge succeeded: {string.Join("; ", seen)}");
        Assert.Empty(seen); // every conflict was settled: field by field where the JSON allows, else their side
    }

    /// <summary>The JSON field merge, falling back to their side when fields truly conflict; counts which one answered.</summary>
    private sealed class JsonThenTheirs(int[] stats) : IMergeResolver
    {
        public async ValueTask<MergeResolution> ResolveAsync(EntryMergeInput conflict, CancellationToken cancellationToken)
        {
            var r = await MergeResolvers.Json.ResolveAsync(conflict, cancellationToken);
            if (r.Kind != MergeResolutionKind.Unresolved)
            {
                Assert.False(FieldsConflictBytes(conflict), $"{conflict.Path}: the JSON resolver merged a genuine field conflict");
                stats[0]++;
                return r;
            }
            Assert.True(FieldsConflictBytes(conflict), $"{conflict.Path}: the JSON resolver refused a mergeable entry");
            stats[1]++;
            return MergeResolution.TakeTheirs;
        }

        private static bool FieldsConflictBytes(EntryMergeInput c)
        {
            if (c.Base is null || c.Ours is null || c.Theirs is null) return true;
            var d = new Dictionary<string, byte[]> { ["x"] = c.Base.Value.ToArray() };
            return FieldsConflict(d, new Dictionary<string, byte[]> { ["x"] = c.Ours.Value.ToArray() }, new Dictionary<string, byte[]> { ["x"] = c.Theirs.Value.ToArray() }, "x");
        }
    }

    private static bool Same(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    /// <summary>True when some field of the entry was changed differently by both edits (a genuine conflict).</summary>
    private static bool FieldsConflict(IReadOnlyDictionary<string, byte[]> v1, IReadOnlyDictionary<string, byte[]> v2, IReadOnlyDictionary<string, byte[]> v3, string path)
    {
        if (!v1.TryGetValue(path, out var a) || !v2.TryGetValue(path, out var b) || !v3.TryGetValue(path, out var c)) return true;
        return TryObject(a) is not { } x || TryObject(b) is not { } y || TryObject(c) is not { } z || Conflicts(x, y, z);

        static JsonObject? TryObject(byte[] bytes)
        {
            try { return JsonNode.Parse(bytes) as JsonObject; }
            catch (System.Text.Json.JsonException) { return null; }
        }

        static bool Conflicts(JsonObject x, JsonObject y, JsonObject z)
        {
            foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)).Union(z.Select(p => p.Key)))
            {
                var (bx, by, bz) = (x[key], y[key], z[key]);
                if (JsonNode.DeepEquals(by, bz) || JsonNode.DeepEquals(bx, by) || JsonNode.DeepEquals(bx, bz)) continue;
                if (by is JsonObject oy && bz is JsonObject oz && Conflicts(bx as JsonObject ?? [], oy, oz)) return true;
                if (!(by is JsonObject && bz is JsonObject)) return true;
            }
            return false;
        }
    }
}
