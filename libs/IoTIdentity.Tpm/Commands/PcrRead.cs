using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_PCR_Read — Part 3, §22.4. A TPM returns at most 8 digests per call and says which it returned in
/// <see cref="PcrReadResponse.PcrSelectionOut"/>; see <see cref="TpmPcrExtensions.ReadPcrsAsync"/> for all of a selection.
/// </summary>
public sealed record PcrRead(TpmlPcrSelection PcrSelectionIn) : ITpmCommand<PcrReadResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.PcrRead;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => PcrSelectionIn.WriteTo(ref writer);

    /// <inheritdoc/>
    public PcrReadResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        new(parameters.ReadUInt32(), TpmlPcrSelection.ReadFrom(ref parameters), TpmlDigest.ReadFrom(ref parameters));
}

/// <summary>TPM2_PCR_Read response.</summary>
public sealed record PcrReadResponse(uint PcrUpdateCounter, TpmlPcrSelection PcrSelectionOut, TpmlDigest PcrValues);
