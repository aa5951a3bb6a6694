using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMS_SENSITIVE_CREATE — Part 2, §11.1.15: the auth value and data given when creating an object.</summary>
public sealed record TpmsSensitiveCreate(byte[] UserAuth, byte[] Data) : ITpmSizedContent<TpmsSensitiveCreate>
{
    /// <summary>No auth value and no data (the usual for generated keys).</summary>
    public static TpmsSensitiveCreate Empty { get; } = new([], []);

    /// <inheritdoc/>
    public static int MaxSize => 2 + Tpm2bLimits.Digest + 2 + Tpm2bLimits.SensitiveData;

    /// <inheritdoc/>
    public static string WrapperName => "TPM2B_SENSITIVE_CREATE";

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteSized(UserAuth);
        writer.WriteSized(Data);
    }

    /// <inheritdoc/>
    public static TpmsSensitiveCreate ReadFrom(ref TpmReader reader) => new(
        reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_AUTH userAuth"),
        reader.ReadSized(Tpm2bLimits.SensitiveData, "TPM2B_SENSITIVE_DATA"));
}
