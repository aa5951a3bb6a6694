namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Settings of the MQTT side, bound from the configuration section <see cref="SectionName"/>: the mode, the request
/// limits both modes apply, and the embedded endpoint's listeners. TLS is always on; a plaintext listener exists only with <see cref="AllowPlaintext"/>. Without a configured
/// certificate the endpoint generates a development certificate under <see cref="DataDirectory"/>.
/// </summary>
public sealed class MqttEndpointOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Mqtt";

    /// <summary>Embedded broker (default) or client of an external broker (<see cref="External"/>).</summary>
    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>The external broker, used when <see cref="Mode"/> is <see cref="MqttMode.External"/>.</summary>
    public ExternalBrokerOptions External { get; set; } = new();

    /// <summary>IPv4 address the listeners bind to (default all interfaces).</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>IPv6 address the listeners also bind to (for example <c>::</c>), or null for IPv4 only.</summary>
    public string? BindIPv6Address { get; set; }

    /// <summary>TLS port; 0 lets the operating system choose (read the bound port from <see cref="MqttEndpoint.TlsPort"/>).</summary>
    public int TlsPort { get; set; } = 8883;

    /// <summary>Whether a plaintext listener is opened as well (development and tests only: a production start of the
    /// service refuses it).</summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>Plaintext port when <see cref="AllowPlaintext"/> is set; 0 = chosen by the operating system.</summary>
    public int PlaintextPort { get; set; } = 1883;

    /// <summary>
    /// The server certificate: a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with <see cref="CertificatePassword"/>), or a
    /// PEM certificate when <see cref="CertificateKeyPath"/> names its PEM private key. Null: use the dev certificate.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file, or of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Where the dev certificate (<c>mqtt-dev-cert.pem</c>, <c>mqtt-dev-key.pem</c>) is kept between runs.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Extra DNS names for the dev certificate, beside <c>localhost</c>, 127.0.0.1 and ::1.</summary>
    public List<string> DevCertificateDnsNames { get; set; } = [];

    /// <summary>Largest accepted request payload in bytes; larger ones are refused with MessageTooLarge.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest MQTT packet the embedded endpoint reads, in bytes of remaining length (everything after the fixed
    /// header): a client that declares more is disconnected before the packet is buffered. Keep it above
    /// <see cref="MaxMessageBytes"/> plus room for the topic and properties, so an oversized request up to this size is
    /// still answered MessageTooLarge.
    /// </summary>
    public int MaxPacketBytes { get; set; } = 128 * 1024;

    /// <summary>Largest accepted MQTT 5 correlation data in bytes.</summary>
    public int MaxCorrelationDataBytes { get; set; } = 64;

    /// <summary>Requests one device may make from one source address (IPv6: /64) per <see cref="DeviceRateWindow"/> (token bucket capacity and refill): a stranger elsewhere who knows the id has an allowance of its own, not the device's.</summary>
    public int DeviceRequestsPerWindow { get; set; } = 10;

    /// <summary>The per-device rate window.</summary>
    public TimeSpan DeviceRateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests one source address may make per <see cref="AddressRateWindow"/> (many devices behind a NAT share it).</summary>
    public int AddressRequestsPerWindow { get; set; } = 200;

    /// <summary>The per-address rate window.</summary>
    public TimeSpan AddressRateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the request handler may take before the device is answered Unavailable.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests handled at the same time across all devices.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Requests one session may have queued or running (an enrolment-only connection has a session of its own); more are refused as RateLimited.</summary>
    public int MaxPendingRequestsPerClient { get; set; } = 4;

    /// <summary>
    /// Whether the TLS listener asks clients for a certificate (enrolled devices authenticate with theirs). Asked,
    /// never required: a device at first boot, or with an expired certificate, connects without one to the
    /// enrolment-only class.
    /// </summary>
    public bool RequestClientCertificates { get; set; } = true;

    /// <summary>
    /// Whether requests after enrolment — a renewal (<c>register</c> with <c>mode=renew</c>) and <c>token</c> — are
    /// refused on enrolment-only sessions with <c>AuthenticationRequired</c> (the device reconnects with its certificate
    /// and sends them again). Register and attest of a first enrolment stay open to enrolment-only sessions, and so do
    /// those of a device whose certificate expired or was revoked: it enrols again. On by default; turned off, a device
    /// renews on a session anyone who knows its id could open, its renewal proof then being its only authentication.
    /// Applies to the embedded endpoint, which sees each session's class; an external broker authenticates devices
    /// itself (<c>deploy/mosquitto</c>).
    /// </summary>
    public bool RequireAuthenticatedSession { get; set; } = true;

    /// <summary>
    /// How long a CONNECT that meets the device's authenticated session waits for that session to end before it is
    /// refused (<c>session_held</c>, or <c>second_session</c> — a clone signal — with a certificate). The broker ends a
    /// session asynchronously after the device's DISCONNECT, so a device that reconnects at once would otherwise meet its
    /// own closing session. A device that rebooted without a DISCONNECT would meet its dead one, so while a CONNECT with
    /// the device's certificate waits, the session's connection is asked whether its peer is still there
    /// (<see cref="LivenessProbe"/>: a rebooted peer's reset ends it after about a second, a vanished peer's silence
    /// after about four); the default leaves room for both. A session that stays (its peer answers: another holder of
    /// the id) is refused after the wait as before.
    /// </summary>
    public TimeSpan HeldSessionGrace { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Connections one source address may hold at once (IPv6: one /64); more are refused QuotaExceeded.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 64;

    /// <summary>
    /// Connections the embedded endpoint holds at once, TLS handshakes in progress included; one more is closed as soon
    /// as it is accepted (<c>connections_total</c>). Null (the default): <see cref="ConnectionCapacity.DefaultShare"/> of
    /// the file descriptors the process has left under its limit when the endpoint starts (no cap where the limit is
    /// not known). A value above that is refused at start: more connections need a higher limit on open files.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Connections the kernel completes and queues on each listener before the endpoint accepts them (the listen
    /// backlog). When the queue is full, Linux drops a new connection's SYN and the device's stack sends it again only a
    /// second later (then 3 and 7 s after the first), so a pause in accepting that outlasts the queue costs every device
    /// behind it at least a second: MQTTnet's 100 overflowed within 0.6 s at 170 connects a second (BENCHMARKS.md,
    /// session 33). Linux caps it at <c>net.core.somaxconn</c> (4096 by default), and the endpoint warns at start when
    /// it does. At least 1.
    /// </summary>
    public int ConnectionBacklog { get; set; } = DefaultConnectionBacklog;

    /// <summary>The default <see cref="ConnectionBacklog"/>.</summary>
    public const int DefaultConnectionBacklog = 1024;

    /// <summary>
    /// How long a new connection may take to finish its TLS handshake, and then to send its CONNECT (and any later
    /// packet to arrive in full).
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
