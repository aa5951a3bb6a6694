using System.Security.Cryptography.X509Certificates;
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
/// default group told to trust the fleet's manufacturer root through the HTTP API, with the dev tenant's owner-admin key
/// the service printed on its first start in the data directory (kept there by the simulator for later starts).
/// </summary>
public sealed class ServiceTarget : IServiceTarget
{
    /// <summary>Where, in the data directory, the simulator keeps the dev tenant's owner-admin key the service printed once.</summary>
    public const string OwnerKeyFile = "simulator-dev-owner-admin.key";

    /// <summary>The dev tenant's group the fleet enrols into.</summary>
    public const string DevGroup = "default";

    private static readonly SemaphoreSlim StartGate = new(1, 1);
    private readonly WebApplication _app;
    private readonly ServiceApi? _api;
    private readonly string? _adminKey;

    private ServiceTarget(WebApplication app, ServiceApi? api, string? adminKey)
    {
        _app = app;
        _api = api;
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

    /// <summary>The MQTT endpoint's development TLS certificate (the file devices must trust), when it made one.</summary>
    public string? DevCertificatePath => _app.Services.GetRequiredService<MqttEndpoint>().DevCertificatePath;

    /// <inheritdoc/>
    public TimeSpan? CpuTime => null;

    /// <summary>
    /// The HTTP API with the dev tenant's owner-admin key (the fleet's owner: it may transfer devices); null when the
    /// data directory's dev tenant was made by a run that did not keep its key.
    /// </summary>
    public Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken) => Task.FromResult(_api);

    /// <summary>
    /// The HTTP API with the service administrator key the target configured (<c>Provisioning:ServiceAdminKeyHash</c>
    /// of a key it made); null when the caller's settings configured another hash.
    /// </summary>
    public Task<ServiceApi?> GetAdminApiAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_adminKey is not null && Address(_app) is { } address ? new ServiceApi(address, _adminKey) : null);

    private static Uri? Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } a ? new Uri(a) : null;

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
            ["Provisioning:Mode"] = "Development",
            ["Mqtt:TlsPort"] = "0",
            ["Mqtt:BindAddress"] = "127.0.0.1",
            ["Mqtt:DeviceRequestsPerWindow"] = "1000",
            ["Mqtt:AddressRequestsPerWindow"] = "1000000",
            // the whole simulated fleet connects from this one loopback address
            ["Mqtt:MaxConnectionsPerAddress"] = "1000000",
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
        };
        // the target is the service's configurer, so it holds the administrator key whose hash it configures
        var adminKey = ServiceAdminKeys.New();
        configuration["Provisioning:ServiceAdminKeyHash"] = Convert.ToHexString(ServiceAdminKeys.Hash(adminKey));
        // a fresh directory gets a dev tenant whose owner-admin key the service prints; a used one has the key kept beside
        // it, or (made by a run that kept none) its default group is told to trust the root by configuration instead
        var keyFile = Path.Combine(dataDirectory, OwnerKeyFile);
        var fresh = !Directory.Exists(dataDirectory) || !Directory.EnumerateFileSystemEntries(dataDirectory).Any();
        var keptKey = File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim() : null;
        if (!fresh && keptKey is null)
        {
            Directory.CreateDirectory(dataDirectory);
            var rootPath = Path.GetFullPath(Path.Combine(dataDirectory, "fleet-manufacturer-root.pem"));
            File.WriteAllText(rootPath, X509CertificateLoader.LoadCertificate(manufacturerRoot).ExportCertificatePem());
            configuration["Provisioning:DevTrustedRootFiles:0"] = rootPath;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        if (configuration["Provisioning:ServiceAdminKeyHash"] != Convert.ToHexString(ServiceAdminKeys.Hash(adminKey))) adminKey = null;
        var app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(configuration));
        // the console is the process's: one in-process start at a time, so the key read is this service's
        await StartGate.WaitAsync(cancellationToken);
        try
        {
            using var printed = PrintedKeys.Capture();
            await app.StartAsync(cancellationToken);
            if (printed.Keys.ApiKey is { } key)
            {
                keptKey = key;
                WriteKey(keyFile, key);
            }
        }
        finally
        {
            StartGate.Release();
        }

        var api = keptKey is not null && Address(app) is { } address ? new ServiceApi(address, keptKey) : null;
        if (api is not null)
            await RemoteTarget.TrustAsync(api, DevGroup, manufacturerRoot, allowedFirmware, mayChange: true, cancellationToken);
        else if (allowedFirmware is not null)
            throw new InvalidOperationException($"the dev tenant in {Path.GetFullPath(dataDirectory)} was made by a run that kept no owner-admin key "
                + $"({OwnerKeyFile}), so its allowed firmware cannot be set through the API: use a fresh data directory");
        return new ServiceTarget(app, api, adminKey);
    }

    /// <summary>Keeps the key readable by its owner only.</summary>
    private static void WriteKey(string path, string key)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options);
        writer.WriteLine(key);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
