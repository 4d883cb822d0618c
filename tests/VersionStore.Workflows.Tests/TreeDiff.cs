using System.Text.Json.Nodes;

namespace VersionStore.Workflows.Tests;

/// <summary>Names the first place two value trees differ, for assertion messages.</summary>
internal static class TreeDiff
{
    public static string? First(JsonNode? a, JsonNode? b, string path = "$")
    {
        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                var kx = x.Select(p => p.Key).ToList();
                var ky = y.Select(p => p.Key).ToList();
                if (!kx.SequenceEqual(ky)) return $"{path}: keys [{string.Join(",", kx)}] vs [{string.Join(",", ky)}]";
                foreach (var k in kx) if (First(x[k], y[k], path + "." + k) is { } d) return d;
                return null;
            case (JsonArray x, JsonArray y):
                if (x.Count != y.Count) return $"{path}: {x.Count} items vs {y.Count}";
                for (var i = 0; i < x.Count; i++) if (First(x[i], y[i], $"{path}[{i}]") is { } d) return d;
                return null;
            default:
                var fa = Fingerprint.Bytes(a);
                var fb = Fingerprint.Bytes(b);
                return fa.AsSpan().SequenceEqual(fb) ? null : $"{path}: {Show(a)} vs {Show(b)}";
        }
    }

    private static string Show(JsonNode? n) => n is null ? "null" : $"{n.ToJsonString()} ({(n is JsonValue v && v.TryGetValue<object>(out var o) ? o.GetType().Name : n.GetType().Name)})";

    public static void AssertSame(JsonNode? expected, JsonNode? actual, string what)
    {
        var d = First(expected, actual);
        if (d is not null) throw new Xunit.Sdk.XunitException($"{what}: trees differ at {d}");
    }
}
