using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_EvictControl — Part 3, §28.5: makes a transient object persistent at <see cref="PersistentHandle"/>, or
/// (given the persistent handle as <see cref="ObjectHandle"/>) removes it.
/// </summary>
public sealed record EvictControl(uint Auth, uint ObjectHandle, uint PersistentHandle) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.EvictControl;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [Auth, ObjectHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => writer.WriteUInt32(PersistentHandle);

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
