using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_Startup — Part 3, §9.3.</summary>
public sealed record Startup(TpmSu StartupType) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.Startup;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => writer.WriteUInt16((ushort)StartupType);

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
