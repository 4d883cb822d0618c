using Microsoft.Extensions.Logging;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>Options of an <see cref="ArchiverService"/>.</summary>
public sealed class ArchiverOptions
{
    /// <summary>Objects copied per archive write (one S3 pack per batch).</summary>
    /// <value>512.</value>
    public int BatchSize { get; set; } = 512;

    /// <summary>Pause of <see cref="ArchiverService.RunAsync"/> after the outbox was drained.</summary>
    /// <value>1 second.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause of <see cref="ArchiverService.RunAsync"/> after the archive tier failed.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (BatchSize < 1) errors.Add($"{nameof(BatchSize)} must be at least 1");
        if (PollInterval <= TimeSpan.Zero) errors.Add($"{nameof(PollInterval)} must be positive");
        if (RetryDelay <= TimeSpan.Zero) errors.Add($"{nameof(RetryDelay)} must be positive");
        if (errors.Count > 0) throw new ArgumentException("Invalid ArchiverOptions: " + string.Join("; ", errors) + ".");
    }
}

/// <summary>What one <see cref="ArchiverService.RunOnceAsync"/> pass did.</summary>
/// <param name="Archived">Objects written to the archive tier and completed in the outbox.</param>
/// <param name="Dropped">Ids completed without a copy: no tier holds them (their write never reached the durable tier).</param>
/// <param name="Stuck">Ids left pending because every copy is corrupt.</param>
/// <param name="Pending">Ids still pending after the pass.</param>
/// <param name="Error">The archive (or source) failure that ended the pass early, if any.</param>
public sealed record ArchiveRunResult(int Archived, int Dropped, int Stuck, long Pending, Exception? Error)
{
    /// <summary>True when the pass ended without a backend failure.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// Copies objects from the durable tier (warm) to the archive tier (cold) of a <see cref="TieredObjectStore"/>,
/// driven by its <see cref="IOutbox"/>: take the oldest pending ids, read each verified (from the nearest good
/// tier), write them to the archive, check the archive holds them, then complete them in the outbox. A crash at any
/// point leaves the ids pending, so a restarted archiver copies them again (writes are idempotent): nothing is lost,
/// and nothing on the write path waits for the archive. Run <see cref="RunOnceAsync"/> from a scheduler or a test, or
/// <see cref="Start"/> a background loop.
/// </summary>
public sealed class ArchiverService : IAsyncDisposable
{
    private readonly TieredObjectStore _store;
    private readonly StorageTier _archive;
    private readonly IOutbox _outbox;
    private readonly ArchiverOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _runGate = new(1, 1);
    private CancellationTokenSource? _loopStop;
    private Task? _loop;

    /// <summary>Creates the archiver of <paramref name="store"/> (which must have an archive tier).</summary>
    /// <exception cref="ArgumentException">The store has no archive tier, or the options are invalid.</exception>
    public ArchiverService(TieredObjectStore store, ArchiverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _archive = store.ArchiveTier ?? throw new ArgumentException("The tiered store has no archive tier.", nameof(store));
        _outbox = store.Outbox!;
        _options = options ?? new ArchiverOptions();
        _options.Validate();
        _logger = store.LoggerFactory.CreateLogger("VersionStore.Tiered.Archiver");
    }

    /// <summary>Ids still to be archived.</summary>
    public long PendingCount => _outbox.PendingCount;

    /// <summary>Archives until the outbox is drained (or the archive fails). Passes do not overlap.</summary>
    public async Task<ArchiveRunResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _runGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runGate.Release();
        }
    }

    private async Task<ArchiveRunResult> RunCoreAsync(CancellationToken cancellationToken)
    {
        int archived = 0, dropped = 0;
        var stuck = new HashSet<ObjectId>();
        var inFlight = new HashSet<ObjectId>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var peek = await _outbox.PeekAsync(_options.BatchSize + stuck.Count + inFlight.Count, cancellationToken).ConfigureAwait(false);
            var batch = new List<ObjectId>();
            foreach (var id in peek)
            {
                if (stuck.Contains(id) || inFlight.Contains(id)) continue;
                // Appended to the outbox but not yet acknowledged by the durable tier: come back to it next pass.
                if (_store.IsWriteInFlight(id)) { inFlight.Add(id); continue; }
                batch.Add(id);
                if (batch.Count == _options.BatchSize) break;
            }
            if (batch.Count == 0) break;

            var objects = new List<EncodedObject>(batch.Count);
            var missing = new List<ObjectId>();
            foreach (var id in batch)
            {
                ReadOnlyMemory<byte>? data;
                try
                {
                    data = await _store.TryReadAsync(id, cancellationToken).ConfigureAwait(false);
                }
                catch (CorruptObjectException)
                {
                    TieredLog.ArchiveSourceCorrupt(_logger, id.ToString());
                    stuck.Add(id);
                    continue;
                }
                catch (BackendUnavailableException e)
                {
                    return Result(archived, dropped, stuck.Count, e);
                }
                if (data is null)
                {
                    TieredLog.ArchiveSourceMissing(_logger, id.ToString());
                    missing.Add(id);
                }
                else objects.Add(new EncodedObject(id, data.Value));
            }

            try
            {
                if (objects.Count > 0)
                {
                    await _archive.Store.WriteAsync(objects, cancellationToken).ConfigureAwait(false);
                    foreach (var o in objects)
                        if (!await _archive.Store.ContainsAsync(o.Id, cancellationToken).ConfigureAwait(false))
                            throw new BackendUnavailableException(_archive.Name, $"object {o.Id} is not in the archive after it acknowledged the write");
                }
            }
            catch (BackendUnavailableException e)
            {
                TieredLog.ArchiveUnavailable(_logger, _archive.Name, _outbox.PendingCount, e.Message);
                return Result(archived, dropped, stuck.Count, e);
            }

            await _outbox.CompleteAsync([.. objects.Select(o => o.Id), .. missing], cancellationToken).ConfigureAwait(false);
            archived += objects.Count;
            dropped += missing.Count;
            if (objects.Count > 0)
            {
                TieredDiagnostics.Archived.Add(objects.Count, new KeyValuePair<string, object?>("tier", _archive.Name));
                TieredLog.Archived(_logger, objects.Count, _archive.Name);
            }
        }
        return Result(archived, dropped, stuck.Count, null);
    }

    private ArchiveRunResult Result(int archived, int dropped, int stuck, Exception? error)
        => new(archived, dropped, stuck, _outbox.PendingCount, error);

    /// <summary>
    /// Runs passes until <paramref name="cancellationToken"/> is cancelled: after a drained outbox it waits
    /// <see cref="ArchiverOptions.PollInterval"/>, after a failure <see cref="ArchiverOptions.RetryDelay"/> (measured with the store's <see cref="TimeProvider"/>).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ArchiveRunResult result;
            try
            {
                result = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(result.Succeeded ? _options.PollInterval : _options.RetryDelay, _store.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Starts <see cref="RunAsync"/> in the background (once).</summary>
    public void Start()
    {
        if (_loop is not null) return;
        _loopStop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_loopStop.Token));
    }

    /// <summary>Stops the background loop started by <see cref="Start"/> and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_loop is null || _loopStop is null) return;
        await _loopStop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _loopStop.Dispose();
        _loop = null;
        _loopStop = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
