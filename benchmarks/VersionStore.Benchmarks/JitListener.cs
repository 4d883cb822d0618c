using System.Diagnostics.Tracing;
using System.Globalization;

namespace VersionStore.Benchmarks;

/// <summary>
/// Records which methods the JIT compiles and how long each took (the runtime's own events, read in process), for
/// <c>walk-probe STORE jit</c>: the methods that cost most on the first walk's path, by phase. The runtime delivers
/// its events to an in-process listener with a delay, so a method compiled late in a phase may be listed under the
/// next; a method's milliseconds include the type and assembly loads its compilation triggered (and any time the thread
/// was descheduled). Diagnostic only: the listener itself costs some JIT.
/// </summary>
internal sealed class JitListener : EventListener
{
    private readonly Dictionary<long, (string Name, DateTime Start)> _started = [];
    private readonly List<(string? Phase, string Name, double Ms)> _compiled = [];

    /// <summary>Names the phase that just ended: every method compiled since the last call belongs to it.</summary>
    public void EndPhase(string phase)
    {
        lock (_compiled)
            for (var i = _compiled.Count - 1; i >= 0 && _compiled[i].Phase is null; i--) _compiled[i] = _compiled[i] with { Phase = phase };
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is null || e.PayloadNames is null) return;
        var id = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("MethodID")], CultureInfo.InvariantCulture);
        lock (_compiled)
        {
            if (e.EventName == "MethodJittingStarted_V1" || e.EventName == "MethodJittingStarted")
            {
                var name = $"{e.Payload[e.PayloadNames.IndexOf("MethodNamespace")]}::{e.Payload[e.PayloadNames.IndexOf("MethodName")]}";
                _started[id] = (name, e.TimeStamp);
            }
            else if (e.EventName?.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) == true && _started.Remove(id, out var s))
            {
                _compiled.Add((null, s.Name, (e.TimeStamp - s.Start).TotalMilliseconds));
            }
        }
    }

    public void Print(int top)
    {
        lock (_compiled)
        {
            foreach (var g in _compiled.GroupBy(c => c.Phase ?? "(after)"))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {g.Key}: {g.Count()} methods, {g.Sum(c => c.Ms):0.0} ms"));
                foreach (var c in g.OrderByDescending(c => c.Ms).Take(Environment.GetEnvironmentVariable("VSTORE_JIT_ALL") == "1" ? int.MaxValue : top))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Ms,6:0.00} {c.Name}"));
            }
        }
    }
}
