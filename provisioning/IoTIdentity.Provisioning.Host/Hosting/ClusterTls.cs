using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Mqtt;
using Orleans.Connections.Security;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Mutual TLS between silos (and on the gateway, when one is configured): every silo presents the cluster certificate
/// at <c>Orleans:Tls:CertificatePath</c> (PKCS#12, or PEM with <c>Orleans:Tls:CertificateKeyPath</c>;
/// <c>Orleans:Tls:CertificatePassword</c>) and accepts a peer only when the peer's certificate chains to the cluster
/// CA at <c>Orleans:Tls:CaPath</c> (PEM or DER) — not to the machine's trust store, and never "any certificate".
/// Without <c>Orleans:Tls:CertificatePath</c> silo traffic is plain, which a production start allows only for one silo.
/// </summary>
public static class ClusterTls
{
    /// <summary>The configuration key of the silo's cluster certificate.</summary>
    public const string CertificatePathKey = "Orleans:Tls:CertificatePath";

    /// <summary>The configuration key of the CA every peer's certificate must chain to.</summary>
    public const string CaPathKey = "Orleans:Tls:CaPath";

    /// <summary>Whether the configuration forms (or joins) a cluster of more than one silo.</summary>
    public static bool IsMultiSilo(IConfiguration configuration) =>
        string.Equals(configuration[ClusteringConfiguration.Key], "cosmos", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrWhiteSpace(configuration["Orleans:PrimarySiloPort"]);

    /// <summary>What a production start of a multi-silo cluster lacks for mutual TLS between its silos.</summary>
    public static IEnumerable<string> Missing(IConfiguration configuration)
    {
        if (!IsMultiSilo(configuration)) yield break;
        if (string.IsNullOrWhiteSpace(configuration[CertificatePathKey]))
            yield return $"{CertificatePathKey} — the silo's cluster certificate for mutual TLS between silos (PKCS#12, or PEM with Orleans:Tls:CertificateKeyPath)";
        if (string.IsNullOrWhiteSpace(configuration[CaPathKey]))
            yield return $"{CaPathKey} — the CA (PEM or DER) that issued the cluster certificates; peers chaining elsewhere are refused";
    }

    /// <summary>Turns on mutual TLS when <c>Orleans:Tls:CertificatePath</c> is set.</summary>
    /// <exception cref="InvalidOperationException">The certificate is set but the CA is not, or a file cannot be used.</exception>
    public static void Apply(ISiloBuilder silo, IConfiguration configuration)
    {
        if (configuration[CertificatePathKey] is not { Length: > 0 } path) return;
        if (configuration[CaPathKey] is not { Length: > 0 } caPath)
            throw new InvalidOperationException($"{CertificatePathKey} is set, but {CaPathKey} is not: name the CA that peers' cluster certificates must chain to.");
        var certificate = Load(CertificatePathKey, path, () => ServerCertificates.LoadConfigured(path,
            configuration["Orleans:Tls:CertificateKeyPath"], configuration["Orleans:Tls:CertificatePassword"], "cluster certificate"));
        var ca = Load(CaPathKey, caPath, () => X509CertificateLoader.LoadCertificateFromFile(caPath));
        silo.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, _) => ChainsTo(remote, ca);
        });
    }

    /// <summary>Whether <paramref name="certificate"/> is current and chains to <paramref name="ca"/> alone.</summary>
    public static bool ChainsTo(X509Certificate2? certificate, X509Certificate2 ca)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
    }

    private static X509Certificate2 Load(string key, string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"{key} {path} cannot be used as a certificate: {e.Message}", e);
        }
    }
}
