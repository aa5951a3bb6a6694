using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>The services the grains use, one of each per silo (the host adds storage, certificates and <see cref="IDeviceSessions"/>).</summary>
public static class ProvisioningGrainServices
{
    /// <summary>Registers the resolver, the audit trail, revocation, device commands, metrics, and the device grain's collaborators.</summary>
    public static IServiceCollection AddProvisioningGrains(this IServiceCollection services)
    {
        services.AddSingleton<EnrollmentResolver>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<DeviceCommandPublisher>();
        services.AddSingleton<ProvisioningMetrics>();
        services.AddSingleton<Revocations>();
        services.AddSingleton<DeviceLedger>();
        services.AddSingleton<ChallengeMaker>();
        services.AddSingleton<CertificateIssuance>();
        services.AddSingleton<DeviceAdministration>();
        services.AddSingleton<FirmwareCompliance>();
        services.AddSingleton<DeviceHandover>();
        services.AddSingleton<Tokens.TokenIssuance>();
        return services;
    }
}
