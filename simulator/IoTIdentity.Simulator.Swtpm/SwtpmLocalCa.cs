using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>
/// The test run's own "TPM manufacturer": swtpm_localca's root CA and the intermediate (issuer) CA that signs
/// every EK certificate swtpm_setup writes during this run. Tests trust <see cref="Root"/> as a manufacturer root.
/// The CA lives in a per-run temp directory, never in /var/lib/swtpm-localca.
/// </summary>
public sealed class SwtpmLocalCa
{
    internal SwtpmLocalCa(string directory)
    {
        Directory = directory;
        RootDer = ReadPemCertificate(Path.Combine(directory, "swtpm-localca-rootca-cert.pem"));
        IntermediateDer = ReadPemCertificate(Path.Combine(directory, "issuercert.pem"));
    }

    /// <summary>The CA's state directory (keys, certificates, serial counter).</summary>
    public string Directory { get; }

    /// <summary>The self-signed root, DER (CN=swtpm-localca-rootca).</summary>
    public byte[] RootDer { get; }

    /// <summary>The issuer of the EK and platform certificates, DER (CN=swtpm-localca), signed by the root.</summary>
    public byte[] IntermediateDer { get; }

    /// <summary>The root as a certificate object (a new instance per call; dispose it).</summary>
    public X509Certificate2 Root => X509CertificateLoader.LoadCertificate(RootDer);

    /// <summary>The intermediate as a certificate object (a new instance per call; dispose it).</summary>
    public X509Certificate2 Intermediate => X509CertificateLoader.LoadCertificate(IntermediateDer);

    private static byte[] ReadPemCertificate(string path)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"swtpm_localca did not create {path}");
        var pem = File.ReadAllText(path);
        var fields = System.Security.Cryptography.PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
