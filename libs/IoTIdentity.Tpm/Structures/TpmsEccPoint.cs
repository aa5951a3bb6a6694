using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMS_ECC_POINT — Part 2, §11.2.5.2: two TPM2B_ECC_PARAMETER coordinates.</summary>
public sealed record TpmsEccPoint(byte[] X, byte[] Y) : ITpmSizedContent<TpmsEccPoint>
{
    /// <inheritdoc/>
    public static int MaxSize => 2 * (2 + Tpm2bLimits.EccParameter);

    /// <inheritdoc/>
    public static string WrapperName => "TPM2B_ECC_POINT";

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteSized(X);
        writer.WriteSized(Y);
    }

    /// <inheritdoc/>
    public static TpmsEccPoint ReadFrom(ref TpmReader reader) =>
        new(reader.ReadSized(Tpm2bLimits.EccParameter, "TPM2B_ECC_PARAMETER x"),
            reader.ReadSized(Tpm2bLimits.EccParameter, "TPM2B_ECC_PARAMETER y"));
}
