namespace IoTIdentity.DeviceAgent;

/// <summary>
/// The agent's configuration, section <c>Agent</c>: from <c>appsettings.json</c> beside the binary, then
/// <c>/etc/iotid-agent/appsettings.json</c>, then environment variables (<c>IOTID_Agent__Tpm=...</c>), then command
/// line flags (<c>--tpm</c>, <c>--broker-host</c>, ...), later sources winning.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Agent";

    /// <summary>
    /// Where the TPM is (<c>device:///dev/tpmrm0</c>, <c>tcti:tabrmd:bus_type=system</c> behind tpm2-abrmd,
    /// <c>swtpm://127.0.0.1:2321</c>, <c>mssim://...</c>). Behind a resource manager (the kernel's or a TCTI) the
    /// authenticated session's handshake is signed through OpenSSL's tpm2 provider; on a TPM that serves one client at a
    /// time, over the agent's own connection.
    /// </summary>
    public string Tpm { get; set; } = "device:///dev/tpmrm0";

    /// <summary>Which EK the device presents: <c>rsa</c> (RSA 2048, low range) or <c>ecc</c> (ECC P-384, high range).</summary>
    public string Ek { get; set; } = "rsa";

    /// <summary>
    /// A PEM file of the EK certificate's intermediate CAs; unset: those the TPM stores in its EK certificate chain NV
    /// range (0x01C00100...), if any.
    /// </summary>
    public string? EkIntermediatesPath { get; set; }

    /// <summary>The service's MQTT endpoint host (also the name its certificate must carry).</summary>
    public string BrokerHost { get; set; } = "localhost";

    /// <summary>The service's MQTT endpoint port.</summary>
    public int BrokerPort { get; set; } = 8883;

    /// <summary>TLS to the broker (default); plaintext only for development endpoints.</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>
    /// After enrolment, connect with the device certificate and its TPM key (TLS 1.3 client authentication, the TPM
    /// signing the handshake), so renewal, commands and tokens ride on an authenticated session (default). Off: every
    /// session is enrolment-only, which a service that requires authenticated sessions refuses renewal on.
    /// </summary>
    public bool AuthenticatedSessions { get; set; } = true;

    /// <summary>PEM file of the certificates the broker's chain must end in; unset: the system trust store.</summary>
    public string? TrustAnchorPath { get; set; }

    /// <summary>The state directory (identity generations, key blobs, the certificate).</summary>
    public string StateDirectory { get; set; } = "/var/lib/iotid-agent";

    /// <summary>
    /// The enrolment scope of the device's owner (<c>enrollmentScope</c> of <c>GET /api/v1/tenant</c>, or
    /// <c>{tenant}/{group}</c>): an unowned device naming it is resolved only within that tenant. Unset: the device
    /// enrols only where exactly one tenant's enrolments admit it.
    /// </summary>
    public string? EnrollmentScope { get; set; }

    /// <summary>
    /// The claim code printed on the device, presented in every register exactly as written (no trimming): an unowned
    /// device presenting the code whose SHA-256 a tenant's individual enrolment holds is that tenant's, even when other
    /// tenants' enrolments admit it too. A secret of the device's buyer: keep it in a file only root reads (the
    /// <c>--claim-code</c> flag shows in the process list). Unset: no code is presented.
    /// </summary>
    public string? ClaimCode { get; set; }

    /// <summary>The TCG firmware event log sent with each attestation, if the platform exposes one.</summary>
    public string? EventLogPath { get; set; }

    /// <summary>Spread added to the service's renewal time: up to this fraction of the remaining lifetime.</summary>
    public double RenewJitter { get; set; } = 0.1;

    /// <summary>First retry delay after a failed enrolment or renewal; doubles per failure (with jitter).</summary>
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest retry delay.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the daemon waits before trying again after a refusal that needs an operator (not enrolled, disabled,
    /// untrusted EK certificate, ...). A revocation is not retried: it waits for <c>iotid-agent enroll</c>.
    /// </summary>
    public TimeSpan RefusedRetry { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A shell command run after each new identity is stored (see <see cref="RenewalHook"/>), e.g. <c>systemctl reload mosquitto</c>.</summary>
    public string? OnRenewed { get; set; }

    /// <summary>
    /// The Unix socket where the daemon serves tokens to applications on the device (one JSON line in, one out; see
    /// docs/tokens.md), created with mode 0660; null for none. <c>iotid-agent token</c> asks through it when it exists.
    /// </summary>
    public string? TokenSocket { get; set; }

    /// <summary>How long one request to the service may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
