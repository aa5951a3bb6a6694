using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Protocol.Ownership;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// A device's ownership record verified in the console, as <c>iotid ownership verify --fetch-keys</c> does: every
/// entry's signature and hash link checked with the owners' keys read from the service's public ownership-key route
/// (not the keys the document carries).
/// </summary>
public static class OwnershipCheck
{
    /// <summary>The record of <paramref name="deviceId"/> and its verification.</summary>
    public static async Task<(OwnershipDocumentSummary Summary, OwnershipVerification Result)> VerifyAsync(IotIdClient api, string deviceId,
        CancellationToken cancellationToken = default)
    {
        var exported = await api.GetOwnershipDocumentAsync(deviceId, cancellationToken);
        var document = OwnershipDocument.Parse(Encoding.UTF8.GetBytes(exported.Json));
        var tenants = exported.Value.Entries.SelectMany(e => new[] { e.OwnerTenantId, e.NextOwnerTenantId, e.SignerTenantId })
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        try
        {
            foreach (var tenantId in tenants)
            {
                var key = ECDsa.Create();
                key.ImportFromPem(await api.GetOwnershipKeyAsync(tenantId, cancellationToken));
                keys[tenantId] = key;
            }
            return (exported.Value, OwnershipChainVerifier.Verify(document, keys));
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }
}
