using System.Diagnostics;
using System.Text;
using VersionStore.S3.Internal;
using VersionStore.Workflows;

namespace VersionStore.Hostile.Tests.Fuzzing;

/// <summary>
/// Mutation fuzzing of every decoder of stored or received bytes, from a corpus of valid encodings, with a fixed seed.
/// A decoder may answer (a value) or refuse with its typed exception; any other exception, or a single input above
/// the time bound, is a finding (reported with its seed and iteration). CI runs <see cref="DefaultIterations"/> per
/// target; <c>VSTORE_FUZZ_ITERATIONS</c> and <c>VSTORE_FUZZ_SEED</c> make a longer or different run (docs/SECURITY.md).
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper log)
{
    private const int DefaultIterations = 20_000;
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(1);

    private static int Iterations(int scale = 1)
        => Math.Max(1, (int.TryParse(Environment.GetEnvironmentVariable("VSTORE_FUZZ_ITERATIONS"), out var n) ? n : DefaultIterations) / scale);

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("VSTORE_FUZZ_SEED"), out var s) ? s : 20261201;

    private void Fuzz(string target, IReadOnlyList<byte[]> corpus, Action<byte[]> decode, Func<Exception, bool> typed, int scale = 1)
    {
        var random = new Random(Seed);
        var iterations = Iterations(scale);
        var accepted = 0;
        var refused = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var input = Mutator.Mutate(random, corpus);
            var watch = Stopwatch.StartNew();
            try
            {
                decode(input);
                accepted++;
            }
            catch (Exception e) when (typed(e))
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{target}: finding at seed {Seed}, iteration {i}: {e.GetType().Name}: {e.Message}\ninput (base64): {Convert.ToBase64String(input)}");
            }
            if (watch.Elapsed > slowest) slowest = watch.Elapsed;
            Assert.True(watch.Elapsed < PerInput, $"{target}: seed {Seed}, iteration {i} took {watch.Elapsed}; input (base64): {Convert.ToBase64String(input)}");
        }
        log.WriteLine($"fuzz {target}: {iterations} executions (seed {Seed}) in {total.Elapsed.TotalSeconds:0.0} s, {accepted} decoded, {refused} refused with the typed error, 0 findings; slowest input {slowest.TotalMilliseconds:0.##} ms");
    }

    private static bool Corrupt(Exception e) => e is CorruptObjectException;

    [Fact]
    public void Object_codec()
    {
        var tree = ObjectCodec.EncodeTree([new TreeEntry("a.json", ObjectKind.Blob, ObjectId.Compute("x"u8)), new TreeEntry("nodes", ObjectKind.Tree, ObjectId.Compute("y"u8))]);
        var commit = ObjectCodec.EncodeCommit(ObjectId.Compute(tree), [ObjectId.Compute("p"u8)], 7, DateTimeOffset.UnixEpoch, "ana", "message\n\nbody",
            [new Trailer("Rollback-Of", "abc")]);
        var blob = ObjectCodec.EncodeBlob("{\"id\":\"llm-1\"}"u8);
        Fuzz("object codec", [tree, commit, blob], input =>
        {
            var id = ObjectId.Compute(input);
            switch (ObjectCodec.ReadKind(id, input))
            {
                case ObjectKind.Tree: ObjectCodec.DecodeTree(id, input); break;
                case ObjectKind.Commit: ObjectCodec.DecodeCommit(id, input); break;
            }
            ObjectCodec.Verify(id, input);
        }, Corrupt);
    }

    [Fact]
    public void Audit_entries_and_ref_states()
    {
        var entry = new AuditEntry(RefName.Channel("prod"), 3, ObjectId.Compute("a"u8), ObjectId.Compute("b"u8), "rollback", "ops", DateTimeOffset.UnixEpoch,
            "p99 over 2 s", ObjectId.Compute("c"u8), [new Trailer("Trigger", "latency")]);
        var state = new RefState(ObjectId.Compute("b"u8), 3, entry.Hash);
        Fuzz("audit entry", [entry.Encoded.ToArray()], input => AuditEntry.Decode(input), Corrupt);
        Fuzz("ref state", [state.Encode()], input => RefState.Decode(input), Corrupt);
    }

    [Fact]
    public void Pack_reader()
    {
        using var writer = new PackWriter(K4os.Compression.LZ4.LZ4Level.L00_FAST);
        foreach (var o in TestData.DifyBlobs(max: 40)) writer.Add(o.Id, o.Data.Span);
        var pack = writer.Build();
        Fuzz("pack reader", [pack.Bytes.ToArray(), pack.IndexBytes.ToArray()], input =>
        {
            var index = PackReader.ReadIndex(input, "fuzz");
            foreach (var e in index.Entries) PackReader.ReadObject(input, e);
        }, Corrupt, scale: 4);
        Fuzz("pack index", [pack.IndexBytes.ToArray()], input => PackIndex.Parse(input, "fuzz"), Corrupt);
    }

    [Fact]
    public void Workflow_reader_yaml_and_json()
    {
        var corpus = TestData.WorkflowFiles().Take(6).Select(File.ReadAllBytes).ToList();
        corpus.Add(Encoding.UTF8.GetBytes(RegressionTests.AliasBomb(64, 8)));
        corpus.Add(Encoding.UTF8.GetBytes(DifyWorkflowCodec.Parse(corpus[0]).ToJson(indented: false)));
        Fuzz("workflow reader", corpus, input => DifyWorkflowCodec.Parse(input), e => e is InvalidWorkflowException or PayloadTooLargeException, scale: 20);
    }
}
