using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VersionStore.Workflows.Tests;

/// <summary>
/// A type-exact fingerprint of a value tree, written independently of the product's JSON writer and identical to
/// the one Data/make-pyyaml-fingerprints.py computes from PyYAML's view of a file.
/// </summary>
internal static class Fingerprint
{
    public static string Sha256(JsonNode? node) => Convert.ToHexStringLower(SHA256.HashData(Bytes(node)));

    public static byte[] Bytes(JsonNode? node)
    {
        var ms = new MemoryStream();
        Write(ms, node);
        return ms.ToArray();
    }

    private static void Write(MemoryStream ms, JsonNode? node)
    {
        switch (node)
        {
            case null: ms.WriteByte((byte)'n'); return;
            case JsonObject o:
                ms.WriteByte((byte)'{');
                foreach (var (k, v) in o) { Str(ms, k); Write(ms, v); }
                ms.WriteByte((byte)'}');
                return;
            case JsonArray a:
                ms.WriteByte((byte)'[');
                foreach (var v in a) Write(ms, v);
                ms.WriteByte((byte)']');
                return;
            case JsonValue v:
                v.TryGetValue<object>(out var x);
                switch (x)
                {
                    case string s: Str(ms, s); return;
                    case bool b: ms.WriteByte(b ? (byte)'t' : (byte)'f'); return;
                    case long or int: Ascii(ms, "i" + Convert.ToString(x, CultureInfo.InvariantCulture) + ";"); return;
                    case double d: Dbl(ms, d); return;
                    case JsonElement e when e.ValueKind == JsonValueKind.Number:
                        var raw = e.GetRawText();
                        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0) Dbl(ms, double.Parse(raw, CultureInfo.InvariantCulture));
                        else Ascii(ms, "i" + BigInteger.Parse(raw, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + ";");
                        return;
                }
                throw new InvalidOperationException($"unexpected value {x?.GetType()}");
        }
    }

    private static void Str(MemoryStream ms, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Ascii(ms, "s" + b.Length.ToString(CultureInfo.InvariantCulture) + ":");
        ms.Write(b);
    }

    private static void Dbl(MemoryStream ms, double d)
    {
        Span<byte> be = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(be, d);
        Ascii(ms, "d" + Convert.ToHexStringLower(be) + ";");
    }

    private static void Ascii(MemoryStream ms, string s) => ms.Write(Encoding.ASCII.GetBytes(s));
}
