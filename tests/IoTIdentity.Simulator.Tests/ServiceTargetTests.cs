using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The in-process target sets the service up only through what the service offers a user: the owner-admin key it
/// prints on a first start (kept in the data directory for later starts), and the HTTP API.
/// </summary>
public sealed class ServiceTargetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-target-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 120_000)]
    public async Task A_second_start_in_the_same_data_directory_has_the_dev_owner_key_again_and_keeps_the_trusted_roots()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var data = Path.Combine(_directory, "data");
        using var first = SelfSignedRoot("CN=first manufacturer");
        using var second = SelfSignedRoot("CN=second manufacturer");
        await using (var service = await ServiceTarget.StartInProcessAsync(data, first.RawData, timeout.Token))
            Assert.NotNull(await service.GetApiAsync(timeout.Token));

        await using var again = await ServiceTarget.StartInProcessAsync(data, second.RawData, timeout.Token);
        var api = await again.GetApiAsync(timeout.Token);

        Assert.NotNull(api);
        Assert.True(File.Exists(Path.Combine(data, ServiceTarget.OwnerKeyFile)));
        using var client = api.CreateIotIdClient();
        var key = Assert.Single((await client.ListApiKeysAsync(timeout.Token)).Value.Items);
        Assert.Equal("OwnerAdmin", key.Role);
        var group = (await client.GetGroupAsync(ServiceTarget.DevGroup, timeout.Token)).Value;
        Assert.Equal(2, group.TrustedRootsPem.Count);
        Assert.Contains(group.TrustedRootsPem, pem => X509Certificate2.CreateFromPem(pem).RawData.AsSpan().SequenceEqual(first.RawData));
        Assert.Contains(group.TrustedRootsPem, pem => X509Certificate2.CreateFromPem(pem).RawData.AsSpan().SequenceEqual(second.RawData));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_data_directory_whose_dev_key_was_not_kept_trusts_the_root_by_configuration_and_offers_no_API_key()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var data = Path.Combine(_directory, "data");
        using var root = SelfSignedRoot("CN=manufacturer");
        await using (var service = await ServiceTarget.StartInProcessAsync(data, root.RawData, timeout.Token))
            Assert.NotNull(await service.GetApiAsync(timeout.Token));
        File.Delete(Path.Combine(data, ServiceTarget.OwnerKeyFile));

        await using var again = await ServiceTarget.StartInProcessAsync(data, root.RawData, timeout.Token);

        Assert.Null(await again.GetApiAsync(timeout.Token));
        var configured = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "fleet-manufacturer-root.pem"), timeout.Token));
        Assert.Equal(root.RawData, configured.RawData);
        var admin = await again.GetAdminApiAsync(timeout.Token);
        using var http = admin!.CreateClient();
        using var tenant = JsonDocument.Parse(await http.GetStringAsync("/api/v1/tenants/dev", timeout.Token));
        Assert.Equal("dev", tenant.RootElement.GetProperty("tenantId").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/enrollment-groups/default", timeout.Token)).StatusCode);
    }

    private static X509Certificate2 SelfSignedRoot(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }
}
