using System.Net;
using System.Security.Cryptography;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Key-encryption-key rotation through the API: with the new key current and the old one previous, the service
/// administrator's rewrap reseals every tenant's CA and ownership keys, after which the service runs without the old key.
/// </summary>
public sealed class KeyRewrapTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("iotid-rewrap-").FullName;
    private readonly string _adminKey = ServiceAdminKeys.New();
    private readonly string _oldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private async Task<T> WithServiceAsync<T>(bool newCurrent, bool oldKept, Func<WebApplication, IotIdClient, Task<T>> use)
    {
        var keys = new Dictionary<string, string?>
        {
            ["Provisioning:ServiceAdminKeyHash"] = Convert.ToHexString(ServiceAdminKeys.Hash(_adminKey)),
            ["Provisioning:KeyEncryption:Current:KeyId"] = newCurrent ? "kek-new" : "kek-old",
            ["Provisioning:KeyEncryption:Current:Key"] = newCurrent ? _newKey : _oldKey,
        };
        if (oldKept)
        {
            keys["Provisioning:KeyEncryption:Previous:0:KeyId"] = "kek-old";
            keys["Provisioning:KeyEncryption:Previous:0:Key"] = _oldKey;
        }
        var app = ProvisioningHost.Build([], b => b.Configuration.AddInMemoryCollection(InProcessServiceSettings.For(_data, keys)));
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var admin = new IotIdClient(address, _adminKey);
            return await use(app, admin);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<string[]> EnvelopeKeyIdsAsync(WebApplication app, string tenantId)
    {
        var tenant = app.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenantId);
        var ca = (await tenant.GetCaAsync())!;
        var ownership = (await tenant.GetOwnershipKeyAsync())!;
        return [ProtectedKey.Decode(ca.ProtectedIssuingKey).KeyId, ProtectedKey.Decode(ca.ProtectedRootKey!).KeyId, ProtectedKey.Decode(ownership.ProtectedPrivateKey).KeyId];
    }

    private static async Task<HttpStatusCode> CrlStatusAsync(WebApplication app, string tenantId)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        return (await http.GetAsync($"/crl/{tenantId}.crl")).StatusCode;
    }

    [Fact]
    public async Task After_the_rewrap_every_tenant_key_is_sealed_by_the_new_key_and_the_old_key_can_go()
    {
        var tenants = new[] { "rewrap-a", "rewrap-b" };
        await WithServiceAsync(newCurrent: false, oldKept: false, async (_, admin) =>
        {
            foreach (var tenant in tenants) await admin.CreateTenantAsync(new CreateTenantRequest(tenant, tenant));
            return 0;
        });

        var result = await WithServiceAsync(newCurrent: true, oldKept: true, async (app, admin) =>
        {
            Assert.Equal(["kek-old", "kek-old", "kek-old"], await EnvelopeKeyIdsAsync(app, tenants[0]));
            var first = (await admin.RewrapKeysAsync()).Value;
            var again = (await admin.RewrapKeysAsync()).Value;
            foreach (var tenant in tenants) Assert.Equal(["kek-new", "kek-new", "kek-new"], await EnvelopeKeyIdsAsync(app, tenant));
            Assert.Equal(0, again.KeysResealed);
            return first;
        });
        Assert.Equal("kek-new", result.CurrentKeyId);
        Assert.Equal(2, result.Tenants);
        Assert.Equal(6, result.KeysResealed);

        await WithServiceAsync(newCurrent: true, oldKept: false, async (app, _) =>
        {
            foreach (var tenant in tenants) Assert.Equal(HttpStatusCode.OK, await CrlStatusAsync(app, tenant));
            return 0;
        });
    }

    [Fact]
    public async Task Without_the_rewrap_a_service_missing_the_old_key_cannot_use_the_tenant_CA()
    {
        await WithServiceAsync(newCurrent: false, oldKept: false, async (_, admin) =>
        {
            await admin.CreateTenantAsync(new CreateTenantRequest("norewrap", "norewrap"));
            return 0;
        });

        await WithServiceAsync(newCurrent: true, oldKept: false, async (app, _) =>
        {
            Assert.NotEqual(HttpStatusCode.OK, await CrlStatusAsync(app, "norewrap"));
            return 0;
        });
    }

    [Fact]
    public async Task Only_the_service_administrator_may_rewrap()
    {
        await WithServiceAsync(newCurrent: true, oldKept: true, async (app, admin) =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var anonymous = new IotIdClient(new Uri(address), null);
            using var wrong = new IotIdClient(new Uri(address), ServiceAdminKeys.New());
            Assert.Equal(401, (await Assert.ThrowsAsync<IotIdApiException>(() => anonymous.RewrapKeysAsync())).Status);
            Assert.Equal(401, (await Assert.ThrowsAsync<IotIdApiException>(() => wrong.RewrapKeysAsync())).Status);
            return 0;
        });
    }
}
