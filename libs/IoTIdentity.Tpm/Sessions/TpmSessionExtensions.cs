using System.Security.Cryptography;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Sessions;

/// <summary>Starting policy sessions and satisfying the TCG EK policy (PolicySecret on the endorsement hierarchy).</summary>
public static class TpmSessionExtensions
{
    /// <summary>Starts an unsalted, unbound policy session (TPM2_StartAuthSession, Part 3, §11.1).</summary>
    public static async Task<PolicySession> StartPolicySessionAsync(this TpmClient tpm, TpmAlgId hash = TpmAlgId.Sha256, CancellationToken cancellationToken = default)
    {
        var nonce = RandomNumberGenerator.GetBytes(TpmHash.DigestSize(hash));
        var command = new StartAuthSession(TpmHandles.Null, TpmHandles.Null, nonce, [], TpmSe.Policy, TpmtSymDef.Null, hash);
        var response = await tpm.ExecuteAsync(command, [], cancellationToken).ConfigureAwait(false);
        return new PolicySession(response.SessionHandle, hash, response.NonceTpm);
    }

    /// <summary>
    /// Starts a policy session satisfying PolicyA — TPM2_PolicySecret(TPM_RH_ENDORSEMENT) with the endorsement
    /// password — which authorizes the USER role of a TCG EK.
    /// </summary>
    public static async Task<PolicySession> StartEkPolicySessionAsync(this TpmClient tpm, TpmAlgId hash, PasswordSession? endorsementAuth = null, CancellationToken cancellationToken = default)
    {
        var session = await tpm.StartPolicySessionAsync(hash, cancellationToken).ConfigureAwait(false);
        try
        {
            var policy = new PolicySecret(TpmHandles.Endorsement, session.Handle, session.NonceTpm, [], [], 0);
            await tpm.ExecuteAsync(policy, [endorsementAuth ?? PasswordSession.Empty], cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await tpm.FlushAsync(session.Handle, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Flushes a transient object or session (TPM2_FlushContext).</summary>
    public static Task FlushAsync(this TpmClient tpm, uint handle, CancellationToken cancellationToken = default) =>
        tpm.ExecuteAsync(new FlushContext(handle), [], cancellationToken);
}
