using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Host.Api;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Provisioning.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// The real service in-process on loopback: an Orleans silo (its own ports), SQLite in a temp directory, the MQTT
/// endpoint over TLS with its dev certificate, and the HTTP API on an ephemeral port. Can be stopped and started
/// again on the same data directory.
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = new();
    private readonly Action<IServiceCollection>? _services;

    public ServiceFixture()
    {
        DataDirectory = Directory.CreateTempSubdirectory("iotid-service-").FullName;
    }

    /// <summary>A service with extra settings (for tests that need another policy or limit).</summary>
    public static ServiceFixture With(IDictionary<string, string?> settings) => new(settings, null);

    /// <summary>
    /// A service whose registrations <paramref name="services"/> may change after the host registered its own (to
    /// decorate <see cref="IProvisioningStore"/>, say); it runs again on every start.
    /// </summary>
    public static ServiceFixture With(IDictionary<string, string?> settings, Action<IServiceCollection> services) => new(settings, services);

    /// <summary>
    /// A service whose every part — grains, MQTT endpoint, API — reads the time from <paramref name="clock"/> (for tests
    /// that move it, <see cref="ShiftedTimeProvider"/>), with extra <paramref name="settings"/>.
    /// </summary>
    public static ServiceFixture WithClock(TimeProvider clock, IDictionary<string, string?>? settings = null) =>
        new(settings ?? new Dictionary<string, string?>(), services => services.Replace(ServiceDescriptor.Singleton(clock)));

    private ServiceFixture(IDictionary<string, string?>? settings, Action<IServiceCollection>? services)
    {
        DataDirectory = Directory.CreateTempSubdirectory("iotid-service-").FullName;
        if (settings is not null) foreach (var (k, v) in settings) _settings[k] = v;
        _services = services;
    }

    public string DataDirectory { get; }

    /// <summary>The service administrator's key (configured as its hash).</summary>
    public string AdminKey { get; } = ServiceAdminKeys.New();
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();
    public IProvisioningStore Store => App.Services.GetRequiredService<IProvisioningStore>();
    public MqttEndpoint Mqtt => App.Services.GetRequiredService<MqttEndpoint>();
    public X509Certificate2 MqttTrustAnchor => X509CertificateLoader.LoadCertificate(Mqtt.ServerCertificate.RawData);

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        var settings = InProcessServiceSettings.For(DataDirectory,
            _settings.Prepend(new("Provisioning:ServiceAdminKeyHash", Convert.ToHexString(ServiceAdminKeys.Hash(AdminKey)))));
        App = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(settings), services =>
        {
            InProcessSilo.Tolerate(services);
            _services?.Invoke(services);
        });
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public async Task StopAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    /// <summary>Creates a tenant with an owner-admin key and a "default" group trusting <paramref name="roots"/>.</summary>
    public async Task<TestTenant> CreateTenantAsync(string tenantId, IEnumerable<byte[]> roots, Func<EnrollmentPolicy, EnrollmentPolicy>? policy = null)
    {
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync(tenantId);
        var key = await tenant.CreateApiKeyAsync(ApiRole.OwnerAdmin, "test");
        var defaults = new EnrollmentPolicy { TenantId = tenantId, GroupId = "default", TrustedRoots = [.. roots] };
        await Grains.GetGrain<IEnrollmentGroupGrain>($"{tenantId}/default").SetPolicyAsync(policy is null ? defaults : policy(defaults));
        return new TestTenant(tenantId, key.Key, this);
    }

    public HttpClient ClientFor(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>
    /// An enrolment-only session: a client connected to this service's TLS MQTT endpoint as <paramref name="deviceId"/>
    /// without a client certificate (first boot). Register and attest of a first enrolment go on it; a renewal or a token
    /// request goes on the device's authenticated session (<see cref="ConnectAuthenticatedAsync(TpmEnrollment, EnrollmentResult, TimeSpan?)"/>).
    /// </summary>
    public Task<EnrollmentClient> ConnectAsync(string deviceId, TimeSpan? requestTimeout = null) =>
        EnrollmentClient.ConnectAsync(deviceId, ClientOptions(requestTimeout));

    /// <summary>
    /// The authenticated session of a TPM device enrolled as <paramref name="identity"/>: its certificate chain presented
    /// by our TLS 1.3 client, the TPM of <paramref name="enrollment"/> signing the handshake with the certified key — the
    /// session a real device renews and asks tokens on. The caller holds that TPM while connecting (inside its
    /// <see cref="SwtpmBench.OnTpmAsync{T}"/> flow, or its own bench), as it does for any other step of the device.
    /// </summary>
    public Task<EnrollmentClient> ConnectAuthenticatedAsync(TpmEnrollment enrollment, EnrollmentResult identity, TimeSpan? requestTimeout = null)
    {
        var certificate = enrollment.ClientCertificate(identity);
        var options = ClientOptions(requestTimeout);
        options.TpmClientCertificate = () => certificate;
        return EnrollmentClient.ConnectAsync(identity.DeviceId, options);
    }

    /// <summary>
    /// The authenticated session of <paramref name="deviceId"/> whose device key is a software key: .NET's TLS presenting
    /// <paramref name="certificate"/> (the device certificate with that key).
    /// </summary>
    public Task<EnrollmentClient> ConnectAuthenticatedAsync(string deviceId, Func<X509Certificate2> certificate, TimeSpan? requestTimeout = null)
    {
        var options = ClientOptions(requestTimeout);
        options.ClientCertificate = certificate;
        return EnrollmentClient.ConnectAsync(deviceId, options);
    }

    /// <summary>How a test device reaches this service's TLS MQTT endpoint, trusting its dev certificate.</summary>
    public EnrollmentClientOptions ClientOptions(TimeSpan? requestTimeout = null) => new()
    {
        Host = "127.0.0.1", Port = Mqtt.TlsPort, TrustAnchors = [MqttTrustAnchor], RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(20),
    };

    /// <summary>The whole audit log of <paramref name="tenantId"/> (or <see cref="AuditTrail.Unassigned"/>), page by page.</summary>
    public async Task<List<AuditEntry>> ReadAuditLogAsync(string tenantId)
    {
        var entries = new List<AuditEntry>();
        while (true)
        {
            var page = await Store.ReadAuditAsync(tenantId, entries.Count + 1, StoreLimits.MaxPageSize);
            entries.AddRange(page);
            if (page.Count < StoreLimits.MaxPageSize) return entries;
        }
    }
}
