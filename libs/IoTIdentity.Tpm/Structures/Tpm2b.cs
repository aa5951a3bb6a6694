using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// A size-prefixed structure — TPM2B_PUBLIC (Part 2, §12.2.5), TPM2B_ATTEST (§10.12.13), TPM2B_CREATION_DATA
/// (§15.2), TPM2B_NV_PUBLIC (§13.6), TPM2B_SENSITIVE_CREATE (§11.1.16), TPM2B_ECC_POINT (§11.2.5.3).
/// Keeps the inner bytes exactly as received (<see cref="Raw"/>) beside the parsed <see cref="Value"/>, so
/// names and signatures are computed over what the TPM produced, never over a re-marshalling.
/// </summary>
public sealed record Tpm2b<T> : ITpmStructure<Tpm2b<T>> where T : ITpmSizedContent<T>
{
    private Tpm2b(byte[] raw, T value)
    {
        Raw = raw;
        Value = value;
    }

    /// <summary>The marshalled inner structure, without the size prefix.</summary>
    public byte[] Raw { get; }

    /// <summary>The parsed inner structure.</summary>
    public T Value { get; }

    /// <summary>Wraps a structure, marshalling it.</summary>
    public static Tpm2b<T> From(T value) => new(TpmMarshal.ToBytes(value), value);

    /// <summary>Parses inner bytes that must hold exactly one <typeparamref name="T"/>.</summary>
    public static Tpm2b<T> FromRaw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > T.MaxSize) throw new TpmFormatException($"{T.WrapperName} of {raw.Length} bytes exceeds its maximum {T.MaxSize}");
        return new(raw.ToArray(), TpmMarshal.FromBytes<T>(raw));
    }

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer) => writer.WriteSized(Raw);

    /// <inheritdoc/>
    public static Tpm2b<T> ReadFrom(ref TpmReader reader)
    {
        var raw = reader.ReadSized(T.MaxSize, T.WrapperName);
        if (raw.Length == 0) throw new TpmFormatException($"{T.WrapperName} is empty");
        return new(raw, TpmMarshal.FromBytes<T>(raw));
    }
}
