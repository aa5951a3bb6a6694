using System.Net;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Console.Tests;

/// <summary><c>GET /api/v1/caller</c>, which sign-in reads the session's tenant and role from.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CallerApiTests(ConsoleFixture console)
{
    [Theory]
    [InlineData(ApiRole.Auditor)]
    [InlineData(ApiRole.Operator)]
    [InlineData(ApiRole.OwnerAdmin)]
    public async Task The_caller_route_names_the_keys_tenant_id_and_role_and_never_its_secret(ApiRole role)
    {
        var tenant = await console.Fleet.NewTenantAsync();
        var key = await console.Fleet.KeyAsync(tenant, role);
        using var api = new IotIdClient(console.Fleet.Service.BaseAddress, key);

        var caller = await api.GetCallerAsync();

        Assert.Equal((tenant.TenantId, role.ToString()), (caller.Value.TenantId, caller.Value.Role));
        Assert.StartsWith($"iotid.{tenant.TenantId}.{caller.Value.KeyId}.", key);
        Assert.DoesNotContain(key.Split('.').Last(), caller.Json);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("iotid.nosuchtenant.k1.c2VjcmV0")]
    [InlineData("garbage")]
    public async Task The_caller_route_is_401_without_a_valid_key(string? key)
    {
        using var api = new IotIdClient(console.Fleet.Service.BaseAddress, key);

        var refused = await Assert.ThrowsAsync<IotIdApiException>(() => api.GetCallerAsync());

        Assert.Equal((int)HttpStatusCode.Unauthorized, refused.Status);
    }
}
