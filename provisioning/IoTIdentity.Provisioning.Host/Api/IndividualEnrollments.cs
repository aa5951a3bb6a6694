using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// A tenant's individual enrolments as the API changes and lists them: one enrolment set (checked, then audited),
/// an import of many (each row on its own: a bad row is reported and changes nothing, the others go ahead), and the
/// paged list read from the tenant's <see cref="IndividualEnrollmentIndex"/>.
/// </summary>
public sealed class IndividualEnrollments(IGrainFactory grains, ConfigurationAudit audit)
{
    /// <summary>The most rows one import takes.</summary>
    public const int MaxImportRows = 1000;

    /// <summary>
    /// Enrols <paramref name="deviceId"/> in the caller's group <paramref name="groupId"/>; null when done, else the
    /// refusal: MalformedRequest (bad id or claim code hash), NotFound (no such group), Conflict (a device another
    /// tenant owns, naming no one, changing nothing, audited in the caller's log). Another tenant's enrolment for the
    /// device is its own slot and blocks nothing.
    /// </summary>
    public async Task<Refusal?> SetAsync(Caller caller, string? deviceId, string? groupId, bool enabled, string? claimCodeSha256)
    {
        if (deviceId is null || !DeviceIds.IsValid(deviceId)) return new Refusal(ProvisioningError.MalformedRequest, $"deviceId must be 1-{DeviceIds.MaxLength} lowercase hex digits");
        if (!TenantIds.IsValid(groupId)) return new Refusal(ProvisioningError.MalformedRequest, "groupId must be [a-z0-9-], 1-64 characters");
        byte[]? claimCodeHash = null;
        if (claimCodeSha256 is { } hex)
        {
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit)) return new Refusal(ProvisioningError.MalformedRequest, "claimCodeSha256 is 64 hex digits");
            claimCodeHash = Convert.FromHexString(hex);
        }
        if (await grains.GetGroupGrain(new GroupKey(caller.TenantId, groupId!)).GetPolicyAsync() is null)
            return new Refusal(ProvisioningError.NotFound, $"no such group {groupId}");
        // each tenant has its own slot: another tenant's enrolment for an unowned device blocks nothing
        if (await grains.GetGrain<IDeviceGrain>(deviceId).IsOwnedByAnotherTenantAsync(caller.TenantId))
        {
            var owned = new Refusal(ProvisioningError.Conflict, "the device belongs to another tenant");
            await audit.RecordRefusedAsync(caller, AuditActions.IndividualEnrollmentSet, deviceId, owned, new Dictionary<string, string> { ["group"] = groupId! });
            return owned;
        }
        await grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).SetAsync(caller.TenantId, groupId!, enabled, claimCodeHash);
        await audit.RecordAsync(caller, AuditActions.IndividualEnrollmentSet, deviceId, new Dictionary<string, string>
        {
            ["group"] = groupId!, ["enabled"] = enabled ? "true" : "false", ["claimCode"] = claimCodeHash is null ? "none" : "set",
        });
        return null;
    }

    /// <summary>Every row of <paramref name="import"/> enrolled or refused on its own, in order.</summary>
    public async Task<IndividualEnrollmentImportReport> ImportAsync(Caller caller, IndividualEnrollmentImport import)
    {
        var results = new List<IndividualEnrollmentImportResult>(import.Rows.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, index) in import.Rows.Select((r, i) => (r, i + 1)))
        {
            var (deviceId, refusal) = await ImportRowAsync(caller, row, import.GroupId, seen);
            results.Add(refusal is null
                ? new IndividualEnrollmentImportResult(index, deviceId, "enrolled")
                : new IndividualEnrollmentImportResult(index, deviceId, "refused", refusal.Error.ToString(), refusal.Detail));
        }
        return new IndividualEnrollmentImportReport(results.Count(r => r.Error is null), results.Count(r => r.Error is not null), results);
    }

    /// <summary>One page of the caller's individual enrolments in device id order, after <paramref name="after"/> (a device id, or null).</summary>
    public Task<Page<IndividualEnrollmentView>> ListAsync(Caller caller, string? after, int pageSize) =>
        DeviceIdShards.PageAsync(digit => IndividualEnrollmentIndex.Shard(grains, caller.TenantId, digit), after, pageSize, async ids =>
        {
            var enrollments = await Task.WhenAll(ids.Select(id => grains.GetGrain<IIndividualEnrollmentGrain>(id).GetAsync(caller.TenantId)));
            // an id whose enrolment is being written or was just deleted is in the index a moment longer: not listed
            return ids.Zip(enrollments).Where(e => e.Second is not null)
                .Select(e => new IndividualEnrollmentView(e.First, e.Second!.GroupId, e.Second.Enabled, e.Second.ClaimCodeHash is not null));
        }, v => v.DeviceId);

    private async Task<(string? DeviceId, Refusal? Refusal)> ImportRowAsync(Caller caller, IndividualEnrollmentImportRow? row, string? defaultGroup, HashSet<string> seen)
    {
        if (row is null) return (null, new Refusal(ProvisioningError.MalformedRequest, "empty row"));
        if (DeviceIdOf(row, out var problem) is not { } deviceId) return (null, new Refusal(ProvisioningError.MalformedRequest, problem));
        if (!seen.Add(deviceId)) return (deviceId, new Refusal(ProvisioningError.Conflict, "the device is already in an earlier row"));
        return (deviceId, await SetAsync(caller, deviceId, row.GroupId ?? defaultGroup, row.Enabled ?? true, row.ClaimCodeSha256));
    }

    /// <summary>The row's device id: as given, or derived from its EK certificate (both given: they must agree).</summary>
    private static string? DeviceIdOf(IndividualEnrollmentImportRow row, out string problem)
    {
        problem = "";
        if (row.EkCertificate is null)
        {
            if (row.DeviceId is null) problem = "a row needs a deviceId or an ekCertificate";
            return row.DeviceId;
        }
        if (ReadCertificate(row.EkCertificate) is not { } certificate)
        {
            problem = "ekCertificate is not a PEM or base64 DER certificate";
            return null;
        }
        using (certificate)
        {
            var derived = EkCertificateDeviceId.Of(certificate, out problem);
            if (derived is null || row.DeviceId is null || row.DeviceId == derived) return derived;
            problem = $"deviceId {row.DeviceId} is not the id of the EK certificate's key ({derived})";
            return null;
        }
    }

    private static X509Certificate2? ReadCertificate(string text)
    {
        try
        {
            return text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text.Trim()));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}
