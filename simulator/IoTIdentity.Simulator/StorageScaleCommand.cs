using System.Diagnostics;
using System.Security.Cryptography;
using IoTIdentity.Benchmarks;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.StorageScale;

namespace IoTIdentity.Simulator;

/// <summary>Which store <c>iotid-sim storage-scale</c> fills.</summary>
public enum StorageScaleStore
{
    /// <summary>The service's SQLite file in the data directory (kept: a later run goes on from it).</summary>
    Sqlite,

    /// <summary>A Cosmos DB test server started for the run (<c>@vercel/cosmosdb-server</c>, in memory: every run starts empty).</summary>
    Cosmos,
}

/// <summary>What the stored-state scale run uses.</summary>
/// <param name="DataDirectory">The service data directory (the SQLite file is filled there and kept, so a later run can go on from it).</param>
/// <param name="Checkpoints">Fleet sizes at which everything is measured, ascending; the last is the size filled to.</param>
/// <param name="Samples">Timed reads per figure at each checkpoint.</param>
/// <param name="StateBytes">Size of each device's grain state document.</param>
/// <param name="StartService">Also start the service on the store at each checkpoint and time it until healthy.</param>
/// <param name="Store">Which store to fill.</param>
/// <param name="CacheMegabytes">SQLite only: the service's <c>Storage:Sqlite:CacheMegabytes</c> for the measured store and the service start (null: its default).</param>
public sealed record StorageScaleOptions(string DataDirectory, IReadOnlyList<int> Checkpoints, int Samples = 500, int StateBytes = 1536, bool StartService = true,
    StorageScaleStore Store = StorageScaleStore.Sqlite, int? CacheMegabytes = null);

/// <summary>
/// <c>iotid-sim storage-scale</c>: fills the service's store through the write methods the service uses (per device the
/// device grain's state document, the EK claim, the inventory record and two audit entries, one tenant holding them
/// all — <see cref="FilledDevice"/>) — the SQLite file 10,000 devices per transaction, or a Cosmos DB test server — and
/// at each checkpoint measures what an operator's requests cost at that fleet size: an inventory page (unfiltered and
/// filtered by state) from a random position, a device lookup (inventory record and grain state), one page of the
/// audit query by device as the API runs it, the time to open the store and to start the service on it, and the
/// bytes per device.
/// </summary>
public static class StorageScaleCommand
{
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
        if (options.StateBytes is < 16 or > StoreLimits.MaxStateBytes)
            throw new ArgumentException($"a device's state must be 16 to {StoreLimits.MaxStateBytes} bytes (the inventory record carries its first 16 as a serial)");
        if (options.CacheMegabytes is not null && options.Store != StorageScaleStore.Sqlite)
            throw new ArgumentException("a page cache size applies to the SQLite store only");
        Directory.CreateDirectory(options.DataDirectory);
        await using var target = options.Store == StorageScaleStore.Cosmos
            ? (StorageScaleTarget)await CosmosScaleTarget.StartAsync(cancellationToken)
            : new SqliteScaleTarget(options.DataDirectory, options.CacheMegabytes);
        output.WriteLine($"IoTIdentity stored-state scale — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine(Machine.Describe(typeof(StorageScaleCommand).Assembly));
        output.WriteLine($"load average at start: {Machine.LoadAverage()}");
        output.WriteLine($"store: {target.Description}; one tenant; per device a {options.StateBytes}-byte grain state, an EK claim, an inventory record and 2 audit entries");
        var results = new List<StorageCheckpoint>();
        var state = RandomNumberGenerator.GetBytes(options.StateBytes);
        var filled = await target.CountAsync(cancellationToken);
        foreach (var size in options.Checkpoints)
        {
            var fillClock = Stopwatch.StartNew();
            if (filled < size)
            {
                await target.FillAsync(filled, size, state, cancellationToken);
                filled = size;
            }

            var fillSeconds = fillClock.Elapsed.TotalSeconds;
            var devices = filled;
            var random = new Random(devices);
            var store = await target.OpenAsync(cancellationToken);
            LatencySummary page, filtered, lookup, stateRead, audit, auditScan;
            long bytes;
            try
            {
                page = await TimeAsync(options.Samples, () => store.ListDevicesAsync(FilledDevice.Tenant, new DeviceQuery
                {
                    PageSize = 100, ContinuationToken = DeviceContinuationToken.Encode(FilledDevice.Tenant, FilledDevice.IdOf(random.Next(devices))),
                }, cancellationToken));
                filtered = await TimeAsync(options.Samples, () => store.ListDevicesAsync(FilledDevice.Tenant, new DeviceQuery
                {
                    PageSize = 100, State = "Active", ContinuationToken = DeviceContinuationToken.Encode(FilledDevice.Tenant, FilledDevice.IdOf(random.Next(devices))),
                }, cancellationToken));
                lookup = await TimeAsync(options.Samples, () => store.GetDeviceAsync(FilledDevice.Tenant, FilledDevice.IdOf(random.Next(devices)), cancellationToken));
                stateRead = await TimeAsync(options.Samples, () => store.ReadAsync(FilledDevice.StateKind, FilledDevice.IdOf(random.Next(devices)), cancellationToken));
                audit = await TimeAsync(options.Samples, () => AuditPageAsync(store, FilledDevice.IdOf(random.Next(devices)), false, cancellationToken));
                auditScan = await TimeAsync(Math.Max(1, options.Samples / 10), () => AuditPageAsync(store, FilledDevice.IdOf(random.Next(devices)), true, cancellationToken));
                bytes = target.StoredBytes(); // with the store open, as the service runs (SQLite's WAL included)
            }
            finally
            {
                StorageScaleTarget.Close(store);
            }

            // a fresh open, as the service's start does it (the measured one came right after the fill)
            var openClock = Stopwatch.StartNew();
            var reopened = await target.OpenAsync(cancellationToken);
            var open = openClock.Elapsed.TotalMilliseconds;
            StorageScaleTarget.Close(reopened);
            double? serviceStart = options.StartService ? await TimeServiceStartAsync(options.DataDirectory, target.ServiceArguments(), cancellationToken) : null;
            var checkpoint = new StorageCheckpoint(devices, fillSeconds, page, filtered, lookup, stateRead, audit, auditScan, open, serviceStart, bytes, target.StoredBytesMeaning);
            results.Add(checkpoint);
            Print(checkpoint, output);
        }
        output.WriteLine($"load average at end: {Machine.LoadAverage()}");
        return results;
    }

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
                ? await store.ReadAuditAsync(FilledDevice.Tenant, next, 500, cancellationToken)
                : await store.ReadAuditBySubjectAsync(FilledDevice.Tenant, deviceId, next, 500, cancellationToken);
            matches += batch.Count(e => e.Event.Subject == deviceId);
            scanned += batch.Count;
            if (batch.Count < 500) break;
            next = batch[^1].Sequence + 1;
        }
        return matches;
    }

    private static async Task<double> TimeServiceStartAsync(string dataDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("build the service first: dotnet build -c Release provisioning/IoTIdentity.Provisioning.Host (same configuration as iotid-sim)");
        var clock = Stopwatch.StartNew();
        await using var service = await ServiceProcess.StartAsync(serviceDll, dataDirectory, null, cancellationToken, arguments);
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
        output.WriteLine($"  {c.StoredBytesMeaning}: {c.StoredBytes / (1024.0 * 1024):F1} MiB, {c.StoredBytesPerDevice:F0} bytes per device");
    }
}
