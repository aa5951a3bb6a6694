using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>Where a service someone else runs is, and the API key of the tenant the fleet enrols into.</summary>
/// <param name="ServiceUrl">The HTTP API's base address, e.g. <c>http://host:8080</c>.</param>
/// <param name="Mqtt">The MQTT TLS endpoint, <c>host:port</c> (port 8883 when left out).</param>
/// <param name="CaCertificatePath">PEM file of the certificate(s) the MQTT server certificate must chain to.</param>
/// <param name="ApiKey">An operator (or owner-admin) API key of the tenant.</param>
/// <param name="Group">The enrolment group the simulator keeps trusting its manufacturer.</param>
/// <param name="AdminKey">The service administrator key (<c>iotid-admin.…</c>), for scenarios that create tenants; optional.</param>
/// <param name="CreateGroup">May the simulator create the group or add its manufacturer root (<c>--create-group</c>)? Without it a
/// needed change is described and the run stops.</param>
public sealed record RemoteTargetOptions(Uri ServiceUrl, string Mqtt, string CaCertificatePath, string ApiKey, string Group = "iotid-sim", string? AdminKey = null,
    bool CreateGroup = false);

/// <summary>
/// A service someone else runs, reached only as devices and operators reach it: an enrolment group of the API key's
/// tenant must trust the fleet's manufacturer root. When it does not, and <c>--create-group</c> allows it, the root is
/// added through the HTTP API (<c>PUT /api/v1/enrollment-groups/{group}</c>, keeping roots and settings already there);
/// without it the run stops and says what it would change. Devices enrol over MQTT TLS trusting the given CA certificate.
/// </summary>
public sealed class RemoteTarget : IServiceTarget
{
    private readonly ServiceApi _api;
    private readonly ServiceApi? _admin;

    private RemoteTarget(EnrollmentClientOptions clientOptions, ServiceApi api, ServiceApi? admin)
    {
        ClientOptions = clientOptions;
        _api = api;
        _admin = admin;
    }

    /// <inheritdoc/>
    public EnrollmentClientOptions ClientOptions { get; }

    /// <inheritdoc/>
    public TimeSpan? CpuTime => null;

