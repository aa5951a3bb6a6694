using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Tenants;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The zero-config start: on first run creates the "dev" tenant (with its CA) and an owner-admin API key, printed
/// once to the console and stored only hashed, and — unless <see cref="ProvisioningOptions.ServiceAdminKeyHash"/> is
/// configured — a service administrator key, likewise; keeps a "default" group trusting the configured manufacturer roots;
/// and, once the service is listening, prints the new keys and where everything is as one block, after the libraries'
/// start-up lines rather than among them.
/// </summary>
internal sealed class DevBootstrap(IGrainFactory grains, IOptions<ProvisioningOptions> options, IDeviceChannel mqtt, IServer server, IHostApplicationLifetime lifetime) : IHostedService
{
    public const string DevTenant = "dev";
    public const string DefaultGroup = "default";

    private readonly List<string> _newKeys = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.BootstrapDevTenant)
        {
            var tenant = grains.GetGrain<ITenantGrain>(DevTenant);
            if (await tenant.CreateAsync("Development tenant"))
            {
                var key = await tenant.CreateApiKeyAsync(ApiRole.OwnerAdmin, "bootstrap");
                _newKeys.Add($"[iotid] created tenant '{DevTenant}'; its owner-admin API key (shown once, stored hashed):");
                _newKeys.Add($"[iotid]   {key.Key}");
            }
            if (string.IsNullOrWhiteSpace(settings.ServiceAdminKeyHash)
                && await grains.GetGrain<IServiceAdminGrain>(ServiceAdminGrain.Key).CreateKeyIfNoneAsync() is { } adminKey)
            {
                _newKeys.Add("[iotid] created the service administrator key (shown once, stored hashed; creates tenants):");
                _newKeys.Add($"[iotid]   {adminKey}");
            }
            var roots = settings.DevTrustedRootFiles.Select(LoadCertificate).ToImmutableList();
            if (roots.Count > 0)
            {
                var group = grains.GetGroupGrain(new GroupKey(DevTenant, DefaultGroup));
                var current = await group.GetPolicyAsync();
                await group.SetPolicyAsync((current ?? new EnrollmentPolicy { TenantId = DevTenant, GroupId = DefaultGroup }) with { TrustedRoots = roots });
            }
        }
        lifetime.ApplicationStarted.Register(() => PrintWhereEverythingIs(settings));
    }

    private void PrintWhereEverythingIs(ProvisioningOptions settings)
    {
        var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Console.WriteLine();
        foreach (var line in _newKeys) Console.WriteLine(line);
        Console.WriteLine($"[iotid] HTTP API: {string.Join(", ", urls)} (OpenAPI /openapi/v1.json, metrics /metrics, health /healthz)");
        Console.WriteLine(mqtt is MqttEndpoint endpoint
            ? $"[iotid] MQTT: TLS port {endpoint.TlsPort}{(endpoint.PlaintextPort is { } p ? $", plaintext port {p}" : "")}; server certificate {endpoint.DevCertificatePath ?? "(configured)"}"
            : $"[iotid] MQTT: client of the external broker {mqtt.Health.Broker} ({mqtt.Health.State})");
        Console.WriteLine($"[iotid] data: {Path.GetFullPath(settings.DataDirectory)} (Provisioning:DataDirectory)");
        Console.WriteLine("[iotid] ready");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static byte[] LoadCertificate(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text).RawData
            : File.ReadAllBytes(path);
    }
}
