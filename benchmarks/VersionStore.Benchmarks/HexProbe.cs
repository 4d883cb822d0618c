using System.Diagnostics;
using System.Globalization;

namespace VersionStore.Benchmarks;

/// <summary>
/// <c>hex-probe [ROUNDS]</c>: <see cref="ObjectId.TryParse"/> and <see cref="ObjectId.TryFormat"/> (the library's own
/// table code since <c>s6-walk</c>) beside the framework's <see cref="Convert.FromHexString(ReadOnlySpan{char}, Span{byte}, out int, out int)"/>
/// and <see cref="Convert.TryToHexStringLower(ReadOnlySpan{byte}, Span{char}, out int)"/> (what they called before), the
/// four cases alternating within each round over the same 1,024 ids, steady state (warmed, tiered up); min / median ns
/// per id over the rounds.
/// </summary>
internal static class HexProbe
{
    private const int Ids = 1024, Passes = 2000;

    public static void Run(int rounds)
    {
        var ids = new ObjectId[Ids];
        var texts = new string[Ids];
        for (var i = 0; i < Ids; i++)
        {
            ids[i] = ObjectId.Compute(BitConverter.GetBytes(i));
            texts[i] = i % 2 == 0 ? ids[i].ToString() : ids[i].ToString().ToUpperInvariant();
        }
        (string Name, Func<long> Run)[] cases =
        [
            ("parse, ObjectId.TryParse (own table code)", () => Parse(texts)),
            ("parse, Convert.FromHexString + new ObjectId (before)", () => ParseFramework(texts)),
            ("format, ObjectId.TryFormat (own table code)", () => Format(ids)),
            ("format, WriteTo + Convert.TryToHexStringLower (before)", () => FormatFramework(ids)),
        ];
        var results = cases.Select(_ => new List<double>()).ToArray();
        for (var warm = 0; warm < 3; warm++) foreach (var c in cases) c.Run();
        Thread.Sleep(500); // let tier-1 compiles land
        for (var warm = 0; warm < 3; warm++) foreach (var c in cases) c.Run();
        for (var r = 0; r < rounds; r++)
            for (var k = 0; k < cases.Length; k++)
            {
                var watch = Stopwatch.StartNew();
                var check = cases[k].Run();
                results[k].Add(watch.Elapsed.TotalNanoseconds / ((double)Ids * Passes));
                GC.KeepAlive(check);
            }
        Console.WriteLine($"hex-probe: {rounds} rounds, {Ids} ids x {Passes} passes per case per round; ns per id, min / median");
        for (var k = 0; k < cases.Length; k++)
        {
            var sorted = results[k].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {cases[k].Name}: {sorted[0]:0.0} / {sorted[sorted.Length / 2]:0.0}"));
        }
    }

    private static long Parse(string[] texts)
    {
        long sum = 0;
        for (var p = 0; p < Passes; p++)
            foreach (var t in texts)
                if (ObjectId.TryParse(t, out var id)) sum += id.GetHashCode();
        return sum;
    }

    private static long ParseFramework(string[] texts)
    {
        long sum = 0;
        Span<byte> bytes = stackalloc byte[ObjectId.Size];
        for (var p = 0; p < Passes; p++)
            foreach (var t in texts)
                if (Convert.FromHexString(t, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == ObjectId.Size)
                    sum += new ObjectId(bytes).GetHashCode();
        return sum;
    }

    private static long Format(ObjectId[] ids)
    {
        long sum = 0;
        Span<char> text = stackalloc char[ObjectId.HexLength];
        for (var p = 0; p < Passes; p++)
            foreach (var id in ids)
            {
                id.TryFormat(text, out _, default, null);
                sum += text[7];
            }
        return sum;
    }

    private static long FormatFramework(ObjectId[] ids)
    {
        long sum = 0;
        Span<char> text = stackalloc char[ObjectId.HexLength];
        Span<byte> bytes = stackalloc byte[ObjectId.Size];
        for (var p = 0; p < Passes; p++)
            foreach (var id in ids)
            {
                id.WriteTo(bytes);
                Convert.TryToHexStringLower(bytes, text, out _);
                sum += text[7];
            }
        return sum;
    }
}
