using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>What an emulated device (the simulator's in-process TPM) does against the service: enrol, renew, open its authenticated session.</summary>
public static class EmulatedDeviceSteps
{
    /// <summary>Enrols <paramref name="device"/> (<c>mode=enroll</c>) over <paramref name="channel"/>.</summary>
    public static Task<EnrollmentResult> EnrolAsync(this Fleet fleet, FleetDevice device, IEnrollmentChannel channel) =>
        fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel), CancellationToken.None);

    /// <summary>Renews <paramref name="device"/>'s identity <paramref name="current"/> over <paramref name="channel"/> (its authenticated session).</summary>
    public static Task<EnrollmentResult> RenewAsync(this Fleet fleet, FleetDevice device, IEnrollmentChannel channel, EnrollmentResult current) =>
        fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).RenewAsync(channel, current.DeviceKey, current.Issued.SerialNumber),
            CancellationToken.None);

    /// <summary>The device's authenticated session, its certificate <paramref name="identity"/> presented with the emulated device key.</summary>
    public static Task<EnrollmentClient> ConnectAuthenticatedAsync(this ServiceFixture service, Fleet fleet, FleetDevice device, EnrollmentResult identity) =>
        service.ConnectAuthenticatedAsync(device.DeviceId,
            () => fleet.ClientCertificate(device, identity) ?? throw new InvalidOperationException("an emulated device has its key"));
}
