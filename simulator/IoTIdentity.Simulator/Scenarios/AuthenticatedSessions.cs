using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// How a simulated device connects once it holds a certificate, as the agent does: on the session its certificate
/// authenticates (TLS client certificate, the device key signing the handshake), so renewals and tokens ride on it.
/// An emulated device's key signs in process (.NET's TLS); a swtpm device's key signs only inside its swtpm, so its
/// handshake is our own TLS 1.3 client's, the swtpm signing the <c>CertificateVerify</c> with TPM2_Sign
/// (<see cref="Fleet.TpmClientCertificate"/>). A certificate that has expired is not offered, and one the endpoint refuses (revoked, or its CA retired)
/// makes the device fall back to an enrolment-only session and enrol again — never a retry of the refused CONNECT.
/// </summary>
public static class AuthenticatedSessions
{
    /// <summary>Step name: time lost to an authenticated CONNECT the endpoint refused before the device fell back to enrolment.</summary>
    public const string Refused = "connect-refused";

    /// <summary>
    /// The client certificate <paramref name="device"/> would present for <paramref name="identity"/>: null when it has
    /// none to present (no identity, a certificate outside its validity, or a swtpm device key TLS 1.3 cannot use).
    /// </summary>
    public static SessionCredential? CertificateFor(Fleet fleet, FleetDevice device, EnrollmentResult? identity, DateTimeOffset now)
    {
        if (identity is null || now >= identity.Issued.NotAfter) return null;
        if (!fleet.IsEmulated)
            return fleet.TpmClientCertificate(device, identity) is { } tpmCertificate ? new SessionCredential(null, () => tpmCertificate) : null;
        return new SessionCredential(
            () => fleet.ClientCertificate(device, identity) ?? throw new InvalidOperationException($"no key for {device.DeviceId}'s certificate"), null);
    }

    /// <summary>
    /// Connects <paramref name="device"/> on its authenticated session when <paramref name="certificate"/> is given,
    /// else (or when the endpoint refuses that certificate) on an enrolment-only session. <paramref name="refused"/>
    /// hears how long a refused authenticated attempt took.
    /// </summary>
    public static async Task<EnrollmentClient> ConnectAsync(FleetDevice device, EnrollmentClientOptions client, SessionCredential? certificate,
        Action<TimeSpan>? refused, CancellationToken cancellationToken)
    {
        if (certificate is null) return await EnrollmentClient.ConnectAsync(device.DeviceId, client, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await EnrollmentClient.ConnectAsync(device.DeviceId, WithCertificate(client, certificate), cancellationToken);
        }
        catch (EnrollmentRefusedException)
        {
            refused?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return await EnrollmentClient.ConnectAsync(device.DeviceId, client, cancellationToken);
        }
    }

    /// <summary>
    /// The authenticated session of <paramref name="identity"/> for a flow that already holds the device's TPM (inside
    /// <see cref="Fleet.RunOnSlotAsync{T}"/>, or on a swtpm of its own): <paramref name="enrollment"/>'s TPM signs the
    /// handshake between the flow's own steps. A refused certificate is a refused CONNECT, not a fallback.
    /// </summary>
    public static Task<EnrollmentClient> ConnectHoldingTpmAsync(TpmEnrollment enrollment, EnrollmentResult identity, EnrollmentClientOptions client,
        CancellationToken cancellationToken) =>
        EnrollmentClient.ConnectAsync(identity.DeviceId, WithCertificate(client, new SessionCredential(null, () => enrollment.ClientCertificate(identity))), cancellationToken);

    /// <summary><paramref name="client"/>'s endpoint, trust and settings, presenting <paramref name="certificate"/>.</summary>
    public static EnrollmentClientOptions WithCertificate(EnrollmentClientOptions client, SessionCredential certificate)
    {
        var options = client.Copy();
        (options.ClientCertificate, options.TpmClientCertificate) = (certificate.Certificate, certificate.TpmCertificate);
        return options;
    }
}
