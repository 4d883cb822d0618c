namespace VersionStore.Workflows;

/// <summary>
/// A workflow document or a set of snapshot entries cannot be read as a Dify workflow: the text is not YAML
/// or JSON, the graph is missing, a node has no id or shares one with another node, a value cannot be
/// represented, or the entries are inconsistent. Nothing was written.
/// </summary>
public sealed class InvalidWorkflowException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">What is wrong, in a sentence without a trailing period.</param>
    /// <param name="location">Where in the document or which entry (e.g. <c>workflow.graph.nodes[3]</c> or <c>nodes/a/llm-1</c>), if known.</param>
    /// <param name="innerException">The parser error, if any.</param>
    public InvalidWorkflowException(string reason, string? location = null, Exception? innerException = null)
        : base(location is null ? $"Invalid workflow: {reason}." : $"Invalid workflow at {location}: {reason}.", innerException)
    {
        Reason = reason;
        Location = location;
    }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    /// <summary>Where in the document or which entry, if known.</summary>
    public string? Location { get; }
}
