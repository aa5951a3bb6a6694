using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Reports;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Sqlite;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A compliance report's walk over the audit log reads its pages and hashes every entry on the background lane, at the
/// CPU time requests leave, while the request goes on at its own priority; it still finds the first break.
/// </summary>
public sealed class ReportAuditLogTests : IDisposable
{
    private const int Page = StoreLimits.MaxPageSize;
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-report-walk-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(Page)]
    [InlineData(2 * Page + 1)]
    public async Task Every_entry_is_hashed_on_the_lane_and_the_report_goes_on_at_its_own_priority(int brokenAt)
    {
        using var sqlite = SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = Path.Combine(_directory, "s.db") });
        const int count = 2 * Page + 1;
        for (var i = 0; i < count; i++)
            await sqlite.AppendAuditAsync("t1", Event(i));
        var (store, hashedAt) = HashRecorder.Around(sqlite, alteredSequence: brokenAt);
        var callerPolicy = ThreadScheduling.Policy();
        Assert.NotEqual(BackgroundLane.IdlePolicy, callerPolicy);
        // a period holding the middle page (entries are a second apart); the one entry after it is what the report undoes
        var period = new ReportPeriod(Start.AddSeconds(Page), Start.AddSeconds(2 * Page));

        var (log, policyAfter) = await Task.Run(async () =>
        {
            var read = await ReportAuditLog.ReadAsync(store, "t1", period, anchor: null, new AuditCheckpointOutcome(null, null), CancellationToken.None);
            return (read, ThreadScheduling.Policy());
        });

        Assert.Equal((Page, 1), (log.InPeriod.Count, log.After.Count));
        if (brokenAt == 0)
        {
            Assert.True(log.Chain.Intact, log.Chain.ToString());
            Assert.Equal(count, log.Chain.EntriesChecked);
        }
        else
        {
            Assert.False(log.Chain.Intact, log.Chain.ToString());
            Assert.Equal(brokenAt, log.Chain.FirstBrokenSequence);
        }

        // every entry up to the first break was hashed, each on the lane under SCHED_IDLE (or nice 19 where refused)
        var hashed = brokenAt == 0 ? count : brokenAt;
        Assert.Equal(Enumerable.Range(1, hashed).Select(i => (long)i), hashedAt.Keys.Order());
        Assert.All(hashedAt, h => Assert.True(h.Value.Thread == BackgroundLane.ThreadName
            && (h.Value.Policy == BackgroundLane.IdlePolicy || h.Value.Nice == BackgroundLane.Nice), $"entry {h.Key}: {h.Value}"));
        Assert.Equal(callerPolicy, policyAfter);
    }

    private static AuditEvent Event(int i) => new()
    {
        Action = "enrol", Subject = $"d{i}", Outcome = "allowed", Actor = "test", At = Start.AddSeconds(i),
        Details = new Dictionary<string, string> { ["n"] = $"{i}" },
    };

    /// <summary>Forwards every call to a store; the entries it reads carry details that record on which thread, and under
    /// which policy, they were first read — the hash is the first reader — and one entry's details may be altered.</summary>
    public class HashRecorder : DispatchProxy
    {
        private IProvisioningStore _inner = null!;
        private ConcurrentDictionary<long, FirstRead> _firstReads = null!;
        private long _altered;

        public sealed record FirstRead(string? Thread, int Policy, int Nice);

        public static (IProvisioningStore Store, ConcurrentDictionary<long, FirstRead> FirstReads) Around(IProvisioningStore inner, long alteredSequence)
        {
            var store = Create<IProvisioningStore, HashRecorder>();
            var recorder = (HashRecorder)(object)store;
            recorder._inner = inner;
            recorder._firstReads = new ConcurrentDictionary<long, FirstRead>();
            recorder._altered = alteredSequence;
            return (store, recorder._firstReads);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var result = targetMethod.Invoke(_inner, args);
            return targetMethod.Name == nameof(IProvisioningStore.ReadAuditAsync)
                ? Recorded((Task<IReadOnlyList<AuditEntry>>)result!)
                : result;
        }

        private async Task<IReadOnlyList<AuditEntry>> Recorded(Task<IReadOnlyList<AuditEntry>> read) =>
            (await read).Select(e => e with
            {
                Event = e.Event with
                {
                    Details = new RecordingDetails(e.Event.Details!, () => _firstReads.TryAdd(e.Sequence,
                        new FirstRead(Thread.CurrentThread.Name, ThreadScheduling.Policy(), ThreadScheduling.Nice())),
                        altered: e.Sequence == _altered),
                },
            }).ToList();
    }

    /// <summary>Details that call <c>onRead</c> whenever they are read; altered, they show one more pair than were hashed.</summary>
    private sealed class RecordingDetails(IReadOnlyDictionary<string, string> inner, Action onRead, bool altered) : IReadOnlyDictionary<string, string>
    {
        private readonly IReadOnlyDictionary<string, string> _shown = altered
            ? new Dictionary<string, string>(inner) { ["altered"] = "yes" }
            : inner;

        public string this[string key] { get { onRead(); return _shown[key]; } }
        public IEnumerable<string> Keys { get { onRead(); return _shown.Keys; } }
        public IEnumerable<string> Values { get { onRead(); return _shown.Values; } }
        public int Count { get { onRead(); return _shown.Count; } }
        public bool ContainsKey(string key) { onRead(); return _shown.ContainsKey(key); }
        public bool TryGetValue(string key, out string value) { onRead(); return _shown.TryGetValue(key, out value!); }
        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() { onRead(); return _shown.GetEnumerator(); }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
