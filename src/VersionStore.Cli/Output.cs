using Spectre.Console;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VersionStore.Cli;

/// <summary>
/// Writes a command's result as text or, with <c>--json</c>, as one JSON document (camelCase, stable names). Every text
/// line passes through <see cref="Printable"/>, so stored text (an actor, a reason, a message, an entry name) can never
/// start a line of its own or send a terminal escape sequence: what a line shows is what the store holds, escaped.
/// </summary>
internal sealed class Output(TextWriter stdout, bool json, bool styled = false)
{
    public bool Json { get; } = json;

    public TextWriter Text { get; } = stdout;

    /// <summary>Text results may use colour and tables (an interactive terminal; never with <c>--json</c>).</summary>
    public bool Styled { get; } = styled && !json;

    private Spectre.Console.IAnsiConsole? _ansi;

    /// <summary>The Spectre console over <see cref="Text"/> (only when <see cref="Styled"/>).</summary>
    public Spectre.Console.IAnsiConsole Ansi => _ansi ??= Terminal.Create(Text, interactive: false);

    /// <summary>
    /// One line made of parts, each with a Spectre style (<c>green</c>, <c>bold yellow</c>, null for none); styles
    /// apply only when <see cref="Styled"/>, the text is the same either way (control characters escaped).
    /// </summary>
    public void Line(params ReadOnlySpan<(string Text, string? Style)> parts)
    {
        if (!Styled)
        {
            var plain = new System.Text.StringBuilder();
            foreach (var (text, _) in parts) plain.Append(text);
            Line(plain.ToString());
            return;
        }
        var markup = new System.Text.StringBuilder();
        foreach (var (text, style) in parts)
            markup.Append(style is null ? Terminal.Escape(text) : $"[{style}]{Terminal.Escape(text)}[/]");
        Ansi.MarkupLine(markup.ToString());
    }

    /// <summary>
    /// Rows under headers: a Spectre table when <see cref="Styled"/>, else <paramref name="plain"/> lines (the stable
    /// text scripts read).
    /// </summary>
    public void Table(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, Func<IReadOnlyList<string>, string> plain)
    {
        if (!Styled)
        {
            foreach (var row in rows) Line(plain(row));
            return;
        }
        var table = new Spectre.Console.Table().Border(Spectre.Console.TableBorder.Rounded);
        foreach (var h in headers) table.AddColumn(new Spectre.Console.TableColumn($"[bold]{Terminal.Escape(h)}[/]"));
        foreach (var row in rows) table.AddRow([.. row.Select(cell => new Spectre.Console.Markup(Terminal.Escape(cell)))]);
        Ansi.Write(table);
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        Text.WriteLine(JsonSerializer.Serialize(value, typeInfo));
    }

    /// <summary>Writes one line of text, control characters escaped (see <see cref="Printable"/>).</summary>
    public void Line(string text = "") => Text.WriteLine(Printable(text));

    /// <summary>
    /// <paramref name="text"/> with every character that could change how a terminal shows it escaped: C0 and C1
    /// controls and DEL (line breaks, carriage return, ESC, backspace, …) as <c>\n</c>, <c>\r</c>, <c>\t</c>,
    /// <c>\e</c> or <c>\xNN</c>; Unicode line/paragraph separators and bidirectional overrides as <c>\uNNNN</c>.
    /// Text without them is returned as is (no allocation).
    /// </summary>
    public static string Printable(string text)
    {
        var first = text.AsSpan().IndexOfAny(Unprintable);
        if (first < 0) return text;
        var sb = new System.Text.StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (!Unprintable.Contains(c)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\u001B' => "\\e",
                <= '\u00FF' => $"\\x{(int)c:X2}",
                _ => $"\\u{(int)c:X4}",
            });
        }
        return sb.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> Unprintable = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7F, 0x21).Select(i => (char)i),
         '\u2028', '\u2029', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Short(ObjectId id) => id.ToString(12);

    public static string? Hex(ObjectId? id) => id?.ToString();
}

// ------------------------------------------------------------------ JSON shapes (the CLI's machine interface)

internal sealed record TrailerJson(string Key, string Value)
{
    public static TrailerJson[] From(IReadOnlyList<Trailer> trailers) => [.. trailers.Select(t => new TrailerJson(t.Key, t.Value))];
}

internal sealed record CommitJson(string Id, string Tree, string[] Parents, long Generation, string Author, DateTimeOffset Timestamp,
    string Message, TrailerJson[] Trailers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Stale = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? LastSeen = null)
{
    /// <summary>The commit; <paramref name="staleSeenAt"/>: it was served as a stale head (fail-static), last seen then.</summary>
    public static CommitJson From(Commit c, DateTimeOffset? staleSeenAt = null) => new(c.Id.ToString(), c.Tree.ToString(), [.. c.Parents.Select(p => p.ToString())], c.Generation,
        c.Author, c.Timestamp, c.Message, TrailerJson.From(c.Trailers), staleSeenAt is null ? null : true, staleSeenAt);
}

