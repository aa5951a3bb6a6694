using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The report as JSON, and its digest: SHA-256 over the UTF-8 bytes of the report's compact JSON (camelCase, properties
/// in declaration order, times in UTC). The <c>format=json</c> document is <c>{"digest":…,"report":…}</c> with exactly
/// those bytes as <c>report</c>, so anyone can check the digest against it; the other formats print the same digest.
/// </summary>
public static class ComplianceReportJson
{
    /// <summary>The report's canonical JSON bytes.</summary>
    public static byte[] Canonical(ComplianceReport report) => JsonSerializer.SerializeToUtf8Bytes(report, ComplianceReportJsonContext.Default.ComplianceReport);

    /// <summary>The report's digest: lowercase hex SHA-256 of <see cref="Canonical"/>.</summary>
    public static string Digest(ComplianceReport report) => Convert.ToHexStringLower(SHA256.HashData(Canonical(report)));

    /// <summary>The <c>format=json</c> document: the digest and the report.</summary>
    public static byte[] Render(ComplianceReport report)
    {
        var canonical = Canonical(report);
        using var document = new MemoryStream();
        document.Write(Encoding.UTF8.GetBytes($"{{\"digest\":\"{Convert.ToHexStringLower(SHA256.HashData(canonical))}\",\"report\":"));
        document.Write(canonical);
        document.Write("}"u8);
        return document.ToArray();
    }
}

/// <summary>The report's JSON shape, generated at build time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ComplianceReport))]
internal sealed partial class ComplianceReportJsonContext : JsonSerializerContext;
