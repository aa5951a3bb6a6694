namespace IoTIdentity.DeviceAgent.State;

/// <summary>
/// The class of an MQTT session the agent opened: <c>authenticated</c> (TLS with the device certificate and its TPM
/// key; renewal, commands and tokens ride on it) or <c>enrolment-only</c> (no client certificate: first boot, an
/// expired certificate, one the service refused, or a key that cannot sign a handshake), with the reason in words.
/// </summary>
/// <param name="Authenticated">Whether the session presented the device certificate.</param>
/// <param name="Serial">The certificate presented or refused (lowercase hex), if any.</param>
/// <param name="CertificateRefused">Whether the service refused that certificate: the agent does not present it again.</param>
/// <param name="At">When the session was opened.</param>
/// <param name="Reason">Why this class, in words.</param>
public sealed record SessionRecord(bool Authenticated, string? Serial, bool CertificateRefused, DateTimeOffset At, string Reason)
{
    /// <summary>The word for an authenticated session.</summary>
    public const string AuthenticatedClass = "authenticated";

    /// <summary>The word for an enrolment-only session.</summary>
    public const string EnrolmentOnlyClass = "enrolment-only";
}
