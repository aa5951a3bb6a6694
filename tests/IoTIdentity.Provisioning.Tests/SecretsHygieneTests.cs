using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Swtpm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The built service (<c>iotid-service</c>) as its own process, in development and in production mode, at debug log
/// level for its own code: it creates a tenant, API keys (one revoked, one forged key presented), enrols a device,
/// revokes it and rotates the tenant's CA; then everything it wrote to stdout and stderr is searched for every secret
/// it held — the key-encryption key, each tenant's CA private keys (read back afterwards through the service with the
/// same configuration), the audit checkpoint key, the TLS keys, every API key secret — in every encoding (as text,
/// base64, base64url, hex). The only secrets the development start prints are, by design, the dev tenant's owner-admin
/// key and the service administrator key it creates on the first start, once, so that the demo can be used at all.
/// </summary>
public sealed class SecretsHygieneTests(ITestOutputHelper output)
{
    private const int TestTimeout = 300_000;

    [Fact(Timeout = TestTimeout)]
    public async Task A_development_start_prints_no_secret_but_the_two_keys_it_shows_once_by_design()
    {
        var data = Directory.CreateTempSubdirectory("iotid-hygiene-dev-").FullName;
        try
        {
            var httpPort = FreePorts.Next();
            var mqttPort = FreePorts.Next();
            var settings = new Dictionary<string, string?>
            {
                ["Urls"] = $"http://127.0.0.1:{httpPort}",
                ["Mqtt:TlsPort"] = mqttPort.ToString(CultureInfo.InvariantCulture),
                ["Mqtt:BindAddress"] = "127.0.0.1",
                ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            };
            var run = await RunAsync(["--dev"], settings, data, new Uri($"http://127.0.0.1:{httpPort}"), null, mqttPort, printedAdminKey: true);

            var printedByDesign = PrintedKeys(run.Output);
            Assert.Equal(2, printedByDesign.Count); // the dev tenant's owner-admin key and the service administrator key, once each
            var secrets = new Secrets();
            var ring = JsonSerializer.Deserialize<KeyEncryptionKeyRingOptions>(File.ReadAllText(Path.Combine(data, "dev-kek.json")))!;
            secrets.AddBytes("key-encryption key", Convert.FromBase64String(ring.Current.Key!));
            secrets.AddPrivateKeyPem("audit checkpoint key", File.ReadAllText(Path.Combine(data, "dev-audit-checkpoint-key.pem")));
            secrets.AddPrivateKeyPem("MQTT dev certificate key", File.ReadAllText(Path.Combine(data, "mqtt-dev-key.pem")));
            secrets.AddApiKeys(run.ApiKeys);
            await secrets.AddCaKeysAsync(data, settings, ring, run.Tenants);

            secrets.AssertNoneIn(run.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_production_start_prints_no_secret_at_all()
    {
        var data = Directory.CreateTempSubdirectory("iotid-hygiene-prod-").FullName;
        var secretsDirectory = Directory.CreateTempSubdirectory("iotid-hygiene-secrets-").FullName;
        try
        {
            using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=localhost", tlsKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var tls = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(Path.Combine(secretsDirectory, "tls.crt"), tls.ExportCertificatePem());
            File.WriteAllText(Path.Combine(secretsDirectory, "tls.key"), tlsKey.ExportPkcs8PrivateKeyPem());
            using var auditKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            File.WriteAllText(Path.Combine(secretsDirectory, "audit.pem"), auditKey.ExportPkcs8PrivateKeyPem());
            var kek = RandomNumberGenerator.GetBytes(32);
            var adminKey = ServiceAdminKeys.New();
            var httpPort = FreePorts.Next();
            var mqttPort = FreePorts.Next();
            var settings = new Dictionary<string, string?>
            {
                ["Provisioning:Mode"] = "Production",
                ["Urls"] = $"https://127.0.0.1:{httpPort}",
                ["Http:CertificatePath"] = Path.Combine(secretsDirectory, "tls.crt"),
                ["Http:CertificateKeyPath"] = Path.Combine(secretsDirectory, "tls.key"),
                ["Mqtt:CertificatePath"] = Path.Combine(secretsDirectory, "tls.crt"),
                ["Mqtt:CertificateKeyPath"] = Path.Combine(secretsDirectory, "tls.key"),
                ["Mqtt:TlsPort"] = mqttPort.ToString(CultureInfo.InvariantCulture),
                ["Mqtt:BindAddress"] = "127.0.0.1",
                ["Provisioning:KeyEncryption:Current:KeyId"] = "prod-1",
                ["Provisioning:KeyEncryption:Current:Key"] = Convert.ToBase64String(kek),
                ["Provisioning:AuditSigning:KeyPath"] = Path.Combine(secretsDirectory, "audit.pem"),
                ["Provisioning:AuditSigning:KeyId"] = "prod-audit-1",
                ["Provisioning:ServiceAdminKeyHash"] = Convert.ToHexString(ServiceAdminKeys.Hash(adminKey)),
                ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            };
            var run = await RunAsync([], settings, data, new Uri($"https://127.0.0.1:{httpPort}"), tls, mqttPort, printedAdminKey: false, adminKey);

            Assert.Empty(PrintedKeys(run.Output));
            var secrets = new Secrets();
            secrets.AddBytes("key-encryption key", kek);
            secrets.AddPrivateKey("audit checkpoint key", auditKey);
            secrets.AddPrivateKey("TLS key", tlsKey);
            secrets.AddText("service administrator key", adminKey);
            secrets.AddApiKeys(run.ApiKeys);
            await secrets.AddCaKeysAsync(data, settings, new KeyEncryptionKeyRingOptions
            {
                Current = new KeyEncryptionKeyOptions { KeyId = "prod-1", Key = Convert.ToBase64String(kek) },
            }, run.Tenants);

            secrets.AssertNoneIn(run.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(secretsDirectory, recursive: true);
        }
    }

    /// <summary>What a run did and printed: the whole output, the API keys it was given, the tenants whose CAs exist.</summary>
    private sealed record Run(string Output, IReadOnlyList<string> ApiKeys, IReadOnlyList<string> Tenants);

    /// <summary>Starts the service, drives the paths that handle secrets, stops it (SIGTERM) and returns what it printed.</summary>
    private async Task<Run> RunAsync(string[] flags, Dictionary<string, string?> settings, string data, Uri api, X509Certificate2? serverCertificate, int mqttPort,
        bool printedAdminKey, string? adminKey = null)
    {
        List<string> arguments = [.. flags, "--Provisioning:DataDirectory", data, "--Logging:LogLevel:IoTIdentity", "Debug"];
        foreach (var (key, value) in settings) arguments.AddRange([$"--{key}", value!]);
        await using var process = ServiceBinaryRun.Start(arguments, data);
        using var handler = new HttpClientHandler();
        if (serverCertificate is not null)
            handler.ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.RawData.AsSpan().SequenceEqual(serverCertificate.RawData) == true;
        var apiKeys = new List<string>();
        var tenants = new List<string>();
        try
        {
            await process.WaitUntilHealthyAsync(api, handler);
            if (printedAdminKey)
            {
                adminKey = PrintedKeys(process.Output).Single(k => k.StartsWith("iotid-admin.", StringComparison.Ordinal));
                tenants.Add("dev"); // the development start's own tenant, whose CA was made at the start
            }

            // a tenant and its keys: created, used, one revoked, and a forged one presented
            var tenantId = $"hyg{Guid.NewGuid():N}"[..16];
            using var admin = new IotIdClient(api, adminKey, handler);
            var created = (await admin.CreateTenantAsync(new CreateTenantRequest(tenantId, "Hygiene"))).Value;
            tenants.Add(tenantId);
            apiKeys.Add(created.OwnerAdminKey);
            using var owner = new IotIdClient(api, created.OwnerAdminKey, handler);
            var operatorKey = (await owner.CreateApiKeyAsync(new CreateApiKeyRequest("operator", "operator"))).Value;
            var revokedKey = (await owner.CreateApiKeyAsync(new CreateApiKeyRequest("short-lived", "auditor"))).Value;
            apiKeys.AddRange([operatorKey.Key, revokedKey.Key]);
            await owner.RevokeApiKeyAsync(revokedKey.KeyId);
            var forged = $"iotid.{tenantId}.{operatorKey.KeyId}.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
            apiKeys.Add(forged);
            foreach (var refused in new[] { revokedKey.Key, forged })
            {
                using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = api };
                http.DefaultRequestHeaders.Authorization = new("Bearer", refused);
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/devices")).StatusCode);
            }

            // a device enrols, is revoked, and the tenant's issuing CA is rotated
            var fleetDirectory = Path.Combine(data, "fleet");
            await using var fleet = Fleet.CreateEmulated(fleetDirectory, 1);
            var root = PemEncoding.WriteString("CERTIFICATE", fleet.Manufacturer.RootDer);
            await owner.PutGroupAsync("default", new EnrollmentGroup { TrustedRootsPem = [root] });
            var device = fleet.Devices[0];
            var client = new EnrollmentClientOptions
            {
                Host = "127.0.0.1", Port = mqttPort, RequestTimeout = TimeSpan.FromSeconds(60),
                TrustAnchors = [serverCertificate is null
                    ? X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(data, "mqtt-dev-cert.pem")))
                    : X509CertificateLoader.LoadCertificate(serverCertificate.RawData)],
            };
            await using (var channel = await EnrollmentClient.ConnectAsync(device.DeviceId, client))
                await fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel), CancellationToken.None);
            await owner.RevokeDeviceAsync(device.DeviceId, "keyCompromise");
            await owner.RotateTenantCaAsync();
        }
        finally
        {
            await process.StopAsync();
        }
        var all = process.Output;
        output.WriteLine($"the service printed {all.Length} characters ({all.Split('\n').Length} lines)");
        return new Run(all, apiKeys, tenants);
    }

    /// <summary>The keys the development start prints by design: the lines after its "(shown once, stored hashed…)" notices.</summary>
    private static List<string> PrintedKeys(string printed)
    {
        var lines = printed.Split('\n').Select(l => l.Trim()).ToList();
        return [.. lines.Select((line, i) => (line, i)).Where(p => p.line.Contains("(shown once, stored hashed", StringComparison.Ordinal) && p.i + 1 < lines.Count)
            .Select(p => lines[p.i + 1].Replace("[iotid]", "", StringComparison.Ordinal).Trim())];
    }

    /// <summary>Secrets by name, each in every form it could be printed in.</summary>
    private sealed class Secrets
    {
        private readonly List<(string Name, string Form, string Text)> _forms = [];

        public void AddText(string name, string text)
        {
            _forms.Add((name, "text", text));
            // an API key's secret part alone (iotid.{tenant}.{id}.{secret}, iotid-admin.{secret})
            var secret = text[(text.LastIndexOf('.') + 1)..];
            if (secret.Length >= 16) _forms.Add((name, "its secret part", secret));
        }

        public void AddBytes(string name, byte[] bytes)
        {
            _forms.Add((name, "base64", Convert.ToBase64String(bytes).TrimEnd('=')));
            _forms.Add((name, "base64url", Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')));
            _forms.Add((name, "hex", Convert.ToHexStringLower(bytes)));
            _forms.Add((name, "HEX", Convert.ToHexString(bytes)));
        }

        public void AddPrivateKey(string name, ECDsa key)
        {
            AddBytes(name + " (private scalar)", key.ExportParameters(true).D!);
            AddBytes(name + " (PKCS#8)", key.ExportPkcs8PrivateKey());
        }

        public void AddPrivateKeyPem(string name, string pem)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            AddPrivateKey(name, key);
        }

        public void AddApiKeys(IEnumerable<string> keys)
        {
            foreach (var key in keys) AddText("API key", key);
        }

        /// <summary>Every tenant's root and issuing CA private keys, unsealed from the store through the service's own code.</summary>
        public async Task AddCaKeysAsync(string data, Dictionary<string, string?> settings, KeyEncryptionKeyRingOptions ring, IEnumerable<string> tenants)
        {
            var reopened = InProcessServiceSettings.For(data, settings.Where(s => s.Key.StartsWith("Provisioning:", StringComparison.Ordinal)
                || s.Key.StartsWith("Http:", StringComparison.Ordinal) || s.Key.StartsWith("Mqtt:Certificate", StringComparison.Ordinal)));
            if (settings.TryGetValue("Urls", out var urls) && urls!.StartsWith("https", StringComparison.Ordinal)) reopened["Urls"] = "https://127.0.0.1:0";
            reopened["Provisioning:BootstrapDevTenant"] = "false";
            if (settings.GetValueOrDefault("Provisioning:Mode") is { } mode) reopened["Provisioning:Mode"] = mode;
            await using var app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(reopened));
            await app.StartAsync();
            try
            {
                using var keys = KeyEncryptionKeyRing.FromOptions(ring, RandomNumberGenerator.Create());
                var grains = app.Services.GetRequiredService<IGrainFactory>();
                var found = 0;
                foreach (var tenantId in tenants)
                {
                    var tenant = grains.GetGrain<ITenantGrain>(tenantId);
                    if (await tenant.GetCaAsync() is not { } ca) continue;
                    AddSealed($"{tenantId} issuing CA key", keys, ca.ProtectedIssuingKey, KeyPurpose.TenantIssuingCa(tenantId));
                    if (ca.ProtectedRootKey is { } rootKey) AddSealed($"{tenantId} root CA key", keys, rootKey, KeyPurpose.TenantRootCa(tenantId));
                    found++;
                }
                Assert.True(found > 0, "no tenant CA was found to check");
            }
            finally
            {
                await app.StopAsync();
            }
        }

        private void AddSealed(string name, KeyEncryptionKeyRing keys, string sealedKey, string purpose)
        {
            var pkcs8 = keys.Unprotect(ProtectedKey.Decode(sealedKey), purpose);
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            AddPrivateKey(name, key);
        }

        public void AssertNoneIn(string printed)
        {
            Assert.True(_forms.Count > 10, "too few secrets collected to mean anything");
            var leaks = _forms.Where(f => printed.Contains(f.Text, StringComparison.Ordinal)).Select(f => $"{f.Name} ({f.Form})").Distinct().ToList();
            Assert.True(leaks.Count == 0, $"the service printed: {string.Join(", ", leaks)}");
            Assert.DoesNotContain("PRIVATE KEY-----", printed, StringComparison.Ordinal);
        }
    }
}
