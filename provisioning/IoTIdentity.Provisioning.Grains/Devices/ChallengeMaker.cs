using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Makes the challenge of a register: <c>MakeCredential(EK, Name(AK), secret)</c>, a fresh 32-byte nonce, the PCR
/// selection the policy wants, a short expiry and who asked — what the device's activation keeps (single use) and what
/// the device is sent.
/// </summary>
public sealed class ChallengeMaker(RandomNumberGenerator random, TimeProvider clock, IOptions<ProvisioningOptions> options)
{
    /// <summary>The challenge to keep and the reply that carries it to the device.</summary>
    public (PendingChallenge Kept, ChallengeResponse Reply) Make(string deviceId, TpmtPublic ek, TpmtPublic ak, RegisterRequest request, EnrollmentPolicy policy,
        string? remoteAddress = null)
    {
        var made = CredentialMaker.Make(ek, TpmNames.Compute(ak.NameAlg, request.AkPublic), random);
        var nonce = new byte[32];
        random.GetBytes(nonce);
        var selection = TpmMarshal.ToBytes(TpmlPcrSelection.Of(TpmAlgId.Sha256, [.. policy.PcrIndices]));
        var expires = clock.GetUtcNow() + options.Value.ChallengeLifetime;
        var kept = new PendingChallenge
        {
            Nonce = nonce, Secret = made.Secret, AkPublic = request.AkPublic, PcrSelection = selection, ExpiresAt = expires,
            TenantId = policy.TenantId, GroupId = policy.GroupId, Mode = request.Mode, EventLog = request.EventLog,
            Source = remoteAddress is null ? null : Protocol.SourceAddresses.Of(remoteAddress),
        };
        var reply = new ChallengeResponse
        {
            DeviceId = deviceId,
            CredentialBlob = TpmMarshal.ToBytes(made.CredentialBlob),
            EncryptedSecret = TpmMarshal.ToBytes(made.EncryptedSecret),
            Nonce = nonce,
            PcrSelection = selection,
            ExpiresAt = expires,
        };
        return (kept, reply);
    }
}
