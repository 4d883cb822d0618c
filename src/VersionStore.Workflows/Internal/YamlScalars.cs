using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VersionStore.Workflows.Internal;

/// <summary>
/// Resolution of plain YAML scalars the way PyYAML's <c>SafeLoader</c> (YAML 1.1 rules) does it, which is what
/// Dify uses to read its DSL; and the canonical text of numbers.
/// </summary>
internal static partial class YamlScalars
{
    public enum Kind { String, Null, Bool, Int, Float, Timestamp, Special }

    [GeneratedRegex("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex BoolRegex();

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")]
    private static partial Regex IntRegex();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex FloatRegex();

    [GeneratedRegex(@"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$")]
    private static partial Regex TimestampRegex();

    /// <summary>What PyYAML would make of <paramref name="text"/> written as a plain scalar.</summary>
    public static Kind Classify(string text)
    {
        if (text.Length == 0) return Kind.Null;
        switch (text[0])
        {
            case 'y' or 'Y' or 'n' or 'N' or 't' or 'T' or 'f' or 'F' or 'o' or 'O':
                if (BoolRegex().IsMatch(text)) return Kind.Bool;
                if (text is "null" or "Null" or "NULL") return Kind.Null;
                return Kind.String;
            case '~':
                return text.Length == 1 ? Kind.Null : Kind.String;
            case '=':
                return text.Length == 1 ? Kind.Special : Kind.String;
            case '<':
                return text == "<<" ? Kind.Special : Kind.String;
            case '-' or '+' or '.' or (>= '0' and <= '9'):
                if (FloatRegex().IsMatch(text)) return Kind.Float;
                if (text[0] != '.' && IntRegex().IsMatch(text)) return Kind.Int;
                if (text[0] is >= '0' and <= '9' && TimestampRegex().IsMatch(text)) return Kind.Timestamp;
                return Kind.String;
            default:
                return Kind.String;
        }
    }

    /// <summary>The value of a plain scalar, typed as PyYAML types it (timestamps stay strings).</summary>
    public static JsonNode? Resolve(string text, string location, int maxDigits)
    {
        switch (Classify(text))
        {
            case Kind.Null: return null;
            case Kind.Bool: return JsonValue.Create(text[0] is 'y' or 'Y' or 't' or 'T' || text is "on" or "On" or "ON");
            case Kind.Int: return IntegerNode(ParseYamlInt(text, location, maxDigits), location, maxDigits);
            case Kind.Float: return JsonValue.Create(ParseYamlFloat(text, location, maxDigits));
            default: return JsonValue.Create(text);
        }
    }

    public static JsonNode? ResolveTagged(string tag, string text, string location, int maxDigits)
    {
        switch (tag)
        {
            case "tag:yaml.org,2002:str": return JsonValue.Create(text);
            case "tag:yaml.org,2002:null": return null;
            case "tag:yaml.org,2002:bool":
                if (Classify(text) == Kind.Bool) return Resolve(text, location, maxDigits);
                break;
            case "tag:yaml.org,2002:int":
                if (Classify(text) == Kind.Int) return Resolve(text, location, maxDigits);
                break;
            case "tag:yaml.org,2002:float":
                if (Classify(text) is Kind.Float or Kind.Int) return JsonValue.Create(ParseYamlFloat(text, location, maxDigits));
                break;
            default:
                throw new InvalidWorkflowException($"unsupported YAML tag '{tag}'", location);
        }
        throw new InvalidWorkflowException($"'{Short(text)}' is not a valid {tag}", location);
    }

    /// <summary>
    /// Refuses a number whose text has more significant digits than <paramref name="maxDigits"/> decimal digits can hold,
    /// before it is parsed: parsing a long integer is quadratic in its length (a million digits take tens of seconds).
    /// </summary>
    public static void CheckNumberLength(ReadOnlySpan<char> text, int radix, int maxDigits, string location)
    {
        if (text.Length <= maxDigits) return; // fast path: every number that short is fine
        var significant = 0;
        var leading = true;
        foreach (var c in text)
        {
            if (!(radix == 16 ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c))) continue; // sign, '_', ':', '.', exponent marker
            if (leading && c == '0') continue;
            leading = false;
            significant++;
        }
        if (significant * Math.Log10(radix) > maxDigits + 1 || text.Length > 4L * maxDigits + 64)
            throw new InvalidWorkflowException($"number has more than {maxDigits} digits", location);
    }

    private static BigInteger ParseYamlInt(string text, string location, int maxDigits)
    {
        var v = text.Replace("_", "", StringComparison.Ordinal);
        var prefixed = v.TrimStart('-', '+');
        var radix = prefixed.StartsWith("0b", StringComparison.Ordinal) ? 2 : prefixed.StartsWith("0x", StringComparison.Ordinal) ? 16
            : prefixed.Length > 1 && prefixed[0] == '0' ? 8 : 10;
        CheckNumberLength(radix is 2 or 16 ? prefixed.AsSpan(2) : prefixed, radix, maxDigits, location);
        var sign = 1;
        if (v[0] is '-' or '+')
        {
            if (v[0] == '-') sign = -1;
            v = v[1..];
        }
        BigInteger r;
        if (v == "0") r = 0;
        else if (v.StartsWith("0b", StringComparison.Ordinal)) r = Digits(v[2..], 2);
        else if (v.StartsWith("0x", StringComparison.Ordinal)) r = Digits(v[2..], 16);
        else if (v[0] == '0') r = Digits(v, 8);
        else if (v.Contains(':', StringComparison.Ordinal))
        {
            r = 0;
            foreach (var part in v.Split(':')) r = r * 60 + BigInteger.Parse(part, CultureInfo.InvariantCulture);
        }
        else r = BigInteger.Parse(v, CultureInfo.InvariantCulture);
        return sign * r;

        static BigInteger Digits(string s, int radix)
        {
            BigInteger x = 0;
            foreach (var c in s) x = x * radix + Convert.ToInt32(c.ToString(), 16);
            return x;
        }
    }

    private static double ParseYamlFloat(string text, string location, int maxDigits)
    {
        CheckNumberLength(text, 10, maxDigits, location);
        var v = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var sign = 1.0;
        if (v[0] is '-' or '+')
        {
            if (v[0] == '-') sign = -1;
            v = v[1..];
        }
        if (v is ".inf" or ".nan")
            throw new InvalidWorkflowException($"non-finite number '{text}' cannot be stored (snapshot entries are JSON)", location);
        double r;
        if (v.Contains(':', StringComparison.Ordinal))
        {
            r = 0;
            foreach (var part in v.Split(':')) r = r * 60 + double.Parse(part, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        else r = double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(r)) throw new InvalidWorkflowException($"number '{Short(text)}' is out of range", location);
        return sign * r;
    }

    /// <summary>An integer as a node: a <see cref="long"/> when it fits, else exact digits.</summary>
    public static JsonValue IntegerNode(BigInteger value, string location, int maxDigits)
    {
        if (value >= long.MinValue && value <= long.MaxValue) return JsonValue.Create((long)value);
        var digits = value.ToString(CultureInfo.InvariantCulture);
        if (digits.TrimStart('-').Length > maxDigits) throw new InvalidWorkflowException($"integer has more than {maxDigits} digits", location);
        using var doc = JsonDocument.Parse(digits);
        return JsonValue.Create(doc.RootElement.Clone())!;
    }

    /// <summary>
    /// Canonical text of a float: shortest round-trip digits, always with a '.' in the mantissa and a signed
    /// exponent when there is one (<c>1.0</c>, <c>0.7</c>, <c>1.0e-05</c>, <c>1.5e+20</c>), so that both JSON
    /// readers and PyYAML read it back as a float.
    /// </summary>
    public static string FormatFloat(double d, string location)
    {
        if (!double.IsFinite(d)) throw new InvalidWorkflowException("non-finite number cannot be stored (snapshot entries are JSON)", location);
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        var e = s.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? s : s[..e];
        if (!mantissa.Contains('.', StringComparison.Ordinal)) mantissa += ".0";
        if (e < 0) return mantissa;
        var exp = s[(e + 1)..];
        if (exp[0] is not ('-' or '+')) exp = "+" + exp;
        return mantissa + "e" + exp;
    }

    public static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
