namespace IoTIdentity.Attestation.Ek;

/// <summary>Why an EK certificate was refused. Closed: every reason has a test.</summary>
public enum EkCertificateFailure
{
    /// <summary>Not a parsable X.509 certificate, or an encoding defect whose quirk is not allowed
    /// (non-DER encoding, negative serial number, empty subject with a non-critical SAN, unparsable TCG SAN).</summary>
    Malformed = 1,

    /// <summary>No chain to a configured manufacturer root.</summary>
    UntrustedRoot,

    /// <summary>The EK certificate, or a certificate above it, expired before the verification time.</summary>
    Expired,

    /// <summary>The EK certificate, or a certificate above it, is not valid yet at the verification time.</summary>
    NotYetValid,

    /// <summary>A signature in the chain does not verify.</summary>
    BadSignature,

    /// <summary>The chain is otherwise invalid (an issuer that is not a CA, path length, issuer key usage, …).</summary>
    InvalidChain,

    /// <summary>Not an EK certificate: the EKU lacks tcg-kp-EKCertificate, the EKU is missing (quirk not allowed),
    /// or the key usage lacks keyEncipherment (RSA) / keyAgreement (ECC).</summary>
    NotAnEkCertificate,

    /// <summary>Basic constraints say the certificate is a CA.</summary>
    IsCa,

    /// <summary>The public key is neither RSA (≥ 2048 bits) nor ECC on NIST P-256, P-384 or P-521.</summary>
    UnsupportedKey,

    /// <summary>A critical extension this verifier does not understand (quirk not allowed).</summary>
    UnsupportedCriticalExtension,
}
