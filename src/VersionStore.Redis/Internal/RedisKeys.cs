using StackExchange.Redis;

namespace VersionStore.Internal;

/// <summary>
/// The key layout (README "Key layout"). Keys derive only from validated names (design invariant 6): a
/// <see cref="RepositoryName"/> holds no brace, colon or glob character, a <see cref="RefName"/> no colon, and the
/// prefix is checked by <see cref="RedisBackendOptions.Validate"/>. Every key of one repository carries the hash tag
/// <c>{vs:&lt;repo&gt;}</c>, so they share one Redis Cluster slot (design invariant 7).
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    private const string TagOpen = "{vs:";
    private const string RefsSuffix = "}:refs";

    public string Prefix { get; } = prefix;

    /// <summary>HASH: full ref name → encoded <see cref="RefState"/>.</summary>
    public RedisKey Refs(RepositoryName repo) => Prefix + TagOpen + Checked(repo) + RefsSuffix;

    /// <summary>ZSET of one ref's audit log: member = encoded <see cref="AuditEntry"/>, score = its sequence.</summary>
    public RedisKey Audit(RepositoryName repo, RefName name) => Prefix + TagOpen + Checked(repo) + "}:audit:" + Checked(name);

    /// <summary>Name of the pub/sub channel announcing ref changes of one repository (message: the encoded audit entry); it carries the hash tag.</summary>
    public string ChangesName(RepositoryName repo) => Prefix + TagOpen + Checked(repo) + "}:changes";

    /// <summary>SCAN pattern matching every repository's refs hash.</summary>
    public RedisValue RefsPattern => Prefix + TagOpen + "*" + RefsSuffix;

    /// <summary>The repository of a key matched by <see cref="RefsPattern"/>, or null when it is not one.</summary>
    public RepositoryName? RepositoryOfRefsKey(string key)
    {
        var start = Prefix.Length + TagOpen.Length;
        if (key.Length <= start + RefsSuffix.Length || !key.StartsWith(Prefix + TagOpen, StringComparison.Ordinal)
            || !key.EndsWith(RefsSuffix, StringComparison.Ordinal)) return null;
        return RepositoryName.TryCreate(key[start..^RefsSuffix.Length], out var name) ? name : null;
    }

    /// <summary>STRING: the store marker (<see cref="IRefStoreEpoch"/>), written once by the first writer; a plain key (no hash tag).</summary>
    public RedisKey Epoch => Prefix + "epoch";

    /// <summary>Cached object (a plain string key; objects are shared by every repository, so no hash tag).</summary>
    public RedisKey Object(ObjectId id) => Prefix + "obj:" + id.ToString();

    /// <summary>SCAN pattern of cached objects whose id starts with <paramref name="lowerHexPrefix"/> (already checked to be hex).</summary>
    public RedisValue ObjectPattern(string lowerHexPrefix) => Prefix + "obj:" + lowerHexPrefix + "*";

    private static string Checked(RepositoryName repo)
        => repo.Value ?? throw new ArgumentException("The repository name is the default (empty) value.", nameof(repo));

    private static string Checked(RefName name)
        => name.FullName ?? throw new ArgumentException("The ref name is the default (empty) value.", nameof(name));
}
