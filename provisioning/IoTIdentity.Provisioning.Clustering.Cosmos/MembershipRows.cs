using System.Globalization;
using Orleans;
using Orleans.Runtime;

namespace IoTIdentity.Provisioning.Clustering.Cosmos;

/// <summary>Converts between Orleans' <see cref="MembershipEntry"/> and the stored <see cref="MembershipRow"/>.</summary>
internal static class MembershipRows
{
    /// <summary>The row for <paramref name="entry"/>, with a fresh row ETag.</summary>
    public static MembershipRow ToRow(MembershipEntry entry) => new()
    {
        Silo = entry.SiloAddress.ToParsableString(),
        Etag = NewEtag(),
        Status = entry.Status.ToString(),
        SuspectTimes = entry.SuspectTimes?.Select(s => new MembershipSuspicion(s.Item1.ToParsableString(), Utc(s.Item2))).ToList(),
        ProxyPort = entry.ProxyPort,
        HostName = entry.HostName,
        SiloName = entry.SiloName,
        RoleName = entry.RoleName,
        UpdateZone = entry.UpdateZone,
        FaultZone = entry.FaultZone,
        StartTime = Utc(entry.StartTime),
        IAmAliveTime = Utc(entry.IAmAliveTime),
    };

    /// <summary>The entry a row holds, and the row's ETag.</summary>
    public static Tuple<MembershipEntry, string> ToEntry(MembershipRow row) => Tuple.Create(new MembershipEntry
    {
        SiloAddress = SiloAddress.FromParsableString(row.Silo),
        Status = Enum.Parse<SiloStatus>(row.Status),
        SuspectTimes = row.SuspectTimes?.Select(s => Tuple.Create(SiloAddress.FromParsableString(s.Silo), Utc(s.At))).ToList(),
        ProxyPort = row.ProxyPort,
        HostName = row.HostName!,
        SiloName = row.SiloName!,
        RoleName = row.RoleName,
        UpdateZone = row.UpdateZone,
        FaultZone = row.FaultZone,
        StartTime = Utc(row.StartTime),
        IAmAliveTime = Utc(row.IAmAliveTime),
    }, row.Etag);

    /// <summary>Whether the row is <paramref name="silo"/>'s (same endpoint and generation).</summary>
    public static bool IsFor(MembershipRow row, SiloAddress silo) =>
        SiloAddress.FromParsableString(row.Silo).Equals(silo);

    /// <summary>A fresh random ETag for a row or the table version.</summary>
    public static string NewEtag() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    /// <summary>Orleans hands out UTC times, sometimes with an unspecified kind; stored and read back as UTC.</summary>
    public static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };
}
