using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Puts a configuration change in the tenant's audit log after it was made: who made it (the API key id as the actor,
/// its role in the details) and what changed. A trusted manufacturer root added or removed is an entry of its own
/// (<see cref="AuditActions.RootTrusted"/>, <see cref="AuditActions.RootUntrusted"/>) whose subject is the root's SHA-256 fingerprint, so
/// "who trusted this root, and when" is a query by subject.
/// </summary>
public sealed class ConfigurationAudit(AuditTrail audit)
{
    /// <summary>The actor of changes made with the service administrator's key.</summary>
    public const string ServiceAdministrator = "service-admin";

    /// <summary>Records <paramref name="action"/> on <paramref name="subject"/> by the caller, with <paramref name="changes"/>.</summary>
    public Task RecordAsync(Caller caller, string action, string subject, IReadOnlyDictionary<string, string> changes) =>
        audit.RecordAsync(caller.TenantId, action, subject, "done", [], caller.Actor,
            new Dictionary<string, string>(changes) { ["role"] = caller.Role.ToString() });

    /// <summary>
    /// Records that the caller's <paramref name="action"/> on <paramref name="subject"/> was refused (outcome
    /// <c>refused:{error}</c>), with <paramref name="refusal"/>'s detail as <c>reason</c>. The detail is what the caller was
    /// told, so it never names another tenant.
    /// </summary>
    public Task RecordRefusedAsync(Caller caller, string action, string subject, Refusal refusal,
        IReadOnlyDictionary<string, string>? details = null) =>
        audit.RecordAsync(caller.TenantId, action, subject, $"refused:{refusal.Error}", [], caller.Actor,
            new Dictionary<string, string>(details ?? new Dictionary<string, string>()) { ["role"] = caller.Role.ToString(), ["reason"] = refusal.Detail });

    /// <summary>Records <paramref name="action"/> on <paramref name="tenantId"/>'s configuration by the service administrator.</summary>
    public Task RecordServiceAdminAsync(string tenantId, string action, IReadOnlyDictionary<string, string> changes) =>
        audit.RecordAsync(tenantId, action, tenantId, "done", [], ServiceAdministrator, changes);

    /// <summary>
    /// One entry per root in <paramref name="after"/> but not <paramref name="before"/> (trusted) and the reverse
    /// (untrusted), each naming its <paramref name="scope"/> (<c>group:{id}</c> or <c>tenant</c>), subject and expiry.
    /// </summary>
    public async Task RecordRootsAsync(Caller caller, string scope, IEnumerable<byte[]> before, IEnumerable<byte[]> after)
    {
        var old = before.DistinctBy(Fingerprint).ToDictionary(Fingerprint);
        var now = after.DistinctBy(Fingerprint).ToDictionary(Fingerprint);
        foreach (var (fingerprint, der) in now.Where(r => !old.ContainsKey(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal))
            await RecordAsync(caller, AuditActions.RootTrusted, fingerprint, Describe(scope, der));
        foreach (var (fingerprint, der) in old.Where(r => !now.ContainsKey(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal))
            await RecordAsync(caller, AuditActions.RootUntrusted, fingerprint, Describe(scope, der));
    }

    /// <summary>A certificate's SHA-256 fingerprint, lowercase hex: how roots are named in the log.</summary>
    public static string Fingerprint(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));

    /// <summary>How a list of roots shows in a change: their fingerprints, space-separated.</summary>
    public static string Fingerprints(IEnumerable<byte[]> roots) => string.Join(' ', roots.Select(Fingerprint));

    private static Dictionary<string, string> Describe(string scope, byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        return new Dictionary<string, string>
        {
            ["scope"] = scope,
            ["certificate-subject"] = certificate.Subject,
            ["not-after"] = certificate.NotAfter.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        };
    }
}
