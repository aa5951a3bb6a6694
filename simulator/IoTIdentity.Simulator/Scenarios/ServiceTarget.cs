using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Simulator.Swtpm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The service the fleet enrols against: here, the service in-process on its embedded defaults, its dev tenant's
/// default group told to trust the fleet's manufacturer root (through its grains: this is the service's own host).
/// </summary>
public sealed class ServiceTarget : IServiceTarget
{
    private readonly WebApplication _app;
    private readonly string? _adminKey;

    private ServiceTarget(WebApplication app, string? adminKey)
    {
        _app = app;
        _adminKey = adminKey;
    }

    /// <summary>The service's services (inventory, grains), for checks.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>How devices reach the MQTT endpoint.</summary>
    public EnrollmentClientOptions ClientOptions
    {
        get
        {
            var mqtt = _app.Services.GetRequiredService<MqttEndpoint>();
            return new EnrollmentClientOptions { Host = "127.0.0.1", Port = mqtt.TlsPort, TrustAnchors = [mqtt.ServerCertificate], RequestTimeout = TimeSpan.FromSeconds(60) };
        }
    }

    /// <inheritdoc/>
    public TimeSpan? CpuTime => null;

    private ServiceApi? _api;

    /// <summary>
    /// The HTTP API with an owner-admin key of the dev tenant (the fleet's owner: it may transfer devices), created
    /// through its grain on first use.
    /// </summary>
    public async Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken)
    {
        if (_api is not null) return _api;
        if (Address is not { } address) return null;
        var key = await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("dev").CreateApiKeyAsync(ApiRole.OwnerAdmin, "simulator");
        return _api = new ServiceApi(address, key.Key);
    }

    /// <summary>
    /// The HTTP API with the service administrator key the target configured (<c>Provisioning:ServiceAdminKeyHash</c>
    /// of a key it made); null when the caller's settings configured another hash.
    /// </summary>
    public Task<ServiceApi?> GetAdminApiAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_adminKey is not null && Address is { } address ? new ServiceApi(address, _adminKey) : null);

    private Uri? Address => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } a ? new Uri(a) : null;

    /// <summary>Starts the service in-process and makes the dev tenant trust <paramref name="manufacturerRoot"/>.</summary>
    /// <param name="dataDirectory">The service's data directory.</param>
    /// <param name="manufacturerRoot">The root the dev tenant's default group must trust.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="allowedFirmware">When set, the only firmware release the group allows.</param>
    /// <param name="settings">Configuration that replaces the defaults below (e.g. fixed HTTP and MQTT ports).</param>
    public static async Task<ServiceTarget> StartInProcessAsync(string dataDirectory, byte[] manufacturerRoot, CancellationToken cancellationToken,
        FirmwareManifest? allowedFirmware = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Provisioning:DataDirectory"] = dataDirectory,
            ["Mqtt:TlsPort"] = "0",
            ["Mqtt:BindAddress"] = "127.0.0.1",
            ["Mqtt:DeviceRequestsPerWindow"] = "1000",
            ["Mqtt:AddressRequestsPerWindow"] = "1000000",
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
        };
        // the target is the service's configurer, so it holds the administrator key whose hash it configures
        var adminKey = ServiceAdminKeys.New();
        configuration["Provisioning:ServiceAdminKeyHash"] = Convert.ToHexString(ServiceAdminKeys.Hash(adminKey));
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        if (configuration["Provisioning:ServiceAdminKeyHash"] != Convert.ToHexString(ServiceAdminKeys.Hash(adminKey))) adminKey = null;
        var app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(configuration));
        await app.StartAsync(cancellationToken);
        var group = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IEnrollmentGroupGrain>("dev/default");
        var policy = await group.GetPolicyAsync() ?? new EnrollmentPolicy { TenantId = "dev", GroupId = "default" };
        if (!policy.TrustedRoots.Any(r => r.AsSpan().SequenceEqual(manufacturerRoot)))
            policy = await group.SetPolicyAsync(policy with { TrustedRoots = policy.TrustedRoots.Add(manufacturerRoot) });
        if (allowedFirmware is not null)
            await group.SetPolicyAsync(policy with { AllowedFirmware = [FirmwareRelease.From(allowedFirmware)] });
        return new ServiceTarget(app, adminKey);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
