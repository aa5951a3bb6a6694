using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>The services the grains use, one of each per silo (the host adds storage, certificates and <see cref="IDeviceSessions"/>).</summary>
public static class ProvisioningGrainServices
{
    /// <summary>
    /// Registers the resolver, the audit trail, revocation, device commands, metrics, the device grain's collaborators and
    /// idle time, monitoring, and grain interface types resolved once per interface (<see cref="CachedGrainInterfaceTypeProvider"/>).
    /// </summary>
    public static IServiceCollection AddProvisioningGrains(this IServiceCollection services)
    {
        CachedGrainInterfaceTypeProvider.Register(services);
        services.AddSingleton<StoredEnrollmentClaims>();
        services.AddSingleton<EnrollmentResolver>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<Audit.RefusalAggregator>();
        services.AddSingleton<DeviceCommandPublisher>();
        services.AddSingleton<ProvisioningMetrics>();
        services.AddSingleton<Revocations>();
        services.AddSingleton<DeviceLedger>();
        services.AddSingleton<CertificateHistory>();
        services.AddSingleton<ChallengeMaker>();
        services.AddSingleton<CertificateIssuance>();
        services.AddSingleton<DeviceAdministration>();
        services.AddSingleton<TpmLinks>();
        services.AddSingleton<FirmwareCompliance>();
        services.AddSingleton<DeviceHandover>();
        services.AddSingleton<DeviceQuarantine>();
        services.AddSingleton<DevicePresence>();
        services.AddSingleton<DeviceReattestation>();
        services.AddSingleton<Tokens.TokenIssuance>();
        services.AddOptions<ProvisioningOptions>().Validate(options => options.MaxValidCertificatesPerDevice > 0,
            $"{ProvisioningOptions.Section}:{nameof(ProvisioningOptions.MaxValidCertificatesPerDevice)} must be positive (how many unexpired certificates one device may hold).")
            .ValidateOnStart();
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<ProvisioningOptions>>((collection, provisioning) =>
            collection.ClassSpecificCollectionAge[typeof(DeviceGrain).FullName!] = provisioning.Value.DeviceIdleTime > TimeSpan.Zero
                ? provisioning.Value.DeviceIdleTime
                : throw new ArgumentOutOfRangeException(nameof(ProvisioningOptions.DeviceIdleTime), provisioning.Value.DeviceIdleTime,
                    $"{ProvisioningOptions.Section}:{nameof(ProvisioningOptions.DeviceIdleTime)} must be positive (how long an idle device grain stays in memory)."));
        // Orleans keeps a directory entry for every grain it looked up, a million by default: for device grains that
        // leave memory once enrolled (and come back days later), those are stale entries that only grow the heap the GC
        // marks — the largest population of objects in a silo after an enrolment burst. The last DirectoryCacheSize
        // lookups cover every grain a burst is still calling.
        services.Configure<GrainDirectoryOptions>(directory => directory.CacheSize = DirectoryCacheSize);
        return services.AddMonitoring();
    }

    /// <summary>How many grains' directory entries a silo keeps cached (Orleans' default is 1,000,000).</summary>
    public const int DirectoryCacheSize = 10_000;

    /// <summary>Registers the monitoring feed and its pump, the sweep, remediation, webhooks and metrics.</summary>
    private static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddOptions<MonitoringOptions>();
        services.AddSingleton<MonitoringMetrics>();
        services.AddSingleton<MonitoringFeed>();
        services.AddSingleton<InventorySweep>();
        services.AddSingleton<Remediator>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService<MonitoringPump>();
        return services;
    }
}
