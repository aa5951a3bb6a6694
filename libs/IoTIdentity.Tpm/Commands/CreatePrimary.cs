using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_CreatePrimary — Part 3, §24.1: derives a primary key in a hierarchy from a template.</summary>
public sealed record CreatePrimary(uint PrimaryHandle, TpmsSensitiveCreate InSensitive, TpmtPublic InPublic, byte[] OutsideInfo, TpmlPcrSelection CreationPcr)
    : ITpmCommand<CreatePrimaryResponse>
{
    /// <summary>CreatePrimary in <paramref name="hierarchy"/> with no auth value, outside info or creation PCRs.</summary>
    public CreatePrimary(uint hierarchy, TpmtPublic template) : this(hierarchy, TpmsSensitiveCreate.Empty, template, [], TpmlPcrSelection.Empty) { }

    /// <inheritdoc/>
    public TpmCc Code => TpmCc.CreatePrimary;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [PrimaryHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public int ResponseHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => CreateParameters.Write(ref writer, InSensitive, InPublic, OutsideInfo, CreationPcr);

    /// <inheritdoc/>
    public CreatePrimaryResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters)
    {
        var created = CreatedObject.ReadFrom(ref parameters);
        var name = parameters.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME");
        return new(handles[0], created, name);
    }
}

/// <summary>TPM2_CreatePrimary response: the loaded handle, what was created, and its Name.</summary>
public sealed record CreatePrimaryResponse(uint ObjectHandle, CreatedObject Created, byte[] Name)
{
    /// <summary>The public area.</summary>
    public Tpm2b<TpmtPublic> OutPublic => Created.OutPublic;
}
