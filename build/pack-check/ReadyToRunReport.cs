// Compiled into build/pack-check.sh's consumer app beside the README snippet (not part of any project of the solution).
// At exit it prints, for each VersionStore assembly the app loaded, the file it was loaded from (relative to the app),
// the size of that image's ReadyToRun header (0: IL only), and how many of the assembly's methods ran precompiled code
// or were jitted, from the runtime's own events (R2RGetEntryPoint, MethodJittingStarted):
//
//   r2r-report: VersionStore runtimes/linux-x64/lib/net10.0/VersionStore.dll native-header 72 precompiled 412 jitted 38
//
// so the script can tell that a consumer on linux-x64 runs the packages' runtimes/linux-x64 images, not only that the
// package holds them.
using System.Diagnostics.Tracing;
using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;

internal static class ReadyToRunReport
{
    [ModuleInitializer]
    internal static void Start()
    {
        var events = new MethodEvents();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Report(events);
    }

    private static void Report(MethodEvents events)
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name?.StartsWith("VersionStore", StringComparison.Ordinal) == true)
            .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
            .ToList();
        var (precompiled, jitted) = events.Snapshot();
        foreach (var assembly in assemblies)
        {
            using var pe = new PEReader(File.OpenRead(assembly.Location));
            var header = pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size ?? 0;
            Console.WriteLine(
                $"r2r-report: {assembly.GetName().Name} {Path.GetRelativePath(AppContext.BaseDirectory, assembly.Location)} " +
                $"native-header {header} precompiled {CountIn(assembly, precompiled)} jitted {CountIn(assembly, jitted)}");
        }
    }

    // The events name a method's type ("VersionStore.Repository+<ResolveAsync>d__80"), not its module.
    private static int CountIn(Assembly assembly, IEnumerable<string> typeNames) =>
        typeNames.Count(t => assembly.GetType(t.Split('[')[0], throwOnError: false) is not null);

    private sealed class MethodEvents : EventListener
    {
        private readonly List<string> precompiled = [];
        private readonly List<string> jitted = [];

        public (List<string> Precompiled, List<string> Jitted) Snapshot()
        {
            lock (precompiled)
            {
                return ([.. precompiled], [.. jitted]);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            // Keywords: JIT (0x10) for MethodJittingStarted, CompilationDiagnostic (0x2000000000) for R2RGetEntryPoint.
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x2000000010);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            // Event names may carry a version suffix (MethodJittingStarted_V1).
            var list = eventData.EventName?.StartsWith("R2RGetEntryPoint", StringComparison.Ordinal) == true ? precompiled
                : eventData.EventName?.StartsWith("MethodJittingStarted", StringComparison.Ordinal) == true ? jitted
                : null;
            var index = eventData.PayloadNames?.IndexOf("MethodNamespace") ?? -1;
            if (list is null || index < 0 || eventData.Payload?[index] is not string type
                || !type.StartsWith("VersionStore", StringComparison.Ordinal))
            {
                return;
            }
            lock (precompiled)
            {
                list.Add(type);
            }
        }
    }
}
