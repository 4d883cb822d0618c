namespace VersionStore;

/// <summary>
/// Base of every failure VersionStore reports. Each names the repository, ref or object involved where
/// there is one. "Not found" on a <c>TryGet…</c> call is an answer (null), not an exception.
/// </summary>
public class VersionStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VersionStoreException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>The repository involved, if any.</summary>
    public string? Repository { get; init; }

    /// <summary>The full ref name involved, if any.</summary>
    public string? Ref { get; init; }

    /// <summary>The object involved, if any.</summary>
    public ObjectId? ObjectId { get; init; }
}

/// <summary>A repository, ref or other name breaks the naming rules. Nothing was read or written.</summary>
public sealed class InvalidNameException(string? name, string what, string reason)
    : VersionStoreException($"Invalid {what} name '{Sanitize(name)}': {reason}.")
{
    /// <summary>The rejected name as given.</summary>
    public string? Name { get; } = name;

    /// <summary>What kind of name it was meant to be (repository, branch, tag, channel, ref, path).</summary>
    public string What { get; } = what;

    internal static string Sanitize(string? s)
    {
        if (s is null) return "(null)";
        var t = new System.Text.StringBuilder();
        foreach (var c in s.Length > 80 ? s[..80] + "…" : s)
            t.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return t.ToString();
    }
}

/// <summary>A revision expression names nothing that exists (unknown branch, tag or id, or <c>~N</c> past the root).</summary>
public sealed class RevisionNotFoundException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public RevisionNotFoundException(string repository, string revision, string? detail = null)
        : base($"Revision '{InvalidNameException.Sanitize(revision)}' not found in repository '{repository}'{(detail is null ? "" : ": " + detail)}.")
    {
        Repository = repository;
        Revision = revision;
    }

    /// <summary>The revision expression.</summary>
    public string Revision { get; }
}

/// <summary>An abbreviated id matches more than one object.</summary>
public sealed class AmbiguousRevisionException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public AmbiguousRevisionException(string repository, string revision, IReadOnlyList<ObjectId> candidates)
        : base($"Revision '{revision}' is ambiguous in repository '{repository}': it matches {candidates.Count} objects ({string.Join(", ", candidates.Take(4).Select(c => c.ToString(12)))}).")
    {
        Repository = repository;
        Revision = revision;
        Candidates = candidates;
    }

    /// <summary>The revision expression.</summary>
    public string Revision { get; }

    /// <summary>Some of the matching ids.</summary>
    public IReadOnlyList<ObjectId> Candidates { get; }
}

/// <summary>An object that should be stored is missing (an incomplete closure, or a lost object).</summary>
public sealed class ObjectNotFoundException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public ObjectNotFoundException(ObjectId id, string? context = null)
        : base($"Object {id} not found{(context is null ? "" : " (" + context + ")")}.") => ObjectId = id;
}

/// <summary>Stored bytes do not decode, or do not hash to the id they were stored under.</summary>
public sealed class CorruptObjectException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public CorruptObjectException(ObjectId? id, string reason, Exception? inner = null)
        : base(id is null ? $"Malformed object: {reason}." : $"Object {id} is corrupt: {reason}.", inner) => ObjectId = id;
}

/// <summary>An object has a different kind than the operation needs (e.g. a blob where a commit was expected).</summary>
public sealed class UnexpectedObjectKindException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public UnexpectedObjectKindException(ObjectId id, ObjectKind expected, ObjectKind actual)
        : base($"Object {id} is a {actual.ToString().ToLowerInvariant()}, not a {expected.ToString().ToLowerInvariant()}.")
    {
        ObjectId = id;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The kind the operation needed.</summary>
    public ObjectKind Expected { get; }

    /// <summary>The kind stored.</summary>
    public ObjectKind Actual { get; }
}

