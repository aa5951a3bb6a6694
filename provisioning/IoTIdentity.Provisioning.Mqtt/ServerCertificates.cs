using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's TLS certificate: the configured one (PKCS#12, or PEM certificate and key), or else a development
/// certificate — ECDSA P-256, self-signed, SAN localhost/127.0.0.1/::1 — generated once into the data directory
/// and reused on every later start until it comes within <see cref="RenewBefore"/> of expiring.
/// </summary>
public static class ServerCertificates
{
    /// <summary>The dev certificate's file name (public; devices trust this file).</summary>
    public const string DevCertificateFile = "mqtt-dev-cert.pem";

    /// <summary>The dev certificate's private key file name (owner-only permissions).</summary>
    public const string DevKeyFile = "mqtt-dev-key.pem";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(730);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>Loads the configured certificate or the dev certificate; the path is the dev certificate's PEM, or null.</summary>
    public static (X509Certificate2 Certificate, string? DevCertificatePath) Load(MqttEndpointOptions options, TimeProvider time, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.CertificatePath))
            return (LoadConfigured(options.CertificatePath, options.CertificateKeyPath, options.CertificatePassword, "MQTT server certificate"), null);
        var directory = Path.GetFullPath(options.DataDirectory);
        var certPath = Path.Combine(directory, DevCertificateFile);
        var keyPath = Path.Combine(directory, DevKeyFile);
        var certificate = TryLoadDev(certPath, keyPath, time);
        if (certificate is null)
        {
            certificate = CreateDev(options.DevCertificateDnsNames, time);
            Save(certificate, directory, certPath, keyPath);
            MqttEndpointLog.GeneratedDevCertificate(logger, certPath, certificate.NotAfter);
        }
        MqttEndpointLog.UsingDevCertificate(logger, certPath);
        return (certificate, certPath);
    }

    /// <summary>A configured server certificate: PKCS#12 at <paramref name="path"/> (with <paramref name="password"/>), or a PEM
    /// certificate with its PEM private key at <paramref name="keyPath"/> (encrypted when a password is given).</summary>
    /// <exception cref="InvalidOperationException">The certificate has no private key.</exception>
    public static X509Certificate2 LoadConfigured(string path, string? keyPath, string? password, string what)
    {
        X509Certificate2 certificate;
        if (string.IsNullOrEmpty(keyPath))
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        else if (string.IsNullOrEmpty(password))
            certificate = X509Certificate2.CreateFromPemFile(path, keyPath);
        else
            certificate = X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        if (!certificate.HasPrivateKey) throw new InvalidOperationException($"The {what} {path} has no private key");
        return Persistable(certificate);
    }

    private static X509Certificate2? TryLoadDev(string certPath, string keyPath, TimeProvider time)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath)) return null;
        try
        {
            var certificate = Persistable(X509Certificate2.CreateFromPemFile(certPath, keyPath));
            if (certificate.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime > RenewBefore) return certificate;
            certificate.Dispose();
            return null;
        }
        catch (CryptographicException)
        {
            return null; // unreadable or mismatched pair: make a new one
        }
    }

    private static X509Certificate2 CreateDev(IEnumerable<string> extraDnsNames, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=IoTIdentity MQTT development", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        foreach (var name in extraDnsNames.Where(n => !string.IsNullOrWhiteSpace(n))) names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.Add(Lifetime));
        return Persistable(created);
    }

    private static void Save(X509Certificate2 certificate, string directory, string certPath, string keyPath)
    {
        Directory.CreateDirectory(directory);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("dev certificate has no ECDSA key");
        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteAtomically(certPath, certificate.ExportCertificatePem(), secret: false);
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(content);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A certificate whose key SslStream can use on every platform (PEM-loaded keys are ephemeral on Windows).</summary>
    private static X509Certificate2 Persistable(X509Certificate2 certificate)
    {
        using (certificate)
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
