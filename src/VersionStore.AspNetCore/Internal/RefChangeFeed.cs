using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace VersionStore.AspNetCore.Internal;

/// <summary>A ref of a workflow moved (or gained an audit entry): what the live stream sends.</summary>
internal sealed record WorkflowRefChange(string Ref, string? Old, string? New, long Sequence, string? Operation, string? Actor, DateTimeOffset? Time, string? Reason);

/// <summary>Where the live stream learns that refs changed. One seam, so a push-based ref watch can replace the poll.</summary>
internal interface IWorkflowChangeFeed
{
    /// <summary>The changes of <paramref name="repository"/>'s refs from now on, until cancelled.</summary>
    IAsyncEnumerable<WorkflowRefChange> WatchAsync(RepositoryName repository, CancellationToken cancellationToken);
}

/// <summary>
/// One shared poll per watched workflow: every <see cref="VersionStoreApiOptions.LivePollInterval"/> it lists the refs
/// (target and audit sequence) and fans the differences out to every listener; it runs only while someone listens.
/// </summary>
internal sealed partial class PollingRefChangeFeed(RepositoryStore store, TimeSpan interval, TimeProvider time, ILogger<PollingRefChangeFeed> logger) : IWorkflowChangeFeed, IDisposable
{
    private const int ListenerBuffer = 256;
    private readonly Lock _gate = new();
    private readonly Dictionary<RepositoryName, Watch> _watches = [];

    /// <summary>Workflows polled right now (for tests).</summary>
    public int ActiveWatches
    {
        get
        {
            lock (_gate) return _watches.Count;
        }
    }

    public async IAsyncEnumerable<WorkflowRefChange> WatchAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listener = Channel.CreateBounded<WorkflowRefChange>(new BoundedChannelOptions(ListenerBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        Watch watch;
        lock (_gate)
        {
            if (!_watches.TryGetValue(repository, out watch!))
            {
                watch = new Watch(repository);
                _watches[repository] = watch;
                watch.Listeners.Add(listener);
                watch.Loop = Task.Run(() => PollAsync(watch), CancellationToken.None);
            }
            else watch.Listeners.Add(listener);
        }
        try
        {
            await foreach (var change in listener.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return change;
        }
        finally
        {
            lock (_gate)
            {
                watch.Listeners.Remove(listener);
                if (watch.Listeners.Count == 0)
                {
                    _watches.Remove(repository);
                    watch.Stop.Cancel();
                }
            }
        }
    }

    private async Task PollAsync(Watch watch)
    {
        var ct = watch.Stop.Token;
        var repo = store.GetRepository(watch.Repository);
        Dictionary<string, (ObjectId Target, long Sequence)>? known = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var now = new Dictionary<string, (ObjectId, long)>(StringComparer.Ordinal);
                    await foreach (var r in repo.ListRefsAsync(cancellationToken: ct).ConfigureAwait(false)) now[r.Name.FullName] = (r.Target, r.Sequence);
                    if (known is not null) await PublishDifferencesAsync(watch, repo, known, now, ct).ConfigureAwait(false);
                    known = now;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPollFailed(logger, watch.Repository.Value, e);   // keep the last view; the next poll catches up
                }
                await Task.Delay(interval, time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            watch.Stop.Dispose();
        }
    }

    private async Task PublishDifferencesAsync(Watch watch, Repository repo, Dictionary<string, (ObjectId Target, long Sequence)> before,
        Dictionary<string, (ObjectId Target, long Sequence)> now, CancellationToken ct)
    {
        var changes = new List<WorkflowRefChange>();
        foreach (var (name, state) in now)
        {
            if (before.TryGetValue(name, out var old) && old == state) continue;
            AuditEntry? last = null;
            await foreach (var e in repo.AuditAsync(RefName.Parse(name), ct).ConfigureAwait(false))
            {
                last = e;
                break;
            }
            changes.Add(new WorkflowRefChange(name, before.TryGetValue(name, out var o) ? o.Target.ToString() : null, state.Target.ToString(), state.Sequence,
                last?.Operation, last?.Actor, last?.Time, last?.Reason));
        }
        foreach (var name in before.Keys)
            if (!now.ContainsKey(name)) changes.Add(new WorkflowRefChange(name, before[name].Target.ToString(), null, before[name].Sequence, "delete", null, null, null));
        if (changes.Count == 0) return;
        Channel<WorkflowRefChange>[] listeners;
        lock (_gate) listeners = [.. watch.Listeners];
        foreach (var l in listeners)
            foreach (var c in changes)
                l.Writer.TryWrite(c);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var w in _watches.Values) w.Stop.Cancel();
            _watches.Clear();
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Live poll of workflow {Workflow} failed; retrying")]
    private static partial void LogPollFailed(ILogger logger, string workflow, Exception exception);

    private sealed class Watch(RepositoryName repository)
    {
        public RepositoryName Repository { get; } = repository;
        public List<Channel<WorkflowRefChange>> Listeners { get; } = [];
        public CancellationTokenSource Stop { get; } = new();
        public Task? Loop { get; set; }
    }
}
