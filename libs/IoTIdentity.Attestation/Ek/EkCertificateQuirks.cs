namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// Deviations from RFC 5280 / the TCG EK Credential Profile that real TPM vendors' EK certificates have, each of which
/// the validator refuses unless configured to accept it. The same flags report which quirks a given certificate
/// actually needed (<see cref="EkCertificateValidationResult.AcceptedQuirks"/>), so acceptance is never silent.
/// </summary>
/// <remarks>
/// Not a quirk: an empty subject with a critical SAN. That is what RFC 5280 §4.2.1.6 requires and what the TCG
/// profile prescribes, so it is always accepted. Flags bind from configuration as a comma-separated list.
/// </remarks>
[Flags]
public enum EkCertificateQuirks
{
    /// <summary>No deviation tolerated.</summary>
    None = 0,

    /// <summary>
    /// The certificate is not DER: the serial number INTEGER is not minimally encoded (e.g. a redundant leading zero
    /// octet), which .NET refuses to load. Accepted by re-encoding the serial minimally to parse the certificate and
    /// build the chain, while the EK certificate's signature is verified over the TBSCertificate octets as received.
    /// Other non-DER defects stay <see cref="EkCertificateFailure.Malformed"/>.
    /// </summary>
    NonDerSerialNumber = 1 << 0,

    /// <summary>The serial number is negative (RFC 5280 §4.1.2.2 requires a positive integer).</summary>
    NegativeSerialNumber = 1 << 1,

    /// <summary>A critical extension this verifier does not understand, such as the TCG subject directory
    /// attributes marked critical. It is then ignored.</summary>
    UnknownCriticalExtension = 1 << 2,

    /// <summary>No extended key usage extension at all (older EK certificates). A present EKU must still contain
    /// tcg-kp-EKCertificate.</summary>
    MissingExtendedKeyUsage = 1 << 3,

    /// <summary>The subject is empty but the SAN is not marked critical (RFC 5280 §4.2.1.6 says it must be).</summary>
    NonCriticalSanWithEmptySubject = 1 << 4,
}
