using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.WebConsole;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Host.Api;
using IoTIdentity.Provisioning.Host.Channel;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Provisioning.Host.GrainStorage;
using IoTIdentity.Provisioning.Host.Monitoring;
using IoTIdentity.Provisioning.Host.Requests;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.Provisioning.Storage.Sqlite;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Orleans.Serialization;
using Orleans.Storage;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Builds the service: one process hosting an Orleans silo, the MQTT endpoint and the HTTP management API. With no
/// configuration it runs one silo on localhost clustering, SQLite in the data directory, TLS MQTT with a dev
/// certificate, and a dev tenant.
/// </summary>
public static class ProvisioningHost
{
    /// <summary>
    /// The configuration files are read once, at start: nothing in the service reacts to a changed setting, and watching
    /// for changes watches the whole working directory tree — by default also the data directory beneath it, so every
    /// SQLite commit (its write-ahead log and shared-memory files) woke a file-watcher thread. A later
    /// <c>--hostBuilder:reloadConfigOnChange=true</c> still turns it on.
    /// </summary>
    internal const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>
    /// Builds the application from command-line arguments (and appsettings/environment); <paramref name="configure"/>
    /// runs before the service's registrations (configuration), <paramref name="services"/> after them (to replace one).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        ThreadPoolFloor.Apply();
        var dev = args.Contains("--dev");
        var builder = WebApplication.CreateBuilder([NoConfigurationReload, .. args.Where(a => a != "--dev")]);
        AddBinaryDefaults(builder);
        if (dev) builder.Configuration.AddInMemoryCollection([new(ProductionRequirements.ModeKey, nameof(ServiceMode.Development))]);
        configure?.Invoke(builder);
        builder.AddProvisioning();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapProvisioningApi();
        return app;
    }

    /// <summary>
    /// The <c>appsettings.json</c> shipped beside the binary (ports, log levels), as the lowest layer: the host reads
    /// <c>appsettings.json</c> from the directory it is started in, which is not the binary's under <c>dotnet run
    /// --project</c> or an installed service, and without this layer the documented defaults (HTTP on 8080, quiet
    /// library logs) would silently not apply. A file in the working directory, environment variables and flags
    /// still override it; the data directory stays relative to the working directory.
    /// </summary>
    private static void AddBinaryDefaults(WebApplicationBuilder builder)
    {
        var binary = Path.GetFullPath(AppContext.BaseDirectory);
        if (Path.TrimEndingDirectorySeparator(binary) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(builder.Environment.ContentRootPath))) return;
        if (!File.Exists(Path.Combine(binary, "appsettings.json"))) return;
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json", Optional = true, ReloadOnChange = false,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(binary),
        });
    }

    /// <summary>The name of Kestrel's meter (connections, rejected connections, TLS handshakes).</summary>
    public const string KestrelMeterName = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>Registers every part of the service.</summary>
    public static WebApplicationBuilder AddProvisioning(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        ProductionRequirements.Enforce(configuration);
        ConnectionLimits.Configure(builder);
        var development = ProductionRequirements.ModeOf(configuration) == ServiceMode.Development;
        var options = configuration.GetSection(ProvisioningOptions.Section).Get<ProvisioningOptions>() ?? new ProvisioningOptions();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        builder.Services.Configure<ProvisioningOptions>(configuration.GetSection(ProvisioningOptions.Section));
        builder.Services.PostConfigure<MqttEndpointOptions>(mqtt =>
        {
            if (mqtt.DataDirectory == "data") mqtt.DataDirectory = dataDirectory;
        });

        ManagementHttps.Configure(builder, development, dataDirectory);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(RandomNumberGenerator.Create());
        // Storage:Provider = sqlite (default: one file in the data directory) | cosmos (Storage:Cosmos:*, see CosmosStoreOptions).
        var storageProvider = configuration["Storage:Provider"] ?? "sqlite";
        // read now, so a bad Storage:Sqlite:* value stops the build rather than the first grain that reaches the store
        var sqlite = storageProvider.Equals("sqlite", StringComparison.OrdinalIgnoreCase) ? SqliteStorageConfiguration.Options(configuration, dataDirectory) : null;
        builder.Services.AddSingleton<IProvisioningStore>(storageProvider.ToLowerInvariant() switch
        {
            "sqlite" => sp => SqliteProvisioningStore.Open(sqlite!, sp.GetRequiredService<IMeterFactory>()),
            // Opened on the thread pool: the first resolution can happen inside a grain turn, whose scheduler must not block.
            "cosmos" => _ => Task.Run(() => CosmosProvisioningStore.OpenAsync(ClusteringConfiguration.CosmosOptions(configuration)))
                .GetAwaiter().GetResult(),
            _ => throw new InvalidOperationException($"Storage:Provider '{storageProvider}' is neither 'sqlite' nor 'cosmos'."),
        });
        var configuredKek = configuration.GetSection(DevKeyEncryptionKey.Section).Get<KeyEncryptionKeyRingOptions>();
        var kek = development ? DevKeyEncryptionKey.LoadOrCreate(configuredKek, dataDirectory, out _) : configuredKek!;
        builder.Services.AddSingleton(sp => KeyEncryptionKeyRing.FromOptions(kek, sp.GetRequiredService<RandomNumberGenerator>()));
        builder.Services.AddSingleton(AuditCheckpointKeyFile.Load(configuration, dataDirectory, development));
        builder.Services.AddHostedService<AuditCheckpointer>();
        builder.Services.AddSingleton<TenantCertificateAuthority>();
        builder.Services.AddSingleton<DeviceCertificateIssuer>();
        builder.Services.AddProvisioningGrains();
        builder.Services.AddSingleton<Api.ConfigurationAudit>();
        builder.Services.AddSingleton<Reports.ComplianceReportBuilder>();
        builder.Services.AddSingleton<Api.IndividualEnrollments>();
        builder.Services.Configure<Api.BundleFetchOptions>(configuration.GetSection(Api.BundleFetchOptions.Section));
        builder.Services.AddSingleton<Api.BundleFetcher>();
        builder.Services.AddSingleton<Api.BundleRefresher>();
        builder.Services.AddHostedService<BundleRefreshService>();
        builder.Services.AddSingleton<ClusterDeviceChannel>();
        builder.Services.AddSingleton<IDeviceSessions>(sp => sp.GetRequiredService<ClusterDeviceChannel>());

        builder.UseOrleans(silo =>
        {
            // Orleans:Clustering = localhost (default) | cosmos; when it is set, Orleans applies it through the same provider.
            if (ClusteringConfiguration.AppliedByHost(configuration))
            {
                ClusteringConfiguration.Apply(silo, configuration);
            }
            silo.Services.AddSerializer(serializer => serializer.AddProtocolMessages());
            silo.Services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
            silo.Services.AddKeyedSingleton<IGrainStorage>(ProvisioningStorage.Name,
                (sp, _) => ActivatorUtilities.CreateInstance<ProvisioningGrainStorage>(sp));
        });

        builder.Services.AddSingleton<IDeviceRequestHandler, DeviceRequestHandler>();
        builder.Services.AddSingleton<RevocationView>();
        builder.Services.AddSingleton<ITenantTrustSource, GrainTenantTrustSource>();
        builder.Services.AddSingleton<IDeviceCertificateVerifier, TenantCaCertificateVerifier>();
        builder.Services.AddSingleton<IDeviceSessionObserver, SessionMonitoring>();
        builder.Services.Configure<MonitoringOptions>(configuration.GetSection(MonitoringOptions.Section));
        builder.Services.AddMqttEndpoint(configuration);
        builder.Services.AddHostedService<InventoryReindexer>();
        if (development) builder.Services.AddHostedService<DevBootstrap>();
        ConsoleAssets.UseBuildOutput(builder);
        builder.Services.AddFleetConsole(sp => ConsoleApiAddress.Resolver(sp, configuration));
        builder.Services.AddOpenApi();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        // /metrics exports this host's own meters (created through its IMeterFactory: MeterScope.Local), not every meter
        // of the name in the process: a second host in one process (tests run many) neither adds its measurements here
        // nor, when it stops and disposes its meters, ends these (OpenTelemetry's AddMeter matches by name alone,
        // open-telemetry/opentelemetry-dotnet#6412).
        // Kestrel's own meter too: its connections at the HTTP cap are counted there (kestrel_rejected_connections), not
        // logged one line each (appsettings.json quiets that category: a flood of connects would be a flood of lines)
        foreach (var meter in new[] { ProvisioningMetrics.MeterName, MqttEndpoint.MeterName, MonitoringMetrics.MeterName, SqliteProvisioningStore.MeterName, KestrelMeterName })
            builder.Metrics.EnableMetrics(meter, listenerName: "OpenTelemetry", scopes: MeterScope.Local);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        return builder;
    }
}
