namespace IoTIdentity.Provisioning.Certificates;

/// <summary>Why an owner-brought issuing CA was refused. Closed: every reason has a test.</summary>
public enum CaImportFailure
{
    /// <summary>The root or issuing certificate is not a parsable X.509 certificate.</summary>
    MalformedCertificate = 1,

    /// <summary>The private key is not a parsable PKCS#8 EC private key.</summary>
    MalformedPrivateKey,

    /// <summary>The root is not self-issued, or either certificate lacks basicConstraints cA=TRUE, or the issuing
    /// certificate's key usage lacks keyCertSign or cRLSign.</summary>
    NotACertificateAuthority,

    /// <summary>The issuing key is not ECDSA on NIST P-256 or P-384.</summary>
    UnsupportedKey,

    /// <summary>The private key is not the issuing certificate's key.</summary>
    KeyMismatch,

    /// <summary>The issuing certificate is not signed by the given root (or the chain is otherwise invalid).</summary>
    DoesNotChain,

    /// <summary>The root or the issuing certificate is expired or not yet valid.</summary>
    NotTimeValid,
}
