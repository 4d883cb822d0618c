namespace VersionStore.S3.Internal;

/// <summary>Object keys of a store. Every key derives from a validated prefix and a hex pack name (invariant 6).</summary>
internal sealed class S3Keys
{
    public const string PackSuffix = ".pack";
    public const string IndexSuffix = ".idx";

    public S3Keys(string prefix)
    {
        var p = prefix.Trim('/');
        PacksPrefix = p.Length == 0 ? "packs/" : p + "/packs/";
    }

    /// <summary>Every pack and index key starts with this (ends with '/').</summary>
    public string PacksPrefix { get; }

    public string Pack(string name) => PacksPrefix + name + PackSuffix;

    public string Index(string name) => PacksPrefix + name + IndexSuffix;

    /// <summary>The pack name of an index key directly under <see cref="PacksPrefix"/>, or null for any other key.</summary>
    public string? TryParseIndexKey(string key)
    {
        if (!key.StartsWith(PacksPrefix, StringComparison.Ordinal) || !key.EndsWith(IndexSuffix, StringComparison.Ordinal)) return null;
        var name = key.AsSpan(PacksPrefix.Length, key.Length - PacksPrefix.Length - IndexSuffix.Length);
        return IsPackName(name) ? name.ToString() : null;
    }

    /// <summary>The pack name of a pack key directly under <see cref="PacksPrefix"/>, or null for any other key.</summary>
    public string? TryParsePackKey(string key)
    {
        if (!key.StartsWith(PacksPrefix, StringComparison.Ordinal) || !key.EndsWith(PackSuffix, StringComparison.Ordinal)) return null;
        var name = key.AsSpan(PacksPrefix.Length, key.Length - PacksPrefix.Length - PackSuffix.Length);
        return IsPackName(name) ? name.ToString() : null;
    }

    /// <summary>64 lowercase hex digits.</summary>
    public static bool IsPackName(ReadOnlySpan<char> name)
    {
        if (name.Length != 64) return false;
        foreach (var c in name)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        return true;
    }

    public static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    public static bool IsValidPrefix(string prefix)
    {
        if (prefix.Length > 512) return false;
        var p = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (p.Length == 0) return prefix.Length == 0;
        foreach (var segment in p.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..") return false;
            foreach (var c in segment)
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-')) return false;
        }
        return true;
    }

    public static bool IsValidBucketName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63) return false;
        foreach (var c in name)
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '-')) return false;
        return char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]) && !name.Contains("..", StringComparison.Ordinal);
    }
}
