using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>The checks <see cref="TenantCertificateAuthority.Import"/> makes, in the order its doc comment lists.</summary>
internal static class OwnerIssuingCa
{
    /// <summary>Returns the imported issuing key once every check passed; throws <see cref="CaImportException"/> otherwise.</summary>
    public static ECDsa Check(X509Certificate2 root, X509Certificate2 issuing, ReadOnlySpan<byte> pkcs8, DateTimeOffset now)
    {
        if (!root.SubjectName.RawData.AsSpan().SequenceEqual(root.IssuerName.RawData) || !IsCa(root))
            throw Fail(CaImportFailure.NotACertificateAuthority, "The root is not a self-issued CA certificate (cA=TRUE).");
        if (!IsCa(issuing))
            throw Fail(CaImportFailure.NotACertificateAuthority, "The issuing certificate does not say cA=TRUE.");
        var usage = issuing.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        const X509KeyUsageFlags needed = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign;
        if (usage is null || (usage.KeyUsages & needed) != needed)
            throw Fail(CaImportFailure.NotACertificateAuthority, "The issuing certificate's key usage must include keyCertSign and cRLSign.");

        using var publicKey = issuing.GetECDsaPublicKey();
        var curve = publicKey?.ExportParameters(false).Curve.Oid.Value;
        if (curve is not ("1.2.840.10045.3.1.7" or "1.3.132.0.34"))
            throw Fail(CaImportFailure.UnsupportedKey, "The issuing key must be ECDSA on P-256 or P-384.");

        var key = ECDsa.Create();
        try
        {
            try
            {
                key.ImportPkcs8PrivateKey(pkcs8, out var read);
                if (read != pkcs8.Length) throw new CryptographicException("trailing bytes after the key");
            }
            catch (CryptographicException e)
            {
                throw Fail(CaImportFailure.MalformedPrivateKey, $"The private key is not a PKCS#8 EC key: {e.Message}");
            }
            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(issuing.PublicKey.ExportSubjectPublicKeyInfo()))
                throw Fail(CaImportFailure.KeyMismatch, "The private key is not the issuing certificate's key.");
            CheckChain(root, issuing, now);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void CheckChain(X509Certificate2 root, X509Certificate2 issuing, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        var built = chain.Build(issuing);
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if (!built && (flags & ~X509ChainStatusFlags.NotTimeValid) == 0)
            throw Fail(CaImportFailure.NotTimeValid, $"The root or issuing certificate is not valid at {now:O}.");
        if (!built || chain.ChainElements.Count != 2 || !chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData))
            throw Fail(CaImportFailure.DoesNotChain, $"The issuing certificate does not chain directly to the given root ({flags}).");
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority == true;

    private static CaImportException Fail(CaImportFailure failure, string message) => new(failure, message);
}
