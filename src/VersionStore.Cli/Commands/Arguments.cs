using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary>Arguments and option parsers shared by several commands.</summary>
internal static class Arguments
{
    public static Argument<string> Repository() => new("REPO") { Description = "Repository name (one per workflow id)." };

    public static Argument<string> Revision(string name, string description) => new(name) { Description = description };

    /// <summary>
    /// An expected head or parent given on the command line: a full 64-hex id is taken as is (so a stale id still
    /// reports a conflict rather than "not found"); "none" or all zeros means "the branch must not exist";
    /// anything else is resolved as a revision.
    /// </summary>
    public static async Task<ObjectId> ResolveIdAsync(Repository repository, string text, CancellationToken cancellationToken)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return ObjectId.Zero;
        if (text.Length == ObjectId.HexLength && ObjectId.TryParse(text, out var id)) return id;
        return await repository.ResolveAsync(text, cancellationToken).ConfigureAwait(false);
    }
}
