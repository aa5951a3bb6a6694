using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.Verification;

/// <summary>A certified key that passed every check of <see cref="CertifyVerifier"/>; only the verifier creates one.</summary>
public sealed class VerifiedCertify
{
    internal VerifiedCertify(TpmsAttest attest, Tpm2b<TpmtPublic> key, byte[] name)
    {
        Attest = attest;
        Key = key;
        Name = name;
    }

    /// <summary>The signed attestation structure.</summary>
    public TpmsAttest Attest { get; }

    /// <summary>The certified key's public area, as received.</summary>
    public Tpm2b<TpmtPublic> Key { get; }

    /// <summary>The certified key's Name.</summary>
    public byte[] Name { get; }
}
