using System.Reflection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace VersionStore.OpenTelemetry.Tests;

/// <summary>
/// The log events of every package as a contract (docs/OPERATIONS.md, "Telemetry"): each package's event ids lie in
/// its own range, are unique, and keep their names (the logging method's name) — the pinned table below changes only
/// with a deliberate, documented rename.
/// </summary>
public sealed class EventIdTests
{
    private static readonly (Assembly Assembly, int From, int To)[] Ranges =
    [
        (typeof(RepositoryStore).Assembly, 1000, 1999),
        (typeof(RocksDbBackend).Assembly, 2000, 2999),
        (typeof(RedisBackend).Assembly, 3000, 3999),
        (typeof(S3.S3PackObjectStore).Assembly, 4000, 4999),
        (typeof(Releases.LiveChannel).Assembly, 5000, 5999),
        (typeof(AspNetCore.VersionStoreApiExtensions).Assembly, 6000, 6999),
    ];

    private static IEnumerable<(int Id, string Name)> Events(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (attribute.EventId, attribute.EventName ?? method.Name);

    [Fact]
    public void Every_package_logs_in_its_own_range_with_unique_ids()
    {
        foreach (var (assembly, from, to) in Ranges)
        {
            var events = Events(assembly).ToList();
            Assert.NotEmpty(events);
            Assert.All(events, e => Assert.InRange(e.Id, from, to));
            Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        }
    }

    [Fact]
    public void The_event_names_are_pinned()
    {
        var actual = Ranges.SelectMany(r => Events(r.Assembly)).OrderBy(e => e.Id).Select(e => $"{e.Id} {e.Name}").ToArray();
        Assert.Equal(Pinned, actual);
    }

    private static readonly string[] Pinned = [
        "1001 Committed",
        "1002 RolledBack",
        "1003 RollbackVerificationFailed",
        "1004 RefConflict",
        "1020 WatchFailed",
        "1401 CorruptCopy",
        "1402 Repaired",
        "1403 TierFailed",
        "1404 BreakerOpened",
        "1405 CopyFailed",
        "1410 ArchiveUnavailable",
        "1411 Archived",
        "1412 ArchiveSourceMissing",
        "1413 ArchiveSourceCorrupt",
        "1420 Demoted",
        "2001 Opened",
        "2002 OpenRefusedDamaged",
        "2003 OpenRefusedLocked",
        "2004 Closed",
        "2005 LayoutUpgraded",
        "2006 DamagedWriteTimes",
        "3001 ConnectionFailed",
        "3002 ConnectionRestored",
        "4001 PackUploaded",
        "4002 RequestFailed",
        "4003 IndexSkipped",
        "4004 ServedFromOtherPack",
        "5001 LogDecision",
        "5002 LogEvaluationFailed",
        "5010 LogChanged",
        "5011 LogStaleStart",
        "5012 LogPrefetchFailed",
        "5013 LogWatchRestart",
        "5014 LogHandlerFailed",
        "5030 LogDelivered",
        "5031 LogAttemptFailed",
        "5032 LogQueueFull",
        "5033 LogFollowFailed",
        "6001 LogPollFailed",
    ];
}