internal sealed record EntryJson(string Path, string BlobId, string? Item, string? ItemId);

internal sealed record ShowJson(CommitJson Commit, string? Format, EntryJson[] Entries);

internal sealed record CommitResultJson(string Id, string Repository, string Branch, string? PreviousHead, string Source, int Entries,
    int ObjectsWritten, long BytesWritten);

internal sealed record ChangeJson(string Path, string Change, string? OldId, string? NewId, string? Item, string? ItemId, string? Title, string? NodeType);

internal sealed record DiffJson(string From, string To, ChangeJson[] Changes);

internal sealed record RefJson(string Name, string FullName, string Kind, string Target, long Sequence)
{
    public static RefJson From(RefInfo r) => new(r.Name.ShortName, r.Name.FullName, r.Name.Kind.ToString().ToLowerInvariant(), r.Target.ToString(), r.Sequence);
}

internal sealed record VerificationJson(bool Passed, int ChecksRun, int ObjectsVerified, string? Failure);

internal sealed record RollbackJson(string Status, string Ref, string From, string To, string NewHead, DateTimeOffset? EffectiveTime,
    double ElapsedMilliseconds, VerificationJson Verification);

internal sealed record AuditEntryJson(string Ref, long Sequence, string? Old, string? New, string Operation, string Actor, DateTimeOffset Time,
    string? Reason, TrailerJson[] Details, string Hash, string PreviousHash)
{
    public static AuditEntryJson From(AuditEntry e) => new(e.Ref.FullName, e.Sequence, Output.Hex(e.Old), Output.Hex(e.New), e.Operation, e.Actor,
        e.Time, e.Reason, TrailerJson.From(e.Details), e.Hash.ToString(), e.PreviousHash.ToString());
}

internal sealed record AuditVerificationJson(string Ref, long Entries, bool Intact, string? Problem);

internal sealed record AuditJson(AuditEntryJson[] Entries, AuditVerificationJson[]? Verification);

internal sealed record MergeBaseJson(string Left, string Right, string[] MergeBases);

internal sealed record IsAncestorJson(string Ancestor, string Descendant, bool IsAncestor);

internal sealed record VerifyReportJson(string Repository, int RefsChecked, int ObjectsChecked, bool Healthy, string[] Problems);

internal sealed record RepositoryJson(string Name);

internal sealed record InitJson(string Path, bool Created);

internal sealed record CheckoutJson(string Id, string? Directory, int Files, string? WorkflowFile);

internal sealed record RetentionJson(string Repository, int? KeepLast, int? KeepDays);

internal sealed record PinJson(string Ref, string Target, string Actor, string? Reason, DateTimeOffset Time)
{
    public static PinJson From(PinInfo p) => new(p.Name.FullName, p.Target.ToString(), p.Actor, p.Reason, p.Time);
}

internal sealed record TierJson(string Tier, long ObjectsDeleted, long BytesFreed);

internal sealed record GcJson(bool DryRun, long ObjectsDeleted, long BytesFreed, long ObjectsMarked, long ObjectsScanned, long CommitsKept,
    long VersionsPruned, long CandidatesPlanned, TierJson[] Tiers, double ElapsedMilliseconds, string[] Problems);

internal sealed record BranchDeletedJson(string Name, string FullName, string Deleted);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CommitJson[]))]
[JsonSerializable(typeof(ShowJson))]
[JsonSerializable(typeof(CommitResultJson))]
[JsonSerializable(typeof(DiffJson))]
[JsonSerializable(typeof(RefJson))]
[JsonSerializable(typeof(RefJson[]))]
[JsonSerializable(typeof(RollbackJson))]
[JsonSerializable(typeof(AuditJson))]
[JsonSerializable(typeof(MergeBaseJson))]
[JsonSerializable(typeof(IsAncestorJson))]
[JsonSerializable(typeof(VerifyReportJson[]))]
[JsonSerializable(typeof(RepositoryJson[]))]
[JsonSerializable(typeof(InitJson))]
[JsonSerializable(typeof(CheckoutJson))]
[JsonSerializable(typeof(RetentionJson))]
[JsonSerializable(typeof(PinJson[]))]
[JsonSerializable(typeof(GcJson))]
[JsonSerializable(typeof(BranchDeletedJson))]
internal sealed partial class CliJson : JsonSerializerContext;