    /// <inheritdoc/>
    public Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken) => Task.FromResult<ServiceApi?>(_api);

    /// <summary>The HTTP API with <c>--admin-key</c>, when given.</summary>
    public Task<ServiceApi?> GetAdminApiAsync(CancellationToken cancellationToken) => Task.FromResult(_admin);

    /// <summary>
    /// Makes the target's group trust <paramref name="manufacturerRoot"/> (and, when given, allow only
    /// <paramref name="allowedFirmware"/>) and returns the target. Every refusal is a <see cref="RemoteTargetException"/>
    /// that says what to fix; nothing on the service changes then.
    /// </summary>
    public static async Task<RemoteTarget> ConnectAsync(RemoteTargetOptions options, byte[] manufacturerRoot, CancellationToken cancellationToken,
        FirmwareManifest? allowedFirmware = null)
    {
        var (host, port) = ParseMqtt(options.Mqtt);
        if (!File.Exists(options.CaCertificatePath)) throw new RemoteTargetException($"--ca-cert: no file {options.CaCertificatePath}");
        var anchors = new X509Certificate2Collection();
        try
        {
            anchors.ImportFromPemFile(options.CaCertificatePath);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new RemoteTargetException($"--ca-cert: {options.CaCertificatePath} holds no PEM certificate");
        }
        if (anchors.Count == 0) throw new RemoteTargetException($"--ca-cert: {options.CaCertificatePath} holds no PEM certificate");

        var api = new ServiceApi(options.ServiceUrl, options.ApiKey);
        await TrustAsync(api, options.Group, manufacturerRoot, allowedFirmware, options.CreateGroup, cancellationToken);

        return new RemoteTarget(new EnrollmentClientOptions
        {
            Host = host, Port = port, TrustAnchors = anchors, RequestTimeout = TimeSpan.FromSeconds(60),
        }, api, options.AdminKey is { Length: > 0 } admin ? new ServiceApi(options.ServiceUrl, admin) : null);
    }

    /// <summary>
    /// Makes <paramref name="group"/> trust <paramref name="manufacturerRoot"/> (creating the group when missing) and,
    /// when given, allow only <paramref name="allowedFirmware"/>, through <c>PUT /api/v1/enrollment-groups/{group}</c>;
    /// every other setting the group holds is kept as the API returned it. Nothing is written when the group already
    /// is so. A needed change without <paramref name="mayChange"/> is a <see cref="RemoteTargetException"/> that lists
    /// what would change and how to allow it, and nothing changes.
    /// </summary>
    public static async Task TrustAsync(ServiceApi api, string group, byte[] manufacturerRoot, FirmwareManifest? allowedFirmware, bool mayChange,
        CancellationToken cancellationToken)
    {
        using var http = api.CreateClient();
        var path = $"/api/v1/enrollment-groups/{Uri.EscapeDataString(group)}";
        // the group as the API returns it, kept whole so settings the simulator does not know survive its PUT
        Dictionary<string, JsonElement>? settings;
        using (var existing = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, path), cancellationToken))
        {
            settings = existing.StatusCode == HttpStatusCode.NotFound
                ? null
                : await Checked(existing, "reading", path).Content.ReadFromJsonAsync<Dictionary<string, JsonElement>>(Json, cancellationToken) ?? [];
        }
        using var root = X509CertificateLoader.LoadCertificate(manufacturerRoot);
        var rootName = $"the fleet's manufacturer root ({root.Subject}, SHA-256 {root.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)})";
        var changes = new List<string>();
        if (settings is null) changes.Add($"create enrolment group '{group}' trusting {rootName}");
        settings ??= [];
        var roots = settings.TryGetValue("trustedRootsPem", out var current) ? current.Deserialize<List<string>>(Json) ?? [] : [];
        if (!roots.Any(pem => X509Certificate2.CreateFromPem(pem).RawData.AsSpan().SequenceEqual(manufacturerRoot)))
        {
            if (changes.Count == 0) changes.Add($"add {rootName} to the {roots.Count} trusted root(s) of enrolment group '{group}'");
            roots.Add(root.ExportCertificatePem());
        }
        settings["trustedRootsPem"] = JsonSerializer.SerializeToElement(roots, Json);
        if (allowedFirmware is not null)
        {
            var firmware = JsonSerializer.SerializeToElement(new[] { allowedFirmware }, Json);
            if (!settings.TryGetValue("allowedFirmware", out var allowed) || allowed.GetRawText() != firmware.GetRawText())
                changes.Add($"make {allowedFirmware.Release} the only firmware enrolment group '{group}' allows");
            settings["allowedFirmware"] = firmware;
        }
        if (changes.Count == 0) return;
        if (!mayChange)
            throw new RemoteTargetException($"the simulator would change the service, and changed nothing: it would {string.Join("; ", changes)}." +
                $" Pass --create-group to let it, or --group naming a group that already trusts manufacturer-root.pem of the fleet directory (--fleet).");
        settings.Remove("deviceCount");
        using (var put = await SendAsync(http, new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(settings, options: Json) }, cancellationToken))
            Checked(put, "writing", path);
    }

    /// <summary>Splits <c>host:port</c> (or <c>host</c>, port 8883; <c>[v6]:port</c>).</summary>
    public static (string Host, int Port) ParseMqtt(string address)
    {
        if (string.IsNullOrWhiteSpace(address)) throw new RemoteTargetException("--mqtt needs host:port");
        var colon = address.LastIndexOf(':');
        if (colon < 0 || address.EndsWith(']')) return (address.Trim('[', ']'), 8883);
        if (!int.TryParse(address[(colon + 1)..], out var port) || port is < 1 or > 65535 || colon == 0)
            throw new RemoteTargetException($"--mqtt {address}: expected host:port with a port from 1 to 65535");
        return (address[..colon].Trim('[', ']'), port);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteTargetException($"--service-url {http.BaseAddress}: {e.Message}");
        }
    }

    private static HttpResponseMessage Checked(HttpResponseMessage response, string doing, string path) => response.StatusCode switch
    {
        _ when response.IsSuccessStatusCode => response,
        HttpStatusCode.Unauthorized => throw new RemoteTargetException("the service refused the API key (401): pass --api-key with a key of the tenant"),
        HttpStatusCode.Forbidden => throw new RemoteTargetException("the API key's role may not change enrolment groups (403): use an operator or owner-admin key"),
        var status => throw new RemoteTargetException($"{doing} {path} answered {(int)status} {status}"),
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The remote target refused or could not be reached; the message says what to fix.</summary>
public sealed class RemoteTargetException(string message) : Exception(message);
