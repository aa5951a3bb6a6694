namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// What a production start needs before it may run: a configured key-encryption key (never the development one kept
/// next to the database), the audit checkpoint key, the service administrator key's hash, a TLS certificate and https URLs for the HTTP API, the cluster certificate and CA when more than one silo forms
/// the cluster, and — for the embedded MQTT broker — a TLS certificate and no plaintext listener, or — for an external
/// broker — TLS to it, and a Cosmos DB account whose TLS certificate is checked. The error names each missing (or
/// refused) setting and never echoes a value.
/// </summary>
public static class ProductionRequirements
{
    /// <summary>The configuration key of the mode.</summary>
    public const string ModeKey = "Provisioning:Mode";

    /// <summary>The mode configured in <paramref name="configuration"/> (Production when unset).</summary>
    /// <exception cref="ServiceConfigurationException">An unknown mode.</exception>
    public static ServiceMode ModeOf(IConfiguration configuration)
    {
        var text = configuration[ModeKey];
        if (string.IsNullOrEmpty(text)) return ServiceMode.Production;
        return Enum.TryParse<ServiceMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            ? mode
            : throw new ServiceConfigurationException($"{ModeKey} '{text}' is neither 'Production' nor 'Development'.");
    }

    /// <summary>The settings a production start is missing, each with what to put there.</summary>
    public static IReadOnlyList<string> Missing(IConfiguration configuration)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(configuration["Provisioning:KeyEncryption:Current:Key"]))
            missing.Add("Provisioning:KeyEncryption:Current:Key (and :KeyId) — the key-encryption key for CA private keys, 32 random bytes in base64");
        else if (string.IsNullOrWhiteSpace(configuration["Provisioning:KeyEncryption:Current:KeyId"]))
            missing.Add("Provisioning:KeyEncryption:Current:KeyId — the name of the key-encryption key, stored beside every key it wraps so a rotation knows which key opens it");
        if (string.IsNullOrWhiteSpace(configuration[AuditCheckpointKeyFile.KeyPathKey]))
            missing.Add($"{AuditCheckpointKeyFile.KeyPathKey} (and :KeyId) — the EC P-256 private key (PEM) that signs audit checkpoints, kept outside the database");
        if (string.IsNullOrWhiteSpace(configuration["Provisioning:ServiceAdminKeyHash"]))
            missing.Add("Provisioning:ServiceAdminKeyHash — the hex SHA-256 hash of the service administrator key");
        missing.AddRange(ManagementHttps.Missing(configuration));
        missing.AddRange(ClusterTls.Missing(configuration));
        var embedded = !string.Equals(configuration["Mqtt:Mode"], "external", StringComparison.OrdinalIgnoreCase);
        if (embedded && string.IsNullOrWhiteSpace(configuration["Mqtt:CertificatePath"]))
            missing.Add("Mqtt:CertificatePath — the MQTT endpoint's TLS certificate (PKCS#12, or PEM with Mqtt:CertificateKeyPath)");
        // plaintext MQTT is for development: devices' ids and EK certificates, or the service's broker password, in the clear
        if (embedded && configuration.GetValue<bool>("Mqtt:AllowPlaintext"))
            missing.Add("Mqtt:AllowPlaintext — TLS only in production: a plaintext listener would carry devices' identities and EK certificates in the clear; remove it");
        if (!embedded && !configuration.GetValue("Mqtt:External:UseTls", true))
            missing.Add("Mqtt:External:UseTls — TLS to the broker only in production: the service's broker password and every request would cross in the clear; remove it or set it to true");
        if (string.Equals(configuration["Storage:Provider"], "cosmos", StringComparison.OrdinalIgnoreCase) && configuration.GetValue<bool>("Storage:Cosmos:AcceptAnyServerCertificate"))
            missing.Add("Storage:Cosmos:AcceptAnyServerCertificate — the Cosmos DB account's TLS certificate is checked in production: unchecked, anyone on the path could read and change every tenant's state; remove it (for an emulator's self-signed certificate, trust its CA on the host)");
        return missing;
    }

    /// <summary>Throws, naming every missing setting, when a production start lacks one.</summary>
    /// <exception cref="ServiceConfigurationException">A required setting is missing.</exception>
    public static void Enforce(IConfiguration configuration)
    {
        if (ModeOf(configuration) != ServiceMode.Production) return;
        var missing = Missing(configuration);
        if (missing.Count == 0) return;
        throw new ServiceConfigurationException(
            $"{ModeKey} is Production (the default), which needs these settings: " + string.Join("; ", missing) +
            $". For a local zero-config start set {ModeKey}=Development (or pass --dev).");
    }
}
