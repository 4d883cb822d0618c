namespace VersionStore.Internal;

/// <summary>Rules and ordering for tree entry names and slash-separated snapshot paths.</summary>
internal static class EntryNames
{
    public const int MaxNameBytes = 255;
    public const int MaxPathBytes = 4096;

    /// <summary>Code-point (= UTF-8 byte) order, so every implementation of the format sorts alike.</summary>
    public static int Compare(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y) return Fix(x) - Fix(y);
        }
        return a.Length - b.Length;

        static int Fix(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
    }

    public static readonly Comparer<string> Comparer = Comparer<string>.Create(Compare);

    /// <summary>Why <paramref name="name"/> cannot be one entry name, or null.</summary>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "an entry name cannot be empty";
        if (name is "." or "..") return "an entry name cannot be '.' or '..'";
        foreach (var c in name)
        {
            if (c == '/') return "an entry name cannot contain '/'";
            if (char.IsControl(c)) return $"an entry name cannot contain control character \\u{(int)c:x4}";
        }
        if (char.IsHighSurrogate(name[^1])) return "an entry name is not valid UTF-16";
        try
        {
            if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes) return $"an entry name is at most {MaxNameBytes} UTF-8 bytes";
        }
        catch (ArgumentException)
        {
            return "an entry name is not valid UTF-16";
        }
        return null;
    }

    /// <summary>Splits and validates a snapshot path such as <c>nodes/llm-1</c>.</summary>
    public static string[] SplitPath(string? path)
    {
        if (string.IsNullOrEmpty(path)) throw new InvalidNameException(path, "path", "a path cannot be empty");
        if (path.Length > MaxPathBytes) throw new InvalidNameException(path, "path", $"a path is at most {MaxPathBytes} characters");
        var parts = path.Split('/');
        foreach (var part in parts)
        {
            var problem = ValidateName(part);
            if (problem is not null) throw new InvalidNameException(path, "path", problem);
        }
        return parts;
    }
}
