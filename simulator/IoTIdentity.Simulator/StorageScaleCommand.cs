using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Benchmarks;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Sqlite;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator;

/// <summary>What the stored-state scale run uses.</summary>
/// <param name="DataDirectory">The service data directory the SQLite file is filled in (kept, so a later run can go on from it).</param>
/// <param name="Checkpoints">Fleet sizes at which everything is measured, ascending; the last is the size filled to.</param>
/// <param name="Samples">Timed reads per figure at each checkpoint.</param>
/// <param name="StateBytes">Size of each device's grain state document.</param>
/// <param name="StartService">Also start the service on the file at each checkpoint and time it until healthy.</param>
public sealed record StorageScaleOptions(string DataDirectory, IReadOnlyList<int> Checkpoints, int Samples = 500, int StateBytes = 1536, bool StartService = true);

/// <summary>
/// <c>iotid-sim storage-scale</c>: fills the service's SQLite file through the write methods of the store the service
/// uses, 10,000 devices per transaction (<see cref="SqliteProvisioningStore.WriteBatchAsync"/>: the device grain's state document, the EK claim, the inventory record and two
/// audit entries per device, one tenant holding them all), and at each checkpoint measures what an operator's requests
/// cost at that fleet size: an inventory page (unfiltered and filtered by state) from a random position, a device
/// lookup (inventory record and grain state), one page of the audit query by device as the API runs it, the time to
/// open the store and to start the service on it, and the disk bytes per device.
/// </summary>
public static class StorageScaleCommand
{
    /// <summary>The tenant every filled device belongs to (the worst case for per-tenant queries).</summary>
    public const string Tenant = "scale-tenant";

    /// <summary>The kind the device grain's state is stored under (grain type <c>device</c>, state <c>device</c>).</summary>
    public const string DeviceStateKind = "device.device";

    /// <summary>Runs it; 0 when every checkpoint was measured.</summary>
    public static async Task<int> RunAsync(StorageScaleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var checkpoints = await MeasureAsync(options, output, cancellationToken);
        return checkpoints.Count == options.Checkpoints.Count ? 0 : 1;
    }

