using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Tpm.Commands;

/// <summary>The parameter area shared by TPM2_Create and TPM2_CreatePrimary (Part 3, §12.1 and §24.1).</summary>
internal static class CreateParameters
{
    public static void Write(ref TpmWriter writer, TpmsSensitiveCreate sensitive, TpmtPublic template, byte[] outsideInfo, TpmlPcrSelection creationPcr)
    {
        Tpm2b<TpmsSensitiveCreate>.From(sensitive).WriteTo(ref writer);
        Tpm2b<TpmtPublic>.From(template).WriteTo(ref writer);
        writer.WriteSized(outsideInfo);
        creationPcr.WriteTo(ref writer);
    }
}

/// <summary>
/// The response parameters shared by TPM2_Create and TPM2_CreatePrimary: the public area, creation data, creation
/// hash and creation ticket (Part 3, §12.1.2 and §24.1.2).
/// </summary>
public sealed record CreatedObject(Tpm2b<TpmtPublic> OutPublic, Tpm2b<TpmsCreationData> CreationData, byte[] CreationHash, TpmtTicket CreationTicket)
{
    /// <summary>Reads the four parameters in order.</summary>
    public static CreatedObject ReadFrom(ref TpmReader reader) => new(
        Tpm2b<TpmtPublic>.ReadFrom(ref reader),
        Tpm2b<TpmsCreationData>.ReadFrom(ref reader),
        reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST creationHash"),
        TpmtTicket.ReadFrom(ref reader));
}
