using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// A PKCS#10 request that passed every check of <see cref="CertificateSigningRequestValidator.Validate"/>. It has no
/// public constructor: holding one means the checks ran. Requested attributes (extensionRequest and the like) are
/// deliberately not exposed: the issuer decides every extension.
/// </summary>
public sealed class VerifiedCertificateSigningRequest
{
    private readonly byte[] _der;
    private readonly byte[] _subjectPublicKeyInfo;

    internal VerifiedCertificateSigningRequest(byte[] der, byte[] subjectPublicKeyInfo, X500DistinguishedName subject,
        string signatureAlgorithm)
    {
        _der = der;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        Subject = subject;
        SignatureAlgorithm = signatureAlgorithm;
    }

    /// <summary>The request exactly as received.</summary>
    public ReadOnlyMemory<byte> Der => _der;

    /// <summary>The request's key, canonical DER; equal to the expected key.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>The subject the device asked for (informational; the issuer sets its own).</summary>
    public X500DistinguishedName Subject { get; }

    /// <summary>The OID of the signature algorithm that verified.</summary>
    public string SignatureAlgorithm { get; }
}
