namespace VersionStore;

/// <summary>
/// Options of a <see cref="VersionStoreBuilder"/> that belong to no one backend: the mode, the repository options
/// (clock, logging, limits), the in-process cache, the tier breakers and the archiver. Every backend binds its own
/// options class in its own <c>Use…</c> extension. Bindable from configuration
/// (<see cref="VersionStoreBuilderExtensions.Configure(IVersionStoreBuilder, Microsoft.Extensions.Configuration.IConfiguration)"/>).
/// </summary>
public sealed class VersionStoreBuilderOptions
{
    /// <summary>The mode to build; null infers it from the parts (shared ref store → distributed; else remote object store → embedded with archive; else embedded).</summary>
    /// <value><c>null</c>.</value>
    public DeploymentMode? Mode { get; set; }

    /// <summary>Options of the repositories (limits, clock, logging). The clock and logging are used by every part.</summary>
    /// <value>Defaults of <see cref="VersionStoreOptions"/>.</value>
    public VersionStoreOptions Store { get; set; } = new();

    /// <summary>Bytes of the in-process object cache (the hottest tier, L1); 0: none. Set by <c>UseMemoryCache</c>.</summary>
    /// <value>0.</value>
    public long MemoryCacheBytes { get; set; }

    /// <summary>Consecutive failures after which a non-durable tier is skipped (its breaker opens).</summary>
    /// <value>3.</value>
    public int BreakerFailureThreshold { get; set; } = 3;

    /// <summary>How long a failing non-durable tier is skipped before one probe call.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan BreakerCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>File of the archive outbox (embedded with archive).</summary>
    /// <value><c>null</c>: <c>&lt;local data path&gt;.archive-outbox</c>, beside the database folder (in memory for a store not on disk).</value>
    public string? ArchiveOutboxPath { get; set; }

    /// <summary>Run the archiver loop in the background (embedded with archive).</summary>
    /// <value><c>true</c>.</value>
    public bool RunArchiver { get; set; } = true;

    /// <summary>Pause of the archiver after draining the outbox.</summary>
    /// <value>1 second.</value>
    public TimeSpan ArchiverPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal void AddProblems(List<string> problems)
    {
        if (Mode is { } m && !Enum.IsDefined(m)) problems.Add($"{nameof(Mode)} {(int)m} is unknown");
        if (Store is null) problems.Add($"{nameof(Store)} is required");
        else
        {
            try { Store.Validate(); }
            catch (ArgumentException e) { problems.Add(e.Message.TrimEnd('.')); }
        }
        if (MemoryCacheBytes < 0) problems.Add($"{nameof(MemoryCacheBytes)} cannot be negative");
        if (BreakerFailureThreshold < 1) problems.Add($"{nameof(BreakerFailureThreshold)} must be at least 1");
        if (BreakerCooldown < TimeSpan.Zero) problems.Add($"{nameof(BreakerCooldown)} cannot be negative");
        if (ArchiverPollInterval <= TimeSpan.Zero) problems.Add($"{nameof(ArchiverPollInterval)} must be positive");
        if (ArchiveOutboxPath is not null && string.IsNullOrWhiteSpace(ArchiveOutboxPath)) problems.Add($"{nameof(ArchiveOutboxPath)} cannot be blank");
    }
}
