using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_GetCapability — Part 3, §30.2.</summary>
public sealed record GetCapability(TpmCap Capability, uint Property, uint PropertyCount) : ITpmCommand<GetCapabilityResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.GetCapability;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteUInt32((uint)Capability);
        writer.WriteUInt32(Property);
        writer.WriteUInt32(PropertyCount);
    }

    /// <inheritdoc/>
    public GetCapabilityResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        new(parameters.ReadBool(), TpmsCapabilityData.ReadFrom(ref parameters));
}

/// <summary>TPM2_GetCapability response: whether more data exists, and the data.</summary>
public sealed record GetCapabilityResponse(bool MoreData, TpmsCapabilityData Data);
