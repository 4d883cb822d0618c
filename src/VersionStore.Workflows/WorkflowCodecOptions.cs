namespace VersionStore.Workflows;

/// <summary>Limits applied when reading a workflow document or its snapshot entries.</summary>
public sealed class WorkflowCodecOptions
{
    /// <summary>The options used when none are given.</summary>
    public static WorkflowCodecOptions Default { get; } = new();

    /// <summary>Largest accepted input, in UTF-8 bytes; larger input fails with <see cref="PayloadTooLargeException"/>.</summary>
    /// <value>16 MiB. The largest real Dify export in the project's test data is about 150 KiB.</value>
    public long MaxInputBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Deepest accepted nesting of mappings and sequences.</summary>
    /// <value>128.</value>
    public int MaxDepth { get; init; } = 128;

    /// <summary>
    /// Largest size of the document's value tree after YAML alias expansion, counted as the UTF-16 length of every
    /// scalar and key plus 64 per node (about what a node costs in memory): each alias costs the full size of what it
    /// repeats, so a small file whose one long string is referenced many times fails here, before any of it is copied
    /// or serialised.
    /// </summary>
    /// <value>32 MiB (twice the default <see cref="MaxInputBytes"/>).</value>
    public long MaxExpandedBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Most digits of an integer (and characters of a number); checked on the text before it is parsed.</summary>
    /// <value>4000 (as Python's default <c>int</c> conversion limit).</value>
    public int MaxNumberDigits { get; init; } = 4000;

    /// <summary>Most nodes plus edges of one graph; checked before the document is split into snapshot entries.</summary>
    /// <value>10,000 (real Dify workflows hold tens to a few hundred).</value>
    public int MaxGraphItems { get; init; } = 10_000;

    internal void Validate()
    {
        var errors = new List<string>();
        if (MaxInputBytes <= 0) errors.Add($"{nameof(MaxInputBytes)} must be positive (is {MaxInputBytes})");
        if (MaxDepth is < 8 or > 1000) errors.Add($"{nameof(MaxDepth)} must be within 8..1000 (is {MaxDepth})");
        if (MaxGraphItems <= 0) errors.Add($"{nameof(MaxGraphItems)} must be positive (is {MaxGraphItems})");
        if (MaxExpandedBytes <= 0) errors.Add($"{nameof(MaxExpandedBytes)} must be positive (is {MaxExpandedBytes})");
        if (MaxNumberDigits is < 20 or > 100_000) errors.Add($"{nameof(MaxNumberDigits)} must be within 20..100000 (is {MaxNumberDigits})");
        if (errors.Count > 0) throw new ArgumentException("Invalid WorkflowCodecOptions: " + string.Join("; ", errors) + ".");
    }
}
