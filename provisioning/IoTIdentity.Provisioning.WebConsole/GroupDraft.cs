using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// An enrolment group as the groups page edits it: PCR policy and firmware policy as text, checked here so a mistake
/// is named before anything is sent (the API checks everything again), and the trusted roots as PEM.
/// </summary>
public sealed class GroupDraft
{
    /// <summary>The trusted TPM manufacturer roots (PEM each).</summary>
    public List<string> RootsPem { get; set; } = [];

    /// <summary>The PCR indices quoted, comma-separated.</summary>
    public string PcrIndices { get; set; } = "0,1,2,3,4,5,6,7";

    /// <summary>Allowed PCR values, one per line: <c>index=hex</c> (SHA-256, 64 hex digits).</summary>
    public string AllowedPcrValues { get; set; } = "";

    /// <summary>The allowed firmware releases, as the API's JSON array.</summary>
    public string AllowedFirmwareJson { get; set; } = "[]";

    /// <summary>Certificate lifetime in days.</summary>
    public double LifetimeDays { get; set; } = 30;

    /// <summary>The most devices the group admits (none: no limit).</summary>
    public int? Quota { get; set; }

    /// <summary>Whether the group admits devices.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether only individually enrolled devices are admitted.</summary>
    public bool IndividualOnly { get; set; }

    /// <summary>The group's device count (read only).</summary>
    public int DeviceCount { get; private set; }

    /// <summary>The draft of <paramref name="group"/>.</summary>
    public static GroupDraft From(EnrollmentGroup group) => new()
    {
        RootsPem = [.. group.TrustedRootsPem],
        PcrIndices = string.Join(',', group.PcrIndices),
        AllowedPcrValues = string.Join('\n', group.AllowedPcrValues.OrderBy(p => p.Key).SelectMany(p => p.Value.Select(v => $"{p.Key}={v}"))),
        AllowedFirmwareJson = JsonSerializer.Serialize(group.AllowedFirmware, new JsonSerializerOptions { WriteIndented = true }),
        LifetimeDays = Math.Round(group.CertificateLifetimeSeconds / 86400.0, 3),
        Quota = group.Quota,
        Enabled = group.Enabled,
        IndividualOnly = group.IndividualOnly,
        DeviceCount = group.DeviceCount,
    };

    /// <summary>The group to send, or the problems that keep it from being sent (each naming its field).</summary>
    public (EnrollmentGroup? Group, IReadOnlyList<string> Problems) ToGroup()
    {
        var problems = new List<string>();
        var indices = new List<int>();
        foreach (var part in PcrIndices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is >= 0 and <= 23) indices.Add(index);
            else problems.Add($"PCR indices: '{part}' is not a PCR index (0–23)");
        }
        if (indices.Count != indices.Distinct().Count()) problems.Add("PCR indices: an index is listed twice");
        var allowed = new Dictionary<int, List<string>>();
        foreach (var (line, number) in AllowedPcrValues.Split('\n').Select((l, i) => (l.Trim(), i + 1)).Where(l => l.Item1.Length > 0))
        {
            var at = line.IndexOf('=');
            if (at <= 0 || !int.TryParse(line[..at].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || !indices.Contains(index))
            {
                problems.Add($"Allowed PCR values, line {number}: write index=hex with an index from the PCR indices");
                continue;
            }
            var value = line[(at + 1)..].Trim().ToLowerInvariant();
            if (value.Length != 64 || !value.All(Uri.IsHexDigit))
            {
                problems.Add($"Allowed PCR values, line {number}: a SHA-256 PCR value is 64 hex digits");
                continue;
            }
            if (!allowed.TryGetValue(index, out var values)) allowed[index] = values = [];
            values.Add(value);
        }
        List<JsonElement> firmware = [];
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(AllowedFirmwareJson) ? "[]" : AllowedFirmwareJson);
            if (document.RootElement.ValueKind != JsonValueKind.Array) problems.Add("Allowed firmware: must be a JSON array of releases");
            else firmware = [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
        }
        catch (JsonException e)
        {
            problems.Add($"Allowed firmware: not JSON ({e.Message})");
        }
        if (LifetimeDays is <= 0 or > 3650) problems.Add("Certificate lifetime: 0–3650 days");
        if (Quota is < 0) problems.Add("Quota: must not be negative");
        foreach (var (pem, i) in RootsPem.Select((p, i) => (p, i)))
            if (TrustedRoot.Read(pem) is null) problems.Add($"Trusted root {i + 1}: not a PEM certificate");
        if (problems.Count > 0) return (null, problems);
        return (new EnrollmentGroup
        {
            TrustedRootsPem = RootsPem,
            PcrIndices = indices,
            AllowedPcrValues = allowed.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value),
            AllowedFirmware = firmware,
            CertificateLifetimeSeconds = (long)TimeSpan.FromDays(LifetimeDays).TotalSeconds,
            Quota = Quota,
            Enabled = Enabled,
            IndividualOnly = IndividualOnly,
        }, problems);
    }
}

/// <summary>A trusted root as the groups page shows it.</summary>
public sealed record TrustedRoot(string Subject, string Sha256Fingerprint, DateTimeOffset NotAfter)
{
    /// <summary>The root in <paramref name="pem"/>; null when it is not a PEM certificate.</summary>
    public static TrustedRoot? Read(string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return new TrustedRoot(certificate.Subject, Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), certificate.NotAfter.ToUniversalTime());
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
