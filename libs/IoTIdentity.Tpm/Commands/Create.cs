using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_Create — Part 3, §12.1: creates an ordinary object under a loaded parent; load it with <see cref="Load"/>.</summary>
public sealed record Create(uint ParentHandle, TpmsSensitiveCreate InSensitive, TpmtPublic InPublic, byte[] OutsideInfo, TpmlPcrSelection CreationPcr)
    : ITpmCommand<CreateResponse>
{
    /// <summary>Create under <paramref name="parent"/> with no auth value, outside info or creation PCRs.</summary>
    public Create(uint parent, TpmtPublic template) : this(parent, TpmsSensitiveCreate.Empty, template, [], TpmlPcrSelection.Empty) { }

    /// <inheritdoc/>
    public TpmCc Code => TpmCc.Create;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [ParentHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => CreateParameters.Write(ref writer, InSensitive, InPublic, OutsideInfo, CreationPcr);

    /// <inheritdoc/>
    public CreateResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters)
    {
        var outPrivate = Tpm2bPrivate.ReadFrom(ref parameters);
        return new(outPrivate, CreatedObject.ReadFrom(ref parameters));
    }
}

/// <summary>TPM2_Create response: the protected private area and what was created.</summary>
public sealed record CreateResponse(Tpm2bPrivate OutPrivate, CreatedObject Created)
{
    /// <summary>The public area.</summary>
    public Tpm2b<TpmtPublic> OutPublic => Created.OutPublic;
}
