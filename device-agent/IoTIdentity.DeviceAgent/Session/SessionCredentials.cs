using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.DeviceAgent.Session;

/// <summary>
/// Whether the agent's next MQTT session can be authenticated — TLS with the current device certificate and its TPM
/// key, through OpenSSL's tpm2 provider (<see cref="OpenSslTpm2"/>) — and, when it can, that certificate with its key.
/// </summary>
internal sealed class SessionCredentials(AgentOptions options, IdentityStore store, StateMarkers markers)
{
    /// <summary>
    /// The TCTI through which OpenSSL reaches the agent's TPM beside the agent itself, or why there is none: the kernel's
    /// resource manager (<c>device:///dev/tpmrm0</c>) or a TCTI endpoint (<c>tcti:tabrmd:…</c>) can be shared; a
    /// simulator socket or a raw <c>/dev/tpm0</c> serves one client at a time.
    /// </summary>
    public static (string? Tcti, string? WhyNot) ProviderTcti(string tpm)
    {
        var endpoint = TpmTransportEndpoint.Parse(tpm);
        return endpoint.Kind switch
        {
            TpmTransportKind.Tcti => (endpoint.Tcti, null),
            TpmTransportKind.Device when endpoint.DevicePath!.Contains("tpmrm", StringComparison.Ordinal) => ("device:" + endpoint.DevicePath, null),
            _ => (null, $"the TPM at {endpoint} serves one client at a time, so OpenSSL cannot use the device key beside the agent " +
                "(use device:///dev/tpmrm0, or tcti:tabrmd:bus_type=system behind tpm2-abrmd)"),
        };
    }

    /// <summary>Whether the service refused <paramref name="serial"/> before (it is then not presented again).</summary>
    public bool WasRefused(string? serial) => serial is not null && markers.Session is { CertificateRefused: true } last && last.Serial == serial;

    /// <summary>Why a session as <paramref name="deviceId"/> cannot present <paramref name="identity"/>'s certificate now; null when it can.</summary>
    public string? WhyNot(StoredIdentity? identity, string deviceId, DateTimeOffset now)
    {
        if (!options.AuthenticatedSessions) return "authenticated sessions are turned off (Agent:AuthenticatedSessions)";
        if (!options.UseTls) return "the broker connection is plaintext";
        if (!OperatingSystem.IsLinux()) return "authenticated sessions need OpenSSL's tpm2 provider (Linux)";
        if (identity is null) return "no certificate yet";
        var serial = identity.Metadata.SerialNumber;
        if (!string.Equals(identity.Metadata.DeviceId, deviceId, StringComparison.Ordinal)) return $"the certificate {serial} names another device";
        if (identity.IsExpired(now)) return $"the certificate {serial} expired at {identity.Metadata.NotAfter:o}";
        if (WasRefused(serial)) return $"the service refused the certificate {serial}; it is not presented again";
        if (!TssPrivateKey.IsDefaultParent(identity.SrkTemplate)) return $"the key of certificate {serial} is not under the default SRK, which OpenSSL re-creates";
        var (tcti, whyNot) = ProviderTcti(options.Tpm);
        return tcti is null ? whyNot : OpenSslTpm2.Load(tcti);
    }

    /// <summary>The certificate of <paramref name="identity"/> with its TPM-resident key, for one TLS handshake.</summary>
    public X509Certificate2 Certificate(StoredIdentity identity)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("authenticated sessions need OpenSSL's tpm2 provider (Linux)");
        using var certificate = identity.LoadCertificate();
        using var key = OpenSslTpm2.LoadKey(store.StablePath(IdentityStore.KeyFile));
        return certificate.CopyWithPrivateKey(key);
    }
}
