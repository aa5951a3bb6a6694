using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_PolicySecret — Part 3, §23.4: extends the policy session with proof of <see cref="AuthHandle"/>'s
/// authorization (for the TCG EK: the endorsement hierarchy, usually with an empty password).
/// </summary>
public sealed record PolicySecret(uint AuthHandle, uint PolicySession, byte[] NonceTpm, byte[] CpHashA, byte[] PolicyRef, int Expiration)
    : ITpmCommand<PolicySecretResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.PolicySecret;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [AuthHandle, PolicySession];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(NonceTpm);
        writer.WriteSized(CpHashA);
        writer.WriteSized(PolicyRef);
        writer.WriteUInt32(unchecked((uint)Expiration));
    }

    /// <inheritdoc/>
    public PolicySecretResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        new(parameters.ReadSized(Tpm2bLimits.Timeout, "TPM2B_TIMEOUT"), TpmtTicket.ReadFrom(ref parameters));
}

/// <summary>TPM2_PolicySecret response.</summary>
public sealed record PolicySecretResponse(byte[] Timeout, TpmtTicket PolicyTicket);
