namespace IoTIdentity.Provisioning.Grains;

/// <summary>Service settings (configuration section "Provisioning").</summary>
public sealed class ProvisioningOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Provisioning";

    /// <summary>Where the SQLite file, the dev TLS certificate and the dev key-encryption key live.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>
    /// How long a challenge is accepted. A challenge lives only in its device's grain activation, which therefore stays
    /// in memory at least this long after each accepted register (whatever <see cref="DeviceIdleTime"/> says).
    /// </summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The base URL devices and relying parties reach the HTTP API at (for CRL distribution points).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:8080";

    /// <summary>How long a CRL is valid; it is rebuilt at half of this, or when revocations change.</summary>
    public TimeSpan CrlValidity { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Create a "dev" tenant with an admin key, a group trusting <see cref="DevTrustedRootFiles"/>, on first start.</summary>
    public bool BootstrapDevTenant { get; set; } = true;

    /// <summary>
    /// The service administrator's key (<c>iotid-admin.{secret}</c>) as lowercase or uppercase hex SHA-256 of the whole key
    /// string. When empty, the key <see cref="BootstrapDevTenant"/> created on first start (stored hashed) is used.
    /// </summary>
    public string? ServiceAdminKeyHash { get; set; }

    /// <summary>The window anonymous refusals are counted in (<see cref="Audit.RefusalAggregator"/>).</summary>
    public TimeSpan RefusalAuditInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many refusals of one source, operation and reason a window audits one by one before counting the rest into one entry.</summary>
    public int RefusalAuditIndividualLimit { get; set; } = 10;

    /// <summary>
    /// How long a device grain stays in memory without a call before Orleans deactivates it (its state is durable; the
    /// next call reads it again). A device is busy for seconds at enrolment and renewal and idle for days between, so
    /// this bounds a silo's memory by the devices active in the last <see cref="DeviceIdleTime"/>, not by the fleet. A
    /// device whose attest was just answered with a certificate, with no other challenge open, does not wait for it: its
    /// grain leaves at once; so does, after a device's request, one that holds nothing (no stored record, no challenge
    /// ever held: a made-up id's). Default 15 minutes (Orleans' own collection age); must be positive.
    /// </summary>
    public TimeSpan DeviceIdleTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The most certificates one device may hold that have not expired (default 256). A device renews at two thirds of
    /// its certificate's life, so it holds one or two; only a device renewing again and again within one lifetime
    /// reaches this, and its register is then refused <c>RateLimited</c> until its oldest certificate expires. Every
    /// valid certificate stays in the device's state (it can still be presented, so device revocation and a transfer's
    /// cut-off must reach it), so this is what bounds that state. Must be positive.
    /// </summary>
    public int MaxValidCertificatesPerDevice { get; set; } = 256;

    /// <summary>PEM or DER files of TPM manufacturer roots the dev tenant's group trusts.</summary>
    public List<string> DevTrustedRootFiles { get; set; } = [];
}
