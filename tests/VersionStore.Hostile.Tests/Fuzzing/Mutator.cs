namespace VersionStore.Hostile.Tests.Fuzzing;

/// <summary>
/// Deterministic structure-blind mutations of a seed input (a fixed-seed corpus in CI): bit flips, byte sets to the
/// values decoders trip on (0x00, 0x7F, 0x80, 0xFF), truncation, insertion, deletion, duplication of a slice, and
/// splicing with another seed. The same seed and iteration always give the same input, so a finding is reproducible
/// from its iteration number.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, (byte)'\n', (byte)'&', (byte)'*', (byte)'{', (byte)'"'];

    public static byte[] Mutate(Random random, IReadOnlyList<byte[]> corpus)
    {
        var input = corpus[random.Next(corpus.Count)];
        var data = new List<byte>(input);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0 when data.Count > 0: data[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when data.Count > 0: data[at] = Interesting[random.Next(Interesting.Length)]; break;
                case 2: data.RemoveRange(at, data.Count - at); break; // truncate
                case 3: data.Insert(at, (byte)random.Next(256)); break;
                case 4 when data.Count > 0: data.RemoveAt(at); break;
                case 5 when data.Count > 0:
                {
                    var length = Math.Min(data.Count - at, 1 + random.Next(64));
                    var slice = data.GetRange(at, length);
                    for (var k = 0; k < 1 + random.Next(8); k++) data.InsertRange(random.Next(data.Count + 1), slice);
                    break;
                }
                case 6:
                {
                    var other = corpus[random.Next(corpus.Count)];
                    if (other.Length == 0) break;
                    var from = random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(256))).ToArray());
                    break;
                }
                default:
                    if (data.Count >= 4) for (var k = 0; k < 4 && at + k < data.Count; k++) data[at + k] = 0xFF; // a huge varint / length
                    break;
            }
        }
        return [.. data];
    }
}
