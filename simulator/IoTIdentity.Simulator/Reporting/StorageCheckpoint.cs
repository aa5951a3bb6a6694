namespace IoTIdentity.Simulator.Reporting;

/// <summary>Median, 99th percentile and maximum of timed operations, in milliseconds.</summary>
public sealed record LatencySummary(double P50, double P99, double Max);

/// <summary>What <c>iotid-sim storage-scale</c> measured at one fleet size.</summary>
/// <param name="Devices">Devices in the store.</param>
/// <param name="FillSeconds">Wall time to fill from the previous checkpoint to this one.</param>
/// <param name="Page">An inventory page of 100 from a random position.</param>
/// <param name="FilteredPage">The same, filtered by state.</param>
/// <param name="Lookup">One device's inventory record.</param>
/// <param name="StateRead">One device grain's state document.</param>
/// <param name="AuditByDevice">One page of the audit query by device, as the API runs it (through the index by subject).</param>
/// <param name="AuditByLogScan">The same page found by scanning the log from its start, as the API did before that index.</param>
/// <param name="StoreOpenMilliseconds">Opening the store (schema check and migrations included).</param>
/// <param name="ServiceStartMilliseconds">Starting the service on the file until it answered healthy, when measured.</param>
/// <param name="StoredBytes">What the stored fleet takes: for SQLite the database file with its WAL and shared-memory files.</param>
/// <param name="StoredBytesMeaning">What <paramref name="StoredBytes"/> counts (disk, or a test server's memory).</param>
public sealed record StorageCheckpoint(int Devices, double FillSeconds, LatencySummary Page, LatencySummary FilteredPage, LatencySummary Lookup,
    LatencySummary StateRead, LatencySummary AuditByDevice, LatencySummary AuditByLogScan, double StoreOpenMilliseconds,
    double? ServiceStartMilliseconds, long StoredBytes, string StoredBytesMeaning)
{
    /// <summary>Stored bytes per device.</summary>
    public double StoredBytesPerDevice => (double)StoredBytes / Devices;
}
