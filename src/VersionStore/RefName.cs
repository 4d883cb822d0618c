using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace VersionStore;

/// <summary>The kinds of ref a repository holds.</summary>
public enum RefKind
{
    /// <summary><c>refs/heads/…</c>: a movable line of development (<c>main</c>, <c>draft</c>, <c>gray</c>).</summary>
    Branch,
    /// <summary><c>refs/tags/…</c>: a fixed name for a version (<c>v1.4.0</c>); immutable unless forced.</summary>
    Tag,
    /// <summary><c>refs/channels/…</c>: a release channel (<c>prod</c>) that applications follow.</summary>
    Channel,
    /// <summary><c>refs/pins/…</c>: an explicit hold on a version (actor and reason in its audit entry); retention and GC keep what it reaches.</summary>
    Pin,
    /// <summary><c>refs/meta/…</c>: state the store keeps about a repository (its retention policy); not a version line.</summary>
    Meta,
}

/// <summary>
/// A validated, fully qualified ref name such as <c>refs/heads/main</c>, <c>refs/tags/v1.4.0</c> or
/// <c>refs/channels/prod</c>. Short names are validated with git's ref-format rules (no <c>..</c>, no
/// control characters or <c> ~^:?*[\</c>, no leading or trailing '/', no empty or dot-leading component,
/// no <c>.lock</c> suffix, at most 255 UTF-8 bytes in all).
/// </summary>
public readonly record struct RefName
{
    /// <summary>Longest accepted full name in UTF-8 bytes.</summary>
    public const int MaxBytes = 255;

    private const string HeadsPrefix = "refs/heads/";
    private const string TagsPrefix = "refs/tags/";
    private const string ChannelsPrefix = "refs/channels/";
    private const string PinsPrefix = "refs/pins/";
    private const string MetaPrefix = "refs/meta/";

    /// <summary>The full name, e.g. <c>refs/heads/main</c>.</summary>
    public string FullName { get; }

    /// <summary>Which namespace the ref lives in.</summary>
    public RefKind Kind { get; }

    private RefName(string fullName, RefKind kind)
    {
        FullName = fullName;
        Kind = kind;
    }

    /// <summary>The name without its namespace prefix, e.g. <c>main</c>.</summary>
    public string ShortName => FullName[Prefix(Kind).Length..];

    /// <summary>A branch <c>refs/heads/{name}</c>.</summary>
    /// <exception cref="InvalidNameException">The name breaks a rule.</exception>
    public static RefName Branch(string name) => Create(RefKind.Branch, name);

    /// <summary>A tag <c>refs/tags/{name}</c>.</summary>
    /// <exception cref="InvalidNameException">The name breaks a rule.</exception>
    public static RefName Tag(string name) => Create(RefKind.Tag, name);

    /// <summary>A release channel <c>refs/channels/{name}</c>.</summary>
    /// <exception cref="InvalidNameException">The name breaks a rule.</exception>
    public static RefName Channel(string name) => Create(RefKind.Channel, name);

    /// <summary>A pin <c>refs/pins/{name}</c>.</summary>
    /// <exception cref="InvalidNameException">The name breaks a rule.</exception>
    public static RefName Pin(string name) => Create(RefKind.Pin, name);

    /// <summary>A store-managed state ref <c>refs/meta/{name}</c>.</summary>
    /// <exception cref="InvalidNameException">The name breaks a rule.</exception>
    public static RefName Meta(string name) => Create(RefKind.Meta, name);

    /// <summary>Creates a ref of <paramref name="kind"/> from its short name.</summary>
    public static RefName Create(RefKind kind, string shortName)
    {
        var problem = ValidateShortName(shortName);
        if (problem is not null) throw new InvalidNameException(shortName, KindWord(kind), problem);
        return new RefName(Prefix(kind) + shortName, kind);
    }

    /// <summary>Parses a full name (<c>refs/heads/x</c>, <c>refs/tags/x</c>, <c>refs/channels/x</c>, <c>refs/pins/x</c>, <c>refs/meta/x</c>).</summary>
    /// <exception cref="InvalidNameException">Not a valid full ref name.</exception>
    public static RefName Parse(string fullName)
        => TryParse(fullName, out var name) ? name.Value
            : throw new InvalidNameException(fullName, "ref", "a full ref name starts with refs/heads/, refs/tags/, refs/channels/, refs/pins/ or refs/meta/ and follows the ref-name rules");

    /// <summary>Tries to parse a full name.</summary>
    public static bool TryParse(string? fullName, [NotNullWhen(true)] out RefName? name)
    {
        name = null;
        if (fullName is null) return false;
        foreach (var kind in new[] { RefKind.Branch, RefKind.Tag, RefKind.Channel, RefKind.Pin, RefKind.Meta })
        {
            var prefix = Prefix(kind);
            if (fullName.StartsWith(prefix, StringComparison.Ordinal) && ValidateShortName(fullName[prefix.Length..]) is null)
            {
                name = new RefName(fullName, kind);
                return true;
            }
        }
        return false;
    }

    /// <summary>Returns why <paramref name="shortName"/> is not a valid ref short name, or null when it is.</summary>
    public static string? ValidateShortName(string? shortName)
    {
        if (string.IsNullOrEmpty(shortName)) return "a ref name cannot be empty";
        if (Encoding.UTF8.GetByteCount(shortName) + ChannelsPrefix.Length > MaxBytes)
            return $"a ref name is at most {MaxBytes} bytes including its refs/… prefix";
        if (shortName[0] == '/' || shortName[^1] == '/') return "a ref name cannot start or end with '/'";
        if (shortName[0] == '-') return "a ref name cannot start with '-'";
        if (shortName.Contains("..", StringComparison.Ordinal)) return "a ref name cannot contain '..'";
        if (shortName.Contains("//", StringComparison.Ordinal)) return "a ref name cannot contain an empty component ('//')";
        if (shortName.Contains("@{", StringComparison.Ordinal)) return "a ref name cannot contain '@{'";
        if (shortName == "@") return "'@' alone is not a ref name";
        if (shortName.EndsWith('.')) return "a ref name cannot end with '.'";
        foreach (var c in shortName)
        {
            if (char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\' or '\u007f')
                return $"a ref name cannot contain '{RepositoryName.Printable(c)}'";
        }
        foreach (var component in shortName.Split('/'))
        {
            if (component.StartsWith('.')) return "a ref name component cannot start with '.'";
            if (component.EndsWith(".lock", StringComparison.Ordinal)) return "a ref name component cannot end with '.lock'";
        }
        return null;
    }

    private static string Prefix(RefKind kind) => kind switch
    {
        RefKind.Branch => HeadsPrefix,
        RefKind.Tag => TagsPrefix,
        RefKind.Channel => ChannelsPrefix,
        RefKind.Pin => PinsPrefix,
        RefKind.Meta => MetaPrefix,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string KindWord(RefKind kind) => kind switch
    {
        RefKind.Branch => "branch",
        RefKind.Tag => "tag",
        RefKind.Pin => "pin",
        RefKind.Meta => "meta ref",
        _ => "channel",
    };

    /// <inheritdoc />
    public override string ToString() => FullName ?? "";
}
