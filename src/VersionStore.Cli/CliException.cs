namespace VersionStore.Cli;

/// <summary>An expected failure found by the CLI itself (not the library), with the exit code to report.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException NotFound(string message) => new(ExitCodes.NotFoundOrInvalid, message);
}
