using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPM2B_ID_OBJECT — Part 2, §12.4.3, holding TPMS_ID_OBJECT (§12.4.2): the credential blob of MakeCredential.
/// <see cref="IntegrityHmac"/> is a TPM2B_DIGEST; <see cref="EncIdentity"/> is the CFB-encrypted TPM2B_DIGEST of
/// the credential and runs to the end of the structure (it carries no size of its own).
/// </summary>
public sealed record Tpm2bIdObject(byte[] IntegrityHmac, byte[] EncIdentity) : ITpmStructure<Tpm2bIdObject>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        var mark = writer.BeginSized();
        writer.WriteSized(IntegrityHmac);
        writer.WriteBytes(EncIdentity);
        writer.EndSized(mark);
    }

    /// <inheritdoc/>
    public static Tpm2bIdObject ReadFrom(ref TpmReader reader)
    {
        var scope = reader.ReadSizedScope(Tpm2bLimits.IdObject, "TPM2B_ID_OBJECT");
        var hmac = scope.ReadSized(Tpm2bLimits.Digest, "TPMS_ID_OBJECT integrityHMAC");
        var enc = scope.ReadBytes(scope.Remaining).ToArray();
        return new(hmac, enc);
    }
}
