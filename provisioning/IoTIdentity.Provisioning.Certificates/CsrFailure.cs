namespace IoTIdentity.Provisioning.Certificates;

/// <summary>Why a PKCS#10 certificate signing request was refused. Closed: every reason has a test.</summary>
public enum CsrFailure
{
    /// <summary>Not a DER PKCS#10 CertificationRequest (version 0, name, key, attributes; nothing trailing), or its
    /// public key does not parse.</summary>
    Malformed = 1,

    /// <summary>The self-signature does not verify with the request's own key (or names an algorithm for another key type).</summary>
    BadSignature,

    /// <summary>The request is validly signed, but by a key other than the expected (TPM-certified) key.</summary>
    KeyMismatch,

    /// <summary>The key is not RSA 2048+ or ECC P-256/P-384/P-521, or the signature algorithm is not ECDSA or RSA
    /// PKCS#1 v1.5/PSS with SHA-256, SHA-384 or SHA-512 (PSS: MGF1 with the same hash, salt = hash length).</summary>
    UnsupportedAlgorithm,
}
