// Compiled into every package of src/ (Directory.Build.props): the one sanctioned use of the system clock.
// Everything else takes a TimeProvider (options, constructor parameters), so tests drive time with a fake clock;
// the banned-API analyzer (build/BannedSymbols.txt) rejects TimeProvider.System, DateTime.Now/UtcNow and
// DateTimeOffset.Now/UtcNow anywhere else in src/.
namespace VersionStore;

/// <summary>The default clock of options and components that were given none.</summary>
internal static class SystemClock
{
#pragma warning disable RS0030 // the sanctioned place
    /// <summary>The system clock (<see cref="TimeProvider.System"/>).</summary>
    public static TimeProvider Default => TimeProvider.System;
#pragma warning restore RS0030
}
