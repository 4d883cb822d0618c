using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace VersionStore.Benchmarks;

/// <summary>
/// Goal "rollback … one Redis round trip distributed": one audited ref compare-and-swap through
/// <c>RedisRefStore.TryUpdateRefAsync</c> (Lua script: compare the state, set it, append the audit entry, publish)
/// against a raw StackExchange.Redis <c>ScriptEvaluateAsync</c> of the same script with pre-encoded arguments
/// (baseline) and a plain <c>StringSetAsync</c> (the cheapest round trip). Round trips per CAS are counted with
/// <c>INFO commandstats</c> deltas in setup (must be exactly one <c>evalsha</c> and no other command, else the run
/// fails) and over the whole run at cleanup.
/// </summary>
[MemoryDiagnoser]
public class RefCasBenchmarks
{
    private RedisServer _server = null!;
    private RedisBackend _backend = null!;
    private ConnectionMultiplexer _raw = null!;
    private IDatabase _db = null!;
    private IServer _admin = null!;
    private readonly RepositoryName _repo = new("cas");
    private readonly RefName _ref = RefName.Channel("prod");
    private ObjectId _a, _b;
    private RefState? _current;
    private long _storeCalls, _rawScriptCalls, _rawCallsAtStart;
    private Dictionary<string, long> _statsAtStart = [];

    // Raw peer: the same script and key shapes, arguments encoded once (two states flipped), a unique audit member per call.
    private RedisKey[] _rawKeys = [];
    private RedisValue[] _stateBytes = [];
    private byte[] _auditTemplate = [];
    private int _rawFlip;
    private readonly RedisKey _plainKey = "bench:cas:plain";
    private byte[] _plainValue = [];

    [GlobalSetup]
    public async Task Setup()
    {
        _server = RedisServer.Start();
        _backend = await RedisBackend.ConnectAsync(new RedisBackendOptions { Configuration = _server.Endpoint, KeyPrefix = "bench-cas:" });
        _raw = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint + ",allowAdmin=true");
        _db = _raw.GetDatabase();
        _admin = _raw.GetServer(_raw.GetEndPoints()[0]);
        var node = NodeBlob.Encoded(out _a);
        _b = ObjectId.Compute(node.AsSpan(1));
        await _db.KeyDeleteAsync([(RedisKey)"bench-cas:{vs:cas}:refs"]);
        _current = await _backend.Refs.TryGetRefAsync(_repo, _ref);

        var s1 = new RefState(_a, 1, _a).Encode();
        var s2 = new RefState(_b, 2, _b).Encode();
        _stateBytes = [s1, s2];
        _rawKeys = ["bench:{cas-raw}:refs", "bench:{cas-raw}:audit"];
        _auditTemplate = NextEntry().Encoded.ToArray();
        _plainValue = s1;
        await _db.KeyDeleteAsync(_rawKeys);
        await RawScript();   // loads the script (EVAL once), the rest go as EVALSHA

        await StoreCas();    // this connection's first call loads the script; every later one is a single EVALSHA

