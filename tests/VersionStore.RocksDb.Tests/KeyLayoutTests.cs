using CsCheck;
using VersionStore.RocksDb.Internal;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>Design invariant 6 at the key level: no key of one repository or ref lies in another's key range.</summary>
public sealed class KeyLayoutTests
{
    private static readonly Gen<RepositoryName> Repositories =
        Gen.String[Gen.Char["wf-._1aA"], 1, 6].Where(s => RepositoryName.Validate(s) is null).Select(s => new RepositoryName(s));

    private static readonly Gen<RefName> Refs =
        Gen.Select(Gen.Int[0, 2], Gen.String[Gen.Char["ab-./1\u00e9"], 1, 6])
            .Where(t => RefName.ValidateShortName(t.Item2) is null)
            .Select(t => RefName.Create((RefKind)t.Item1, t.Item2));

    [Fact]
    public void A_repository_prefix_never_prefixes_another_repositorys_keys()
    {
        Gen.Select(Repositories, Repositories, Refs).Where(t => t.Item1 != t.Item2).Sample(t =>
        {
            var (a, b, r) = t;
            var prefixA = KeyLayout.RepositoryPrefix(a);
            Assert.False(KeyLayout.Ref(b, r).AsSpan().StartsWith(prefixA), $"{b}/{r} falls in {a}'s range");
            Assert.False(KeyLayout.Audit(KeyLayout.Ref(b, r), 7).AsSpan().StartsWith(prefixA));
            // ...and it lies outside [prefix, upper bound), the range ListRefs iterates.
            var key = KeyLayout.Ref(b, r);
            var inRange = key.AsSpan().SequenceCompareTo(prefixA) >= 0 && key.AsSpan().SequenceCompareTo(KeyLayout.UpperBound(prefixA)) < 0;
            Assert.False(inRange);
        });
    }

    [Fact]
    public void A_ref_key_never_prefixes_another_refs_audit_keys()
    {
        Gen.Select(Repositories, Refs, Refs).Where(t => t.Item2 != t.Item3).Sample(t =>
        {
            var (repo, a, b) = t;
            Assert.False(KeyLayout.Audit(KeyLayout.Ref(repo, b), 1).AsSpan().StartsWith(KeyLayout.Ref(repo, a)), $"{b} audit keys fall in {a}'s range");
        });
    }

    [Fact]
    public void Audit_keys_sort_by_sequence()
    {
        var refKey = KeyLayout.Ref("wf", RefName.Branch("main"));
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Long[1, long.MaxValue]).Sample(t =>
        {
            var (x, y) = t;
            Assert.Equal(Math.Sign(x.CompareTo(y)), Math.Sign(KeyLayout.Audit(refKey, x).AsSpan().SequenceCompareTo(KeyLayout.Audit(refKey, y))));
            Assert.Equal(x, KeyLayout.AuditSequence(KeyLayout.Audit(refKey, x)));
        });
    }

    [Fact]
    public void Default_names_are_refused_rather_than_becoming_an_empty_prefix()
    {
        Assert.Throws<InvalidNameException>(() => KeyLayout.RepositoryPrefix(default));
        Assert.Throws<InvalidNameException>(() => KeyLayout.Ref("wf", default));
    }
}
