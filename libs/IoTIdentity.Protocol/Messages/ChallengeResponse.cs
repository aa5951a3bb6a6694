namespace IoTIdentity.Protocol.Messages;

/// <summary>
/// The answer to <c>register</c>: a credential only the TPM holding the EK and the AK can activate
/// (MakeCredential(EK, Name(AK), secret)), a fresh nonce for the quote and the certify, and the PCRs to quote.
/// The challenge is single-use and expires; a new <c>register</c> replaces it.
/// </summary>
public sealed record ChallengeResponse
{
    /// <summary>The device id the service derived from the EK.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The marshalled TPM2B_ID_OBJECT for TPM2_ActivateCredential.</summary>
    public required byte[] CredentialBlob { get; init; }

    /// <summary>The marshalled TPM2B_ENCRYPTED_SECRET for TPM2_ActivateCredential.</summary>
    public required byte[] EncryptedSecret { get; init; }

    /// <summary>32 fresh random bytes: qualifying data for the quote and the certify.</summary>
    public required byte[] Nonce { get; init; }

    /// <summary>The marshalled TPML_PCR_SELECTION to quote.</summary>
    public required byte[] PcrSelection { get; init; }

    /// <summary>When the challenge stops being accepted.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
