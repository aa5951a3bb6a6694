using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// Authenticates a command from the command topic against the device's stored identity: the checks of
/// <see cref="DeviceCommandVerifier"/> (shared with the simulator), with the issuing CA of the current certificate.
/// Without an identity no command can be checked, so none is accepted.
/// </summary>
public sealed class CommandVerifier
{
    /// <summary>Checks <paramref name="payload"/> against the issuing CA in <paramref name="identity"/>.</summary>
    public DeviceCommandVerdict Verify(ReadOnlySpan<byte> payload, StoredIdentity? identity, DateTimeOffset now) =>
        DeviceCommandVerifier.Verify(payload, identity?.Metadata.DeviceId, identity?.Metadata.CertificateChain, now);
}
