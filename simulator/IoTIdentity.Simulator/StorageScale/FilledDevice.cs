using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Simulator.StorageScale;

/// <summary>
/// The rows one enrolled device leaves in the store, as the service writes them: its grain state document, its EK claim,
/// two audit entries (register, issue) and its inventory record. Every store is filled with exactly these.
/// </summary>
internal sealed record FilledDevice(string DeviceId, AuditEvent Register, AuditEvent Issue, DeviceRecord Record)
{
    /// <summary>The tenant every filled device belongs to (the worst case for per-tenant queries).</summary>
    public const string Tenant = "scale-tenant";

    /// <summary>The kind the device grain's state is stored under (grain type <c>device</c>, state <c>device</c>).</summary>
    public const string StateKind = "device.device";

    /// <summary>The claim scope of an EK.</summary>
    public const string EkScope = "ek";

    /// <summary>The <paramref name="index"/>-th filled device's id: hex SHA-256 of its index, like a real EK-derived id.</summary>
    public static string IdOf(int index) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(index.ToString(CultureInfo.InvariantCulture))));

    /// <summary>The <paramref name="index"/>-th device, its state <paramref name="state"/>, written at <paramref name="now"/>.</summary>
    public static FilledDevice Of(int index, byte[] state, DateTimeOffset now)
    {
        var deviceId = IdOf(index);
        return new FilledDevice(deviceId, Event("device.register", deviceId, now), Event("device.issue", deviceId, now),
            new DeviceRecord(Tenant, deviceId, index % 10 == 0 ? "Revoked" : "Active", "fw-1.0", Convert.ToHexString(state, 0, 16),
                now.AddDays(30), true, now, GroupId: $"group-{index % 4}", Tags: ["scale"], LastSeenAt: now));
    }

    private static AuditEvent Event(string action, string deviceId, DateTimeOffset at) =>
        new() { Action = action, Subject = deviceId, Outcome = "ok", Actor = "device", At = at, EvidenceDigest = deviceId };
}
