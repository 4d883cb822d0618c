using Spectre.Console;

namespace VersionStore.Cli;

/// <summary>
/// How <c>vstore</c> talks to a terminal (Spectre.Console): colours, tables and progress bars when the writer is an
/// interactive terminal, plain text when it is redirected (a pipe, a file, a test), so scripts read stable lines and
/// <c>--json</c> is never decorated. <c>VSTORE_COLOR=always|never|auto</c> overrides the detection; <c>NO_COLOR</c>
/// (any value) and <c>TERM=dumb</c> turn colour off, as most command-line tools do.
/// </summary>
internal static class Terminal
{
    /// <summary>The variable that forces styled output on or off.</summary>
    public const string ColorVariable = "VSTORE_COLOR";

    /// <summary>True when output to a writer that <paramref name="isTerminal"/> says is a terminal should be styled.</summary>
    public static bool Styled(Func<string, string?> variables, bool isTerminal)
    {
        switch (variables(ColorVariable)?.Trim().ToLowerInvariant())
        {
            case "always": return true;
            case "never": return false;
        }
        if (variables("NO_COLOR") is { Length: > 0 }) return false;
        if (string.Equals(variables("TERM"), "dumb", StringComparison.Ordinal)) return false;
        return isTerminal;
    }

    /// <summary>A Spectre console writing ANSI to <paramref name="writer"/>; <paramref name="interactive"/> for progress bars.</summary>
    public static IAnsiConsole Create(TextWriter writer, bool interactive) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Yes,
        ColorSystem = ColorSystemSupport.Standard,
        Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });

    /// <summary>Text escaped for Spectre markup after <see cref="Output.Printable"/> (stored text never styles itself).</summary>
    public static string Escape(string text) => Markup.Escape(Output.Printable(text));
}