    /// <summary>Fills and measures, printing one block per checkpoint; returns what each checkpoint measured.</summary>
    public static async Task<IReadOnlyList<StorageCheckpoint>> MeasureAsync(StorageScaleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (options.Checkpoints.Count == 0 || options.Checkpoints.Any(c => c < 1) || !options.Checkpoints.SequenceEqual(options.Checkpoints.Order()))
            throw new ArgumentException("checkpoints must be positive and ascending");
        Directory.CreateDirectory(options.DataDirectory);
        var path = Path.Combine(options.DataDirectory, "iotidentity.db");
        output.WriteLine($"IoTIdentity stored-state scale — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine(Machine.Describe(typeof(StorageScaleCommand).Assembly));
        output.WriteLine($"load average at start: {Machine.LoadAverage()}");
        output.WriteLine($"store: {path}; one tenant; per device a {options.StateBytes}-byte grain state, an EK claim, an inventory record and 2 audit entries");
        var results = new List<StorageCheckpoint>();
        var filled = 0;
        foreach (var target in options.Checkpoints)
        {
            var fillClock = Stopwatch.StartNew();
            await using (var filling = SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = path, CacheMegabytes = FillCacheMegabytes }))
            {
                filled = Math.Max(filled, await CountAsync(filling, cancellationToken));
                await FillAsync(filling, filled, target, options.StateBytes, cancellationToken);
            }

            var fillSeconds = fillClock.Elapsed.TotalSeconds;

            // measured on a store opened as the service opens it (its default page cache)
            var openClock = Stopwatch.StartNew();
            var store = SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = path });
            var open = openClock.Elapsed.TotalMilliseconds;
            try
            {
                var devices = Math.Max(filled, target);
                filled = devices;
                var random = new Random(devices);
                var page = await TimeAsync(options.Samples, () => store.ListDevicesAsync(Tenant, new DeviceQuery
                {
                    PageSize = 100, ContinuationToken = DeviceContinuationToken.Encode(Tenant, DeviceIdOf(random.Next(devices))),
                }, cancellationToken));
                var filtered = await TimeAsync(options.Samples, () => store.ListDevicesAsync(Tenant, new DeviceQuery
                {
                    PageSize = 100, State = "Active", ContinuationToken = DeviceContinuationToken.Encode(Tenant, DeviceIdOf(random.Next(devices))),
                }, cancellationToken));
                var lookup = await TimeAsync(options.Samples, () => store.GetDeviceAsync(Tenant, DeviceIdOf(random.Next(devices)), cancellationToken));
                var state = await TimeAsync(options.Samples, () => store.ReadAsync(DeviceStateKind, DeviceIdOf(random.Next(devices)), cancellationToken));
                var audit = await TimeAsync(options.Samples, () => AuditPageAsync(store, DeviceIdOf(random.Next(devices)), false, cancellationToken));
                var auditScan = await TimeAsync(Math.Max(1, options.Samples / 10), () => AuditPageAsync(store, DeviceIdOf(random.Next(devices)), true, cancellationToken));
                var bytes = new[] { "", "-wal", "-shm" }.Select(s => new FileInfo(path + s)).Where(f => f.Exists).Sum(f => f.Length);
                await store.DisposeAsync();
                store = null;
                openClock.Restart();
                using (SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = path }))
                    open = openClock.Elapsed.TotalMilliseconds;
                double? serviceStart = options.StartService ? await TimeServiceStartAsync(options.DataDirectory, cancellationToken) : null;
                var checkpoint = new StorageCheckpoint(devices, fillSeconds, page, filtered, lookup, state, audit, auditScan, open, serviceStart, bytes);
                results.Add(checkpoint);
                Print(checkpoint, output);
            }
            finally
            {
                if (store is not null) await store.DisposeAsync();
            }
        }
        output.WriteLine($"load average at end: {Machine.LoadAverage()}");
        return results;
    }

    /// <summary>The <paramref name="index"/>-th filled device's id: hex SHA-256 of its index, like a real EK-derived id.</summary>
    public static string DeviceIdOf(int index) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(index.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static async Task<int> CountAsync(IProvisioningStore store, CancellationToken cancellationToken)
    {
        // the fill writes devices in index order, so the first missing index is the count (binary search on lookups)
        var (low, high) = (0, 1);
        while (await store.GetDeviceAsync(Tenant, DeviceIdOf(high - 1), cancellationToken) is not null) (low, high) = (high, high * 2);
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            if (await store.GetDeviceAsync(Tenant, DeviceIdOf(middle), cancellationToken) is not null) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    /// <summary>Devices written per transaction: one commit per batch instead of five per device.</summary>
    private const int FillBatch = 10_000;

    /// <summary>The filling store's page cache: about the size of the indexes at 1,000,000 devices, so a batch's random
    /// inserts find their pages in memory and write each once (with SQLite's 2 MiB they spill and re-read per row).</summary>
    private const int FillCacheMegabytes = 1024;

    private static async Task FillAsync(SqliteProvisioningStore store, int from, int to, int stateBytes, CancellationToken cancellationToken)
    {
        var state = RandomNumberGenerator.GetBytes(stateBytes);
        var now = DateTimeOffset.UtcNow;
        // in index order, whole batches committed at once (CountAsync relies on both); the rows each device gets are
        // the service's, written by the store's own write methods
        for (var start = from; start < to; start += FillBatch)
        {
            var end = Math.Min(to, start + FillBatch);
            await store.WriteBatchAsync(batch =>
            {
                for (var i = start; i < end; i++)
                {
                    var deviceId = DeviceIdOf(i);
                    batch.WriteState(DeviceStateKind, deviceId, state, null);
                    batch.TryClaim("ek", deviceId, deviceId);
                    batch.AppendAudit(Tenant, Event("device.register", deviceId, now));
                    batch.AppendAudit(Tenant, Event("device.issue", deviceId, now));
                    batch.UpsertDevice(new DeviceRecord(Tenant, deviceId, i % 10 == 0 ? "Revoked" : "Active", "fw-1.0", Convert.ToHexString(state, 0, 16),
                        now.AddDays(30), true, now, GroupId: $"group-{i % 4}", Tags: ["scale"], LastSeenAt: now));
                }
            }, cancellationToken);
        }
    }

    private static AuditEvent Event(string action, string deviceId, DateTimeOffset at) =>
        new() { Action = action, Subject = deviceId, Outcome = "ok", Actor = "device", At = at, EvidenceDigest = deviceId };

    /// <summary>
    /// One page of <c>GET /api/v1/audit?deviceId=…</c> as <c>AuditApi</c> runs it: batches of 500 until 100 matches or
    /// 10,000 entries read — read through the store's index by subject, or (<paramref name="scanLog"/>, how the API
    /// read before that index) the whole log from its start, filtered by subject.
    /// </summary>
    private static async Task<int> AuditPageAsync(IProvisioningStore store, string deviceId, bool scanLog, CancellationToken cancellationToken)
    {
        var (matches, scanned, next) = (0, 0, 1L);
        while (matches < 100 && scanned < Provisioning.Host.Api.AuditApi.ScanLimit)
        {
            var batch = scanLog
                ? await store.ReadAuditAsync(Tenant, next, 500, cancellationToken)
                : await store.ReadAuditBySubjectAsync(Tenant, deviceId, next, 500, cancellationToken);
            matches += batch.Count(e => e.Event.Subject == deviceId);
            scanned += batch.Count;
            if (batch.Count < 500) break;
            next = batch[^1].Sequence + 1;
        }
        return matches;
    }

    private static async Task<double> TimeServiceStartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("build the service first: dotnet build -c Release provisioning/IoTIdentity.Provisioning.Host (same configuration as iotid-sim)");
        var clock = Stopwatch.StartNew();
        await using var service = await ServiceProcess.StartAsync(serviceDll, dataDirectory, null, cancellationToken);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<LatencySummary> TimeAsync<T>(int samples, Func<Task<T>> read)
    {
        await read(); // warm: first use of a statement and its pages
        var times = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await read();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return new LatencySummary(ScenarioReport.At(times, 0.5), ScenarioReport.At(times, 0.99), times[^1]);
    }

    private static void Print(StorageCheckpoint c, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{c.Devices:N0} devices (filled up to here in {c.FillSeconds:F1} s)");
        output.WriteLine($"  inventory page (100, random position):       p50 {c.Page.P50:F2} ms  p99 {c.Page.P99:F2} ms  max {c.Page.Max:F2} ms   target p99 ≤ 20 ms");
        output.WriteLine($"  inventory page filtered by state:            p50 {c.FilteredPage.P50:F2} ms  p99 {c.FilteredPage.P99:F2} ms  max {c.FilteredPage.Max:F2} ms");
        output.WriteLine($"  device lookup (inventory record):            p50 {c.Lookup.P50:F2} ms  p99 {c.Lookup.P99:F2} ms  max {c.Lookup.Max:F2} ms   target ≤ 5 ms");
        output.WriteLine($"  device grain state read:                     p50 {c.StateRead.P50:F2} ms  p99 {c.StateRead.P99:F2} ms  max {c.StateRead.Max:F2} ms");
        output.WriteLine($"  audit query by device (one API page):        p50 {c.AuditByDevice.P50:F2} ms  p99 {c.AuditByDevice.P99:F2} ms  max {c.AuditByDevice.Max:F2} ms   target ≤ 20 ms");
        output.WriteLine($"  the same by scanning the log (before the index): p50 {c.AuditByLogScan.P50:F2} ms  p99 {c.AuditByLogScan.P99:F2} ms" +
            $"  (and a device's whole history took {Math.Ceiling(2.0 * c.Devices / Provisioning.Host.Api.AuditApi.ScanLimit):N0} such requests)");
        output.WriteLine($"  store open: {c.StoreOpenMilliseconds:F1} ms; service start until healthy: {(c.ServiceStartMilliseconds is { } s ? $"{s:F0} ms" : "not measured")}");
        output.WriteLine($"  disk: {c.DiskBytes / (1024.0 * 1024):F1} MiB, {c.DiskBytesPerDevice:F0} bytes per device");
    }
}
