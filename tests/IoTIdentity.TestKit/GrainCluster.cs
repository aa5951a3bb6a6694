using System.Collections.Concurrent;
using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Host.GrainStorage;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// The service's grains without the web host: an Orleans <see cref="TestCluster"/> of one silo with the grains'
/// own services, grain state and audit in a real SQLite store in a temp directory, and a device channel that records
/// what the grains ask of it (no MQTT endpoint runs). For tests of grain behaviour; end-to-end tests use
/// <see cref="ServiceFixture"/>.
/// </summary>
public sealed class GrainCluster : IAsyncLifetime
{
    private const string DataDirectoryKey = "IoTIdentityTest:DataDirectory";
    private const string DeviceIdleTimeKey = "IoTIdentityTest:DeviceIdleTime";

    public GrainCluster()
        : this(null)
    {
    }

    private GrainCluster(TimeSpan? deviceIdleTime)
    {
        DataDirectory = Directory.CreateTempSubdirectory("iotid-grains-").FullName;
        var builder = new TestClusterBuilder(1);
        builder.Properties[DataDirectoryKey] = DataDirectory;
        if (deviceIdleTime is { } idle) builder.Properties[DeviceIdleTimeKey] = idle.ToString("c");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
    }

    /// <summary>A cluster whose device grains are deactivated after <paramref name="deviceIdleTime"/> without a call, with
    /// Orleans looking for idle activations every second (for tests of deactivation; deploy and dispose it yourself).</summary>
    public static GrainCluster WithDeviceIdleTime(TimeSpan deviceIdleTime) => new(deviceIdleTime);

    /// <summary>The temp directory holding the SQLite store.</summary>
    public string DataDirectory { get; }

    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; }

    /// <summary>A grain factory of the cluster's client.</summary>
    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The silo's store (grain state, claims, inventory, audit).</summary>
    public IProvisioningStore Store => Silo.GetRequiredService<IProvisioningStore>();

    /// <summary>What the grains asked of the device channel.</summary>
    public RecordingDeviceSessions Sessions => Silo.GetRequiredService<RecordingDeviceSessions>();

    /// <summary>The silo's counter of anonymous refusals (to close its windows now instead of after the interval).</summary>
    public IoTIdentity.Provisioning.Grains.Audit.RefusalAggregator Refusals => Silo.GetRequiredService<IoTIdentity.Provisioning.Grains.Audit.RefusalAggregator>();

    /// <summary>A service of the silo (to check how it is wired).</summary>
    public T SiloService<T>() where T : notnull => Silo.GetRequiredService<T>();

    private IServiceProvider Silo => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder client) =>
            client.Services.AddSerializer(serializer => serializer.AddProtocolMessages());
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var directory = silo.Configuration[DataDirectoryKey] ?? throw new InvalidOperationException("no data directory configured");
            var services = silo.Services;
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(RandomNumberGenerator.Create());
            services.AddSingleton<IProvisioningStore>(_ => SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = Path.Combine(directory, "grains.db") }));
            services.AddSingleton(sp => new KeyEncryptionKeyRing(
                new KeyEncryptionKey("test", RandomNumberGenerator.GetBytes(KeyEncryptionKey.KeySizeInBytes)), [], sp.GetRequiredService<RandomNumberGenerator>()));
            services.AddSingleton<TenantCertificateAuthority>();
            services.AddSingleton<DeviceCertificateIssuer>();
            services.AddOptions<ProvisioningOptions>();
            services.AddProvisioningGrains();
            services.AddSingleton<RecordingDeviceSessions>();
            services.AddSingleton<IDeviceSessions>(sp => sp.GetRequiredService<RecordingDeviceSessions>());
            services.AddSerializer(serializer => serializer.AddProtocolMessages());
            services.AddKeyedSingleton<IGrainStorage>(ProvisioningStorage.Name, (sp, _) => ActivatorUtilities.CreateInstance<ProvisioningGrainStorage>(sp));
            if (silo.Configuration[DeviceIdleTimeKey] is { } idle)
            {
                services.Configure<ProvisioningOptions>(options => options.DeviceIdleTime = TimeSpan.Parse(idle, System.Globalization.CultureInfo.InvariantCulture));
                services.Configure<Orleans.Configuration.GrainCollectionOptions>(options => options.CollectionQuantum = TimeSpan.FromSeconds(1));
            }
        }
    }
}

/// <summary>
/// A device channel with no MQTT endpoint behind it: it records every session close and command it is asked for, and
/// answers which authenticated sessions a device holds from <see cref="LiveSessions"/> (a test sets them as the silos would
/// see them), recording each question.
/// </summary>
public sealed class RecordingDeviceSessions : IDeviceSessions
{
    /// <summary>The devices whose sessions were asked to close, in order.</summary>
    public ConcurrentQueue<string> Closed { get; } = new();

    /// <summary>The commands asked to be published: device id and payload.</summary>
    public ConcurrentQueue<(string DeviceId, byte[] Payload)> Commands { get; } = new();

    /// <inheritdoc/>
    public Task<int> CloseSessionsAsync(string deviceId)
    {
        Closed.Enqueue(deviceId);
        return Task.FromResult(0);
    }

    /// <inheritdoc/>
    public Task<bool> PublishCommandAsync(string deviceId, byte[] payload, CancellationToken cancellationToken = default)
    {
        Commands.Enqueue((deviceId, payload));
        return Task.FromResult(false);
    }

    /// <summary>The authenticated sessions each device holds, as the silos would answer; a device set to null is one a silo could not answer for.</summary>
    public ConcurrentDictionary<string, string[]?> LiveSessions { get; } = new();

    /// <summary>The questions about a device's sessions, in order: device id and whether its sessions were asked whether their peers are there.</summary>
    public ConcurrentQueue<(string DeviceId, bool AskLiveness)> SessionQuestions { get; } = new();

    /// <summary>Devices whose questions are answered only after this long (a silo that hangs).</summary>
    public ConcurrentDictionary<string, TimeSpan> AnswerDelays { get; } = new();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>?> AuthenticatedSessionsAsync(string deviceId, bool askLiveness)
    {
        SessionQuestions.Enqueue((deviceId, askLiveness));
        if (AnswerDelays.TryGetValue(deviceId, out var delay)) await Task.Delay(delay);
        return LiveSessions.TryGetValue(deviceId, out var live) ? live : [];
    }

    /// <summary>The revocations announced to the silos' CRL views: tenant and serials.</summary>
    public ConcurrentQueue<(string TenantId, IReadOnlyCollection<string> Serials)> Revoked { get; } = new();

    /// <inheritdoc/>
    public Task CertificatesRevokedAsync(string tenantId, IReadOnlyCollection<string> serialNumbers)
    {
        Revoked.Enqueue((tenantId, serialNumbers));
        return Task.CompletedTask;
    }
}