/// <summary>
/// A compare-and-swap on a ref lost: the ref did not hold the expected value (a stale expected head, or a
/// concurrent writer won). Nothing was written to the ref or the audit log.
/// </summary>
public sealed class RefConflictException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public RefConflictException(string repository, RefName name, ObjectId? expected, ObjectId? actual, string? detail = null)
        : base($"Ref {name} in repository '{repository}' is at {Show(actual)}, not the expected {Show(expected)}{(detail is null ? "" : ": " + detail)}.")
    {
        Repository = repository;
        Ref = name.FullName;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The head the caller expected (null: expected the ref not to exist).</summary>
    public ObjectId? Expected { get; }

    /// <summary>The head found (null: the ref does not exist).</summary>
    public ObjectId? Actual { get; }

    private static string Show(ObjectId? id) => id is null ? "(none)" : id.Value.ToString(12);
}

/// <summary>
/// A commit would move a branch to a commit that does not descend from the branch's head (explicit parents that do not
/// include it), which would drop acknowledged commits from the branch's history. Refused unless forced; nothing was written
/// to the ref or the audit log.
/// </summary>
public sealed class NonFastForwardException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public NonFastForwardException(string repository, RefName name, ObjectId head, IReadOnlyList<ObjectId> parents)
        : base($"Ref {name} in repository '{repository}' is at {head.ToString(12)}, which the new commit's parents "
            + $"({(parents.Count == 0 ? "none" : string.Join(", ", parents.Select(p => p.ToString(12))))}) do not include: not a fast-forward "
            + "(it would drop commits from the branch's history); force it to rewrite the branch.")
    {
        Repository = repository;
        Ref = name.FullName;
        Head = head;
    }

    /// <summary>The branch head the commit does not descend from.</summary>
    public ObjectId Head { get; }
}

/// <summary>A ref already exists where the operation needs a new one (e.g. a tag overwrite without force).</summary>
public sealed class NameConflictException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public NameConflictException(string repository, RefName name, string reason)
        : base($"Ref {name} in repository '{repository}': {reason}.")
    {
        Repository = repository;
        Ref = name.FullName;
    }
}

/// <summary>A payload exceeds a configured limit (see <see cref="VersionStoreOptions"/>). Nothing was written.</summary>
public sealed class PayloadTooLargeException(string what, long size, long limit)
    : VersionStoreException($"{what} is {size} bytes; the limit is {limit} bytes.")
{
    /// <summary>The offending size in bytes.</summary>
    public long Size { get; } = size;

    /// <summary>The configured limit in bytes.</summary>
    public long Limit { get; } = limit;
}

/// <summary>A storage backend could not be reached or failed. Reads may fall back to another tier; writes never pretend to succeed.</summary>
public class BackendUnavailableException : VersionStoreException
{
    /// <summary>Creates the exception: "<paramref name="backend"/> is unavailable: <paramref name="message"/>".</summary>
    public BackendUnavailableException(string backend, string message, Exception? inner = null)
        : this(backend, inner, $"{backend} is unavailable: {message}")
    {
    }

    private protected BackendUnavailableException(string backend, Exception? inner, string fullMessage)
        : base(fullMessage, inner) => Backend = backend;

    /// <summary>Which backend failed (e.g. "RocksDB", "Redis", "S3").</summary>
    public string Backend { get; }
}

/// <summary>
/// A request to VersionStore is invalid as a whole: its arguments are inconsistent with each other or with the
/// repository's state (e.g. an empty commit message where one is required, a retention policy that keeps nothing, a
/// rollback to the commit already live). Nothing was read or written. (Formerly <c>InvalidRequestException</c>.)
/// </summary>
public sealed class InvalidRequestException(string message) : VersionStoreException(message);

/// <summary>
/// A store was written in a format version this build does not read (a newer VersionStore wrote it, or it is not a
/// VersionStore store). Nothing was read or written; upgrade VersionStore, or point it at a store this version wrote.
/// </summary>
public sealed class UnsupportedFormatException(string backend, string location, string found, int supported)
    : VersionStoreException($"{backend} store at '{location}' has format version {found}; this build of VersionStore reads version {supported}.")
{
    /// <summary>Which backend holds the store (e.g. "RocksDB", "S3").</summary>
    public string Backend { get; } = backend;

    /// <summary>Where the store is (a folder, a bucket and key).</summary>
    public string Location { get; } = location;

    /// <summary>The version found, as stored (or "(malformed)").</summary>
    public string Found { get; } = found;

    /// <summary>The version this build reads.</summary>
    public int Supported { get; } = supported;
}
