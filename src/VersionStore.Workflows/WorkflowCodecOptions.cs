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

    internal void Validate()
    {
        var errors = new List<string>();
        if (MaxInputBytes <= 0) errors.Add($"{nameof(MaxInputBytes)} must be positive (is {MaxInputBytes})");
        if (MaxDepth is < 8 or > 1000) errors.Add($"{nameof(MaxDepth)} must be within 8..1000 (is {MaxDepth})");
        if (errors.Count > 0) throw new ArgumentException("Invalid WorkflowCodecOptions: " + string.Join("; ", errors) + ".");
    }
}
