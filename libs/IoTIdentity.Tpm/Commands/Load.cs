using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_Load — Part 3, §12.2: loads an object created with <see cref="Create"/> under its parent.</summary>
public sealed record Load(uint ParentHandle, Tpm2bPrivate InPrivate, Tpm2b<TpmtPublic> InPublic) : ITpmCommand<LoadResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.Load;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [ParentHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public int ResponseHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        InPrivate.WriteTo(ref writer);
        InPublic.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public LoadResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        new(handles[0], parameters.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME"));
}

/// <summary>TPM2_Load response: the transient handle and the object's Name.</summary>
public sealed record LoadResponse(uint ObjectHandle, byte[] Name);
