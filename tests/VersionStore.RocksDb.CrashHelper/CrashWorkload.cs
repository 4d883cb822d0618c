using System.Text;

namespace VersionStore;

/// <summary>The crash test's deterministic workload: what step N writes, so the test can recompute and check it.</summary>
internal static class CrashWorkload
{
    public const string Repository = "crash-wf";
    public const string Branch = "main";

    /// <summary>Three blobs and a commit-like object per step; the last one is the ref target.</summary>
    public static EncodedObject[] Objects(long step)
    {
        var result = new EncodedObject[4];
        for (var i = 0; i < 3; i++)
        {
            var payload = Encoding.UTF8.GetBytes($"- id: llm-{step}-{i}\n  data:\n    type: llm\n    title: step {step} node {i}\n    prompt: {new string('x', 200 + i)}\n");
            var encoded = ObjectCodec.EncodeBlob(payload);
            result[i] = new EncodedObject(ObjectId.Compute(encoded), encoded);
        }
        var entries = result.Take(3).Select((o, i) => new TreeEntry($"node-{i}", ObjectKind.Blob, o.Id)).ToArray();
        var tree = ObjectCodec.EncodeTree(entries);
        result[3] = new EncodedObject(ObjectId.Compute(tree), tree);
        return result;
    }

    public static DateTimeOffset TimeOf(long step) => new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(step);
}
