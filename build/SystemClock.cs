// Compiled into every package of src/ (Directory.Build.props): the one sanctioned use of the system clock.
// Everything else takes a TimeProvider (options, constructor parameters), so tests drive time with a fake clock;
// the banned-API analyzer (build/BannedSymbols.txt) rejects TimeProvider.System, DateTime.Now/UtcNow and
// DateTimeOffset.Now/UtcNow anywhere else in src/.
// The configuration-binding source generator emits code (in its own namespace) that defaults clock properties to
// TimeProvider.System; that is its code, not ours, so the rule does not apply there.
[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Scope = "namespaceanddescendants",
    Target = "~N:Microsoft.Extensions.Configuration.Binder.SourceGeneration", Justification = "Generated binder code")]

namespace VersionStore;

// The default clock of options and components that were given none. No XML doc comments here: this file is compiled
// into every package, and ASP.NET Core's OpenAPI generator merges the XML docs of all of them by member name.
internal static class SystemClock
{
#pragma warning disable RS0030 // the sanctioned place
    public static TimeProvider Default => TimeProvider.System;
#pragma warning restore RS0030
}
