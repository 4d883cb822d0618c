using VersionStore.Internal;

namespace VersionStore.Tests.Storage;

/// <summary>The object reader's id-keyed cache (Internal/IdObjectCache) behaves as the dictionary it replaced, also under concurrent readers and writers.</summary>
public sealed class IdObjectCacheTests
{
    private static ObjectId Id(int i) => ObjectId.Compute(BitConverter.GetBytes(i));

    [Fact]
    public void Adds_finds_removes_and_clears_like_a_dictionary()
    {
        var cache = new IdObjectCache();
        var model = new Dictionary<ObjectId, object>();
        var random = new Random(11);
        for (var step = 0; step < 20_000; step++)
        {
            // Few distinct keys, many colliding chains (ids whose hash codes share low bits), every operation mixed.
            var key = Id(random.Next(3_000));
            switch (random.Next(10))
            {
                case < 5:
                    var value = new object();
                    Assert.Equal(model.TryAdd(key, value), cache.TryAdd(key, value));
                    break;
                case < 8:
                    Assert.Equal(model.Remove(key), cache.TryRemove(key));
                    break;
                case 8:
                    Assert.Equal(model.TryGetValue(key, out var expected), cache.TryGetValue(key, out var actual));
                    Assert.Same(expected, expected is null ? null : actual);
                    break;
                default:
                    if (random.Next(200) == 0) { model.Clear(); cache.Clear(); }
                    break;
            }
            Assert.Equal(model.Count, cache.Count);
        }
        foreach (var (key, value) in model)
        {
            Assert.True(cache.TryGetValue(key, out var found));
            Assert.Same(value, found);
        }
        Assert.False(cache.TryGetValue(Id(-1), out var missing));
        Assert.Null(missing);
    }

    [Fact]
    public async Task Readers_see_every_added_entry_while_writers_add_remove_and_grow()
    {
        var cache = new IdObjectCache();
        const int Keys = 50_000;
        var ids = Enumerable.Range(0, Keys).Select(Id).ToArray();
        var values = ids.Select(id => (object)id.ToString()).ToArray();
        // Even keys are added and never removed; odd keys come and go. A reader that finds a key must find its own value,
        // and once an even key was added (published below) it must never be missing.
        var published = -1;
        var done = false;
        var failures = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var random = new Random(Environment.CurrentManagedThreadId);
            while (!Volatile.Read(ref done))
            {
                var upTo = Volatile.Read(ref published);
                if (upTo < 0) continue;
                var k = random.Next(upTo + 1);
                if (cache.TryGetValue(ids[k], out var v) ? !ReferenceEquals(v, values[k]) : k % 2 == 0) Interlocked.Increment(ref failures);
            }
        })).ToArray();
        for (var k = 0; k < Keys; k++)
        {
            Assert.True(cache.TryAdd(ids[k], values[k]));
            if (k % 2 == 1 && k > 100) Assert.True(cache.TryRemove(ids[k - 100]));
            Volatile.Write(ref published, k % 2 == 0 ? k : k - 1);
        }
        Volatile.Write(ref done, true);
        await Task.WhenAll(readers);
        Assert.Equal(0, failures);
        Assert.Equal((Keys / 2) + 50, cache.Count); // every even key, and the last 50 odd ones
    }
}