        const int probe = 50;
        var before = await CommandStatsAsync();
        for (var i = 0; i < probe; i++) await StoreCas();
        var after = await CommandStatsAsync();
        var (evalsha, others, inScript) = Split(Delta(before, after));
        Console.WriteLine($"// ref CAS: {evalsha / (double)probe:N2} EVALSHA (round trips) per TryUpdateRefAsync over {probe} CAS; other client commands: {Describe(others)}; run inside the script: {Describe(inScript)}");
        if (evalsha != probe || others.Count != 0) throw new InvalidOperationException($"a ref CAS is not one round trip: {evalsha} evalsha + {Describe(others)} for {probe} CAS");
        (_storeCalls, _rawCallsAtStart) = (0, _rawScriptCalls);
        _statsAtStart = await CommandStatsAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        var delta = Delta(_statsAtStart, await CommandStatsAsync());
        var raw = _rawScriptCalls - _rawCallsAtStart;
        var (evalsha, others, _) = Split(delta);
        Console.WriteLine($"// ref CAS, whole run: {evalsha} EVALSHA for {_storeCalls + raw} script calls ({_storeCalls} store CAS + {raw} raw script); other client commands: {Describe(others)}");
        _raw.Dispose();
        _backend.Dispose();
        _server.Dispose();
    }

    /// <summary><c>INFO commandstats</c> call counts by command, without the INFO calls themselves.</summary>
    private async Task<Dictionary<string, long>> CommandStatsAsync()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await _admin.InfoAsync("commandstats"))
            foreach (var (key, value) in group)
            {
                // cmdstat_evalsha: calls=12,usec=...
                if (!key.StartsWith("cmdstat_", StringComparison.Ordinal)) continue;
                var name = key["cmdstat_".Length..];
                if (name == "info") continue;
                var calls = value.Split(',')[0];
                result[name] = long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        return result;
    }

    /// <summary>Commands the CAS script runs itself (counted by commandstats, but no round trip).</summary>
    private static readonly HashSet<string> ScriptCommands = ["hget", "hset", "zadd", "publish"];

    /// <summary>The client library's own keep-alive and configuration checks (not part of a CAS).</summary>
    private static readonly HashSet<string> Housekeeping = ["ping", "echo", "cluster|nodes", "config|get", "subscribe"];

    private static (long Evalsha, Dictionary<string, long> Others, Dictionary<string, long> InScript) Split(Dictionary<string, long> delta) =>
        (delta.GetValueOrDefault("evalsha"),
         delta.Where(kv => kv.Key != "evalsha" && !ScriptCommands.Contains(kv.Key) && !Housekeeping.Contains(kv.Key)).ToDictionary(),
         delta.Where(kv => ScriptCommands.Contains(kv.Key)).ToDictionary());

    private static string Describe(Dictionary<string, long> commands) =>
        commands.Count == 0 ? "none" : string.Join(", ", commands.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(kv => kv.Value != 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private AuditEntry NextEntry()
    {
        var target = _current?.Target == _a ? _b : _a;
        return new AuditEntry(_ref, (_current?.Sequence ?? 0) + 1, _current?.Target, target, "rollback.reset", "bench",
            DateTimeOffset.UtcNow, "bench: error rate above threshold", _current?.AuditHash ?? ObjectId.Zero);
    }

    /// <summary>Peer: the same Lua CAS script through raw StackExchange.Redis, arguments pre-encoded.</summary>
    [Benchmark(Baseline = true)]
    public async Task<bool> RawScript()
    {
        _rawScriptCalls++;
        var flip = _rawFlip ^= 1;
        var member = (byte[])_auditTemplate.Clone();
        BitConverter.TryWriteBytes(member.AsSpan(member.Length - 8), _rawScriptCalls);
        var result = await _db.ScriptEvaluateAsync(RedisRefStore.UpdateScript, _rawKeys,
            [_ref.FullName, _rawScriptCalls == 1 ? RedisValue.EmptyString : _stateBytes[flip ^ 1], _stateBytes[flip], _rawScriptCalls, member, RedisValue.EmptyString]);
        if ((long)result != 1) throw new InvalidOperationException("raw CAS did not apply");
        return true;
    }

    /// <summary>The cheapest round trip: a raw SET of the state bytes.</summary>
    [Benchmark]
    public Task<bool> RawStringSet() => _db.StringSetAsync(_plainKey, _plainValue);

    /// <summary><c>RedisRefStore.TryUpdateRefAsync</c>: build and hash the audit entry, encode the states, one script call.</summary>
    [Benchmark]
    public async Task<bool> StoreCas()
    {
        _storeCalls++;
        var entry = NextEntry();
        var update = new RefUpdate(_repo, _current, entry);
        if (!await _backend.Refs.TryUpdateRefAsync(update)) throw new InvalidOperationException("ref CAS lost (nobody else writes this ref)");
        _current = update.NewState;
        return true;
    }
}
