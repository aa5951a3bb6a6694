using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment.Tls;
using IoTIdentity.Protocol;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>Where and how an <see cref="EnrollmentClient"/> reaches the service's MQTT endpoint.</summary>
public sealed class EnrollmentClientOptions
{
    /// <summary>The broker's host name or address (also the name the server certificate must carry).</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The broker's port (8883 for TLS by convention).</summary>
    public int Port { get; set; } = 8883;

    /// <summary>TLS (default). Turn off only against an endpoint that allows plaintext, in development.</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>
    /// Certificates the server's chain must end in (the service's dev certificate or its root). Empty: the operating
    /// system's trust store decides.
    /// </summary>
    public X509Certificate2Collection TrustAnchors { get; set; } = [];

    /// <summary>A PEM file of trust anchors, added to <see cref="TrustAnchors"/> (e.g. the endpoint's <c>mqtt-dev-cert.pem</c>).</summary>
    public string? TrustAnchorPath { get; set; }

    /// <summary>
    /// INSECURE, for tests only: accept any server certificate. Anyone on the path could then impersonate the service.
    /// </summary>
    public bool InsecureSkipServerCertificateValidation { get; set; }

    /// <summary>
    /// Creates the device certificate, with its private key, that authenticates the TLS handshake (an enrolled device's
    /// authenticated session); called once per connect, and the certificate is disposed once connected. Null: no
    /// client certificate, which the endpoint admits to the enrolment-only class. A certificate the endpoint refuses
    /// (revoked, expired, another device's) is a refused CONNECT (<see cref="EnrollmentRefusedException"/>,
    /// NotAuthorized), never a silent downgrade.
    /// </summary>
    public Func<X509Certificate2>? ClientCertificate { get; set; }

    /// <summary>
    /// Creates the device certificate whose key only a TPM can use, and its signer (called once per connect, when
    /// <see cref="ClientCertificate"/> is null): the session is then opened by our own TLS 1.3 client
    /// (<see cref="TpmTlsStreamProvider"/>), the TPM signing the handshake's <c>CertificateVerify</c>, and is authenticated
    /// like one opened with <see cref="ClientCertificate"/> (a refused certificate is a refused CONNECT). For a process
    /// that drives TPMs through the TPM library: the simulator's swtpm devices, and the agent on a TPM that serves one
    /// client at a time (on a shared TPM it uses OpenSSL's tpm2 provider).
    /// </summary>
    public Func<TpmClientCertificate>? TpmClientCertificate { get; set; }

    /// <summary>
    /// The TLS versions offered; <see cref="SslProtocols.None"/> (default) leaves the choice to MQTTnet and the system. A client certificate
    /// whose key is in a TPM (OpenSSL's tpm2 provider) needs TLS 1.3.
    /// </summary>
    public SslProtocols TlsProtocols { get; set; } = SslProtocols.None;

    /// <summary>How long connecting may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the reply to a request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>MQTT keep-alive period.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A copy to change per connection (a client certificate) that shares this one's <see cref="BrokerTrust"/>, so its
    /// connections do not check the broker's chain again.
    /// </summary>
    public EnrollmentClientOptions Copy()
    {
        _ = BrokerTrust;
        return (EnrollmentClientOptions)MemberwiseClone();
    }

    private BrokerTrust? _brokerTrust;

    /// <summary>
    /// <see cref="TrustAnchors"/> and the anchors in <see cref="TrustAnchorPath"/>, loaded at the first connection and
    /// kept with the broker certificates already validated against them, so that every later connection made with
    /// these options checks the broker's chain once (in the TLS layer) instead of loading and checking it again.
    /// Changing the anchors after the first connection has no effect on these options.
    /// </summary>
    public BrokerTrust BrokerTrust => LazyInitializer.EnsureInitialized(ref _brokerTrust, () =>
    {
        var anchors = new X509Certificate2Collection(TrustAnchors);
        if (TrustAnchorPath is { } path) anchors.ImportFromPemFile(path);
        return new BrokerTrust(anchors);
    });
}
