using IoTIdentity.Provisioning.Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using IoTIdentity.Provisioning.Host.Hosting;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Secure by default: without <c>Provisioning:Mode=Development</c> the service refuses to start until its secrets
/// are configured, and says which setting is missing without echoing any value.
/// </summary>
public sealed class ProductionModeTests
{
    private static Dictionary<string, string?> Complete() => new()
    {
        ["Provisioning:KeyEncryption:Current:KeyId"] = "prod-1",
        ["Provisioning:KeyEncryption:Current:Key"] = Convert.ToBase64String(new byte[32]),
        ["Provisioning:ServiceAdminKeyHash"] = new string('a', 64),
        ["Provisioning:AuditSigning:KeyPath"] = "/etc/iotid/audit-checkpoint-key.pem",
        ["Mqtt:CertificatePath"] = "/etc/iotid/mqtt.pfx",
        ["Http:CertificatePath"] = "/etc/iotid/https.pfx",
        ["Urls"] = "https://+:8443",
    };

    private static InvalidOperationException? StartError(Dictionary<string, string?> settings)
    {
        var data = Directory.CreateTempSubdirectory("iotid-prod-").FullName;
        try
        {
            settings["Provisioning:DataDirectory"] = data;
            return Record.Exception(() => ProvisioningHost.Build([], b => b.Configuration.AddInMemoryCollection(settings))) as InvalidOperationException;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("Provisioning:KeyEncryption:Current:Key")]
    [InlineData("Provisioning:KeyEncryption:Current:KeyId")]
    [InlineData("Provisioning:ServiceAdminKeyHash")]
    [InlineData("Provisioning:AuditSigning:KeyPath")]
    [InlineData("Mqtt:CertificatePath")]
    [InlineData("Http:CertificatePath")]
    [InlineData("Urls")]
    public void A_production_start_without_a_secret_fails_naming_the_setting(string setting)
    {
        var settings = Complete();
        var value = settings[setting];
        settings.Remove(setting);

        var error = StartError(settings);

        Assert.NotNull(error);
        Assert.Contains(setting, error.Message);
        Assert.Contains("Provisioning:Mode", error.Message);
        foreach (var other in settings.Values) Assert.DoesNotContain(other!, error.Message);
        Assert.NotEqual(value, error.Message);
    }

    [Fact]
    public void Production_is_the_default_and_an_empty_configuration_names_every_setting()
    {
        var error = StartError([]);

        Assert.NotNull(error);
        Assert.Contains("Provisioning:KeyEncryption:Current:Key", error.Message);
        Assert.Contains("Provisioning:ServiceAdminKeyHash", error.Message);
        Assert.Contains("Provisioning:AuditSigning:KeyPath", error.Message);
        Assert.Contains("Mqtt:CertificatePath", error.Message);
        Assert.Contains("Http:CertificatePath", error.Message);
        Assert.Contains("Urls", error.Message);
    }

    [Theory]
    [InlineData("http://+:8080")]
    [InlineData("https://+:8443;http://+:8080")]
    [InlineData("HTTP://127.0.0.1:80")]
    public void A_production_start_with_a_plain_HTTP_url_fails_naming_Urls_unless_a_proxy_terminates_TLS(string urls)
    {
        var settings = Complete();
        settings["Urls"] = urls;

        var error = StartError(settings);

        Assert.NotNull(error);
        Assert.Contains("Urls — https:// endpoints only", error.Message);
        var behindProxy = new Dictionary<string, string?>(Complete()) { ["Urls"] = urls, ["Http:AllowPlaintext"] = "true" };
        Assert.Empty(ProductionRequirements.Missing(new ConfigurationBuilder().AddInMemoryCollection(behindProxy).Build()));
    }

    /// <summary>Kestrel binds <c>Kestrel:Endpoints</c> instead of <c>Urls</c> when any is configured: every plain one is
    /// refused by its own setting, whatever <c>Urls</c> says; https ones alone need no <c>Urls</c>.</summary>
    [Theory]
    [InlineData("https://+:8443", new[] { "http://+:8080" }, new[] { "Kestrel:Endpoints:E0:Url" })]
    [InlineData(null, new[] { "https://+:8443", "http://127.0.0.1:80" }, new[] { "Kestrel:Endpoints:E1:Url" })]
    [InlineData(null, new[] { "HTTP://+:80", "http://+:81" }, new[] { "Kestrel:Endpoints:E0:Url", "Kestrel:Endpoints:E1:Url" })]
    [InlineData("http://+:8080", new[] { "https://+:8443" }, new string[0])]
    [InlineData(null, new[] { "https://+:8443", "HTTPS://+:9443" }, new string[0])]
    public void In_production_every_plain_Kestrel_endpoint_is_refused_by_its_setting(string? urls, string[] endpoints, string[] refused)
    {
        var settings = Complete();
        settings["Urls"] = urls;
        for (var i = 0; i < endpoints.Length; i++) settings[$"Kestrel:Endpoints:E{i}:Url"] = endpoints[i];

        var missing = ProductionRequirements.Missing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.Equal(refused, missing.Select(m => m.Split(" — ")[0]));
        Assert.All(missing, m => Assert.Contains(" — https:// endpoints only", m, StringComparison.Ordinal));
        settings["Http:AllowPlaintext"] = "true";
        Assert.Empty(ProductionRequirements.Missing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
    }

    /// <summary>Plaintext MQTT is for development: in production a plaintext listener of the embedded broker, or an
    /// external broker reached without TLS, is refused naming its setting; development keeps both.</summary>
    [Theory]
    [InlineData(null, "Mqtt:AllowPlaintext", "true", "Mqtt:AllowPlaintext")]
    [InlineData(null, "Mqtt:AllowPlaintext", "True", "Mqtt:AllowPlaintext")]
    [InlineData(null, "Mqtt:AllowPlaintext", "false", null)]
    [InlineData("external", "Mqtt:External:UseTls", "false", "Mqtt:External:UseTls")]
    [InlineData("External", "Mqtt:External:UseTls", "FALSE", "Mqtt:External:UseTls")]
    [InlineData("external", "Mqtt:External:UseTls", "true", null)]
    [InlineData("external", "Mqtt:AllowPlaintext", "true", null)] // no listener of its own behind an external broker
    public void In_production_plaintext_MQTT_is_refused_naming_its_setting(string? mode, string key, string value, string? refused)
    {
        var settings = Complete();
        settings["Mqtt:Mode"] = mode;
        settings[key] = value;

        var missing = ProductionRequirements.Missing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.Equal(refused is null ? [] : [refused], missing.Select(m => m.Split(" — ")[0]));
        settings[ProductionRequirements.ModeKey] = "Development";
        var development = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Assert.Equal(ServiceMode.Development, ProductionRequirements.ModeOf(development));
        ProductionRequirements.Enforce(development);
    }

    [Theory]
    [InlineData("cosmos", "true", true)]
    [InlineData("Cosmos", "True", true)]
    [InlineData("cosmos", "false", false)]
    [InlineData("sqlite", "true", false)] // not used
    [InlineData(null, "true", false)]
    public void In_production_a_Cosmos_account_whose_certificate_is_not_checked_is_refused(string? provider, string value, bool refused)
    {
        var settings = Complete();
        settings["Storage:Provider"] = provider;
        settings["Storage:Cosmos:AcceptAnyServerCertificate"] = value;

        var missing = ProductionRequirements.Missing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.Equal(refused ? ["Storage:Cosmos:AcceptAnyServerCertificate"] : [], missing.Select(m => m.Split(" — ")[0]));
    }

    [Fact]
    public void Behind_an_external_broker_production_needs_no_MQTT_server_certificate()
    {
        var missing = ProductionRequirements.Missing(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(Complete())
        {
            ["Mqtt:CertificatePath"] = null,
            ["Mqtt:Mode"] = "external",
        }).Build());

        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("Orleans:Clustering", "cosmos", "Orleans:Tls:CertificatePath")]
    [InlineData("Orleans:Clustering", "cosmos", "Orleans:Tls:CaPath")]
    [InlineData("Orleans:PrimarySiloPort", "11111", "Orleans:Tls:CertificatePath")]
    [InlineData("Orleans:PrimarySiloPort", "11111", "Orleans:Tls:CaPath")]
    public void A_production_start_of_a_multi_silo_cluster_without_cluster_TLS_fails_naming_the_setting(string key, string value, string setting)
    {
        var settings = Complete();
        settings[key] = value;
        settings["Orleans:Tls:CertificatePath"] = "/etc/iotid/cluster.pfx";
        settings["Orleans:Tls:CaPath"] = "/etc/iotid/cluster-ca.pem";
        settings.Remove(setting);

        var error = StartError(settings);

        Assert.NotNull(error);
        Assert.Contains(setting, error.Message);
        Assert.Contains("Provisioning:Mode", error.Message);
    }

    [Fact]
    public void A_single_silo_production_start_needs_no_cluster_certificate()
    {
        var error = StartError(Complete());

        Assert.DoesNotContain("Orleans:Tls", error?.Message ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_mode_is_refused()
    {
        var error = StartError(new() { ["Provisioning:Mode"] = "Staging" });

        Assert.NotNull(error);
        Assert.Contains("Provisioning:Mode 'Staging'", error.Message);
    }

    [Fact]
    public void A_development_key_encryption_key_next_to_the_database_does_not_stand_in_for_a_configured_one()
    {
        var data = Directory.CreateTempSubdirectory("iotid-devkek-").FullName;
        try
        {
            var dev = ProvisioningHost.Build([], b => b.Configuration.AddInMemoryCollection(
                [new("Provisioning:Mode", "Development"), new("Provisioning:DataDirectory", data)]));
            dev.Services.GetRequiredService<KeyEncryptionKeyRing>();
            Assert.True(File.Exists(Path.Combine(data, "dev-kek.json")), "the development start wrote no key next to the database");

            var settings = Complete();
            settings.Remove("Provisioning:KeyEncryption:Current:Key");
            settings["Provisioning:DataDirectory"] = data;
            var error = Record.Exception(() => ProvisioningHost.Build([], b => b.Configuration.AddInMemoryCollection(settings))) as InvalidOperationException;

            Assert.NotNull(error);
            Assert.Contains("Provisioning:KeyEncryption:Current:Key", error.Message);
            Assert.DoesNotContain(File.ReadAllText(Path.Combine(data, "dev-kek.json")), error.Message);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void Development_mode_and_the_dev_flag_start_with_zero_configuration()
    {
        Assert.Null(StartError(new() { ["Provisioning:Mode"] = "Development" }));
        var data = Directory.CreateTempSubdirectory("iotid-dev-").FullName;
        try
        {
            var app = ProvisioningHost.Build(["--dev"], b => b.Configuration.AddInMemoryCollection([new("Provisioning:DataDirectory", data)]));
            Assert.Equal(ServiceMode.Development, ProductionRequirements.ModeOf(app.Configuration));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
