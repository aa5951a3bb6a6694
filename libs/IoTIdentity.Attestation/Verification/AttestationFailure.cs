namespace IoTIdentity.Attestation.Verification;

/// <summary>Why a TPM-produced structure was refused. A closed list: every verifier failure is one of these.</summary>
public enum AttestationFailure
{
    /// <summary>The bytes do not parse as the expected TPM structure.</summary>
    Malformed = 1,
    /// <summary>TPMS_ATTEST.magic is not TPM_GENERATED_VALUE: the TPM did not produce it.</summary>
    Magic,
    /// <summary>TPMS_ATTEST.type is not the attestation asked for (quote vs certify).</summary>
    Type,
    /// <summary>extraData is not the nonce of this challenge.</summary>
    Nonce,
    /// <summary>The signature's scheme or hash does not fit the signing key.</summary>
    SignatureScheme,
    /// <summary>The signature does not verify with the signing key over the bytes received.</summary>
    Signature,
    /// <summary>The quote's PCR selection is not exactly the selection asked for.</summary>
    PcrSelection,
    /// <summary>The supplied PCR values do not cover the selection or have the wrong sizes.</summary>
    PcrValues,
    /// <summary>The quote's PCR digest is not the digest of the supplied PCR values.</summary>
    PcrDigest,
    /// <summary>The certified Name is not the Name of the key presented.</summary>
    CertifiedName,
    /// <summary>A key's attributes are not acceptable (e.g. AK not restricted, device key exportable).</summary>
    KeyAttributes,
    /// <summary>A key's algorithm, size, curve or name algorithm is not acceptable.</summary>
    KeyAlgorithm,
    /// <summary>The EK public area presented is not the key the EK certificate certifies.</summary>
    EkMismatch,
    /// <summary>The secret recovered by ActivateCredential is not the one sent.</summary>
    ActivationSecret,
}
