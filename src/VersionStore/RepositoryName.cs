using System.Diagnostics.CodeAnalysis;

namespace VersionStore;

/// <summary>
/// A validated repository name (one repository per workflow id). 1–128 characters from
/// <c>[A-Za-z0-9._-]</c>, not starting with '.' or '-', and never <c>..</c>: safe to embed in any backend key
/// (invariant 6 of the design: a crafted name can never reach another repository's keys).
/// </summary>
public readonly record struct RepositoryName
{
    /// <summary>Longest accepted name.</summary>
    public const int MaxLength = 128;

    /// <summary>The validated name.</summary>
    public string Value { get; }

    /// <summary>Validates and wraps <paramref name="value"/>.</summary>
    /// <exception cref="InvalidNameException">The name breaks a rule; the message says which.</exception>
    public RepositoryName(string value)
    {
        var problem = Validate(value);
        if (problem is not null) throw new InvalidNameException(value, "repository", problem);
        Value = value;
    }

    /// <summary>Tries to validate <paramref name="value"/> without throwing.</summary>
    public static bool TryCreate(string? value, [NotNullWhen(true)] out RepositoryName? name)
    {
        name = value is not null && Validate(value) is null ? new RepositoryName(value) : (RepositoryName?)null;
        return name is not null;
    }

    /// <summary>Returns why <paramref name="value"/> is not a valid repository name, or null when it is.</summary>
    public static string? Validate(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "a repository name cannot be empty";
        if (value.Length > MaxLength) return $"a repository name is at most {MaxLength} characters";
        if (value[0] is '.' or '-') return "a repository name cannot start with '.' or '-'";
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"a repository name may contain only letters, digits, '.', '_' and '-' (found '{Printable(c)}')";
        if (value.Contains("..", StringComparison.Ordinal)) return "a repository name cannot contain '..'";
        return null;
    }

    internal static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

    /// <summary>Implicit validation from a string.</summary>
    public static implicit operator RepositoryName(string value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value ?? "";
}
