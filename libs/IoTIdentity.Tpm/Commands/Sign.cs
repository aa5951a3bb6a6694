using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_Sign — Part 3, §20.2: signs a digest. An unrestricted key accepts any digest with the NULL ticket; a
/// restricted key needs a hash-check ticket from TPM2_Hash.
/// </summary>
public sealed record Sign(uint KeyHandle, byte[] Digest, TpmtScheme InScheme, TpmtTicket Validation) : ITpmCommand<TpmtSignature>
{
    /// <summary>Signs with the key's own scheme and the NULL ticket.</summary>
    public Sign(uint keyHandle, byte[] digest) : this(keyHandle, digest, TpmtScheme.Null, TpmtTicket.NullHashCheck) { }

    /// <inheritdoc/>
    public TpmCc Code => TpmCc.Sign;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [KeyHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(Digest);
        InScheme.WriteTo(ref writer);
        Validation.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public TpmtSignature ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmtSignature.ReadFrom(ref parameters);
}
