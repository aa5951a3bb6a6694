using System.Net;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>What every refusal test asserts: the reason the device got, nothing issued, and the audit record.</summary>
public static class Refusals
{
    /// <summary>Runs <paramref name="attempt"/> and returns the refusal it must end in, with <paramref name="expected"/>.</summary>
    public static async Task<EnrollmentRefusedException> ExpectAsync(ProvisioningError expected, Func<Task> attempt)
    {
        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(attempt);
        Assert.Equal(expected, refusal.Error);
        return refusal;
    }

    /// <summary>
    /// The device holds no certificate: not in <paramref name="tenant"/>'s inventory, not Active in its grain, and the
    /// management API answers 404 for it (it was never enrolled).
    /// </summary>
    public static async Task AssertNothingIssuedAsync(ServiceFixture service, TestTenant tenant, string deviceId)
    {
        Assert.Null(await service.Store.GetDeviceAsync(tenant.TenantId, deviceId));
        var view = await service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId);
        Assert.True(view is null || view.Status != DeviceStatus.Active && view.CertificateSerial is null, $"device is {view?.Status} with serial {view?.CertificateSerial}");
        using var http = tenant.Http;
        using var response = await http.GetAsync($"/api/v1/devices/{deviceId}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The audit log <paramref name="log"/> (a tenant, or <see cref="AuditTrail.Unassigned"/>) records the refusal.</summary>
    public static async Task AssertAuditedAsync(ServiceFixture service, string log, string deviceId, ProvisioningError error)
    {
        var entries = await service.ReadAuditLogAsync(log);
        Assert.Contains(entries, e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{error}");
    }

    /// <summary>All three at once for a refusal the device grain made.</summary>
    public static async Task AssertRefusedAsync(ServiceFixture service, TestTenant tenant, string deviceId, ProvisioningError error, string auditLog)
    {
        await AssertNothingIssuedAsync(service, tenant, deviceId);
        await AssertAuditedAsync(service, auditLog, deviceId, error);
    }
}
