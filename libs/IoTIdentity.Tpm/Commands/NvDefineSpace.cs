using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_NV_DefineSpace — Part 3, §31.3. Used by device factories to provision certificates into NV (the simulator's
/// manufacturer step and tests).
/// </summary>
public sealed record NvDefineSpace(uint AuthHandle, byte[] Auth, TpmsNvPublic PublicInfo) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.NvDefineSpace;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [AuthHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(Auth);
        Tpm2b<TpmsNvPublic>.From(PublicInfo).WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
