using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace VersionStore.Merging;

/// <summary>Glob matching of slash-separated entry paths: <c>*</c> within a segment, <c>**</c> across segments, <c>?</c> one character.</summary>
internal static class PathPattern
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string path)
    {
        if (pattern is "**" or "**/*") return true;
        return Cache.GetOrAdd(pattern, static p => new Regex(ToRegex(p), RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1))).IsMatch(path);
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/') { i++; sb.Append("(.*/)?"); }
                else sb.Append(".*");
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
