using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Transport;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.DeviceAgent.Session;

/// <summary>
/// Whether the agent's next MQTT session can be authenticated — TLS 1.3 with the current device certificate, the
/// handshake signed by its TPM-resident key — and, for a TPM OpenSSL can share, that certificate with its key. Two
/// routes sign the handshake:
/// <list type="bullet">
/// <item>a TPM behind a resource manager (<c>/dev/tpmrm0</c>, tpm2-abrmd): .NET's TLS with OpenSSL's tpm2 provider
/// (<see cref="OpenSslTpm2"/>), which loads the same TSS2 key file applications on the device use;</item>
/// <item>a TPM that serves one client at a time (a simulator socket, <c>/dev/tpm0</c>): the agent's own TLS 1.3 client
/// (<see cref="Enrollment.Tls.TpmClientCertificate"/>), which has the TPM sign over the agent's own connection to it, so
/// nothing else needs the TPM.</item>
/// </list>
/// </summary>
internal sealed class SessionCredentials(AgentOptions options, IdentityStore store, StateMarkers markers)
{
    /// <summary>
    /// The TCTI through which OpenSSL reaches the agent's TPM beside the agent itself, or why there is none: the kernel's
    /// resource manager (<c>device:///dev/tpmrm0</c>) or a TCTI endpoint (<c>tcti:tabrmd:…</c>) can be shared; a
    /// simulator socket or a raw <c>/dev/tpm0</c> serves one client at a time, and the agent signs the handshake itself.
    /// </summary>
    public static (string? Tcti, string? WhyNot) ProviderTcti(string tpm)
    {
        var endpoint = TpmTransportEndpoint.Parse(tpm);
        if (AgentTpm.IsSingleClient(endpoint))
            return (null, $"the TPM at {endpoint} serves one client at a time, so OpenSSL cannot use the device key beside the agent");
        return (endpoint.Kind == TpmTransportKind.Tcti ? endpoint.Tcti : "device:" + endpoint.DevicePath, null);
    }

    /// <summary>Whether the handshake is signed through OpenSSL's tpm2 provider (a shared TPM) rather than over the agent's own TPM connection.</summary>
    public bool ThroughOpenSsl => ProviderTcti(options.Tpm).Tcti is not null;

    /// <summary>Whether the service refused <paramref name="serial"/> before (it is then not presented again).</summary>
    public bool WasRefused(string? serial) => serial is not null && markers.Session is { CertificateRefused: true } last && last.Serial == serial;

    /// <summary>Why a session as <paramref name="deviceId"/> cannot present <paramref name="identity"/>'s certificate now; null when it can.</summary>
    public string? WhyNot(StoredIdentity? identity, string deviceId, DateTimeOffset now)
    {
        if (!options.AuthenticatedSessions) return "authenticated sessions are turned off (Agent:AuthenticatedSessions)";
        if (!options.UseTls) return "the broker connection is plaintext";
        if (identity is null) return "no certificate yet";
        var serial = identity.Metadata.SerialNumber;
        if (!string.Equals(identity.Metadata.DeviceId, deviceId, StringComparison.Ordinal)) return $"the certificate {serial} names another device";
        if (identity.IsExpired(now)) return $"the certificate {serial} expired at {identity.Metadata.NotAfter:o}";
        if (WasRefused(serial)) return $"the service refused the certificate {serial}; it is not presented again";
        var (tcti, _) = ProviderTcti(options.Tpm);
        if (tcti is null)
            return identity.DeviceKey.Public.Value.Parameters is TpmsEccParms { Curve: TpmEccCurve.NistP256 }
                ? null
                : $"the key of certificate {serial} is not ECC P-256, the only key the agent's own TLS client signs a handshake with";
        if (!OperatingSystem.IsLinux()) return "authenticated sessions on a shared TPM need OpenSSL's tpm2 provider (Linux)";
        if (!TssPrivateKey.IsDefaultParent(identity.SrkTemplate)) return $"the key of certificate {serial} is not under the default SRK, which OpenSSL re-creates";
        return OpenSslTpm2.Load(tcti);
    }

    /// <summary>The certificate of <paramref name="identity"/> with its TPM-resident key through OpenSSL, for one TLS handshake.</summary>
    public X509Certificate2 Certificate(StoredIdentity identity)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("authenticated sessions on a shared TPM need OpenSSL's tpm2 provider (Linux)");
        using var certificate = identity.LoadCertificate();
        using var key = OpenSslTpm2.LoadKey(store.StablePath(IdentityStore.KeyFile));
        return certificate.CopyWithPrivateKey(key);
    }
}
