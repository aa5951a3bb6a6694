namespace IoTIdentity.Protocol.Messages;

/// <summary>
/// Step 2 — <c>attest</c>: the device's answer to the open challenge. TPM structures are the marshalled bytes the
/// TPM returned; the service verifies signatures over exactly these bytes.
/// </summary>
public sealed record AttestRequest
{
    /// <summary>The challenge nonce being answered (the service also knows it; a mismatch is refused).</summary>
    public required byte[] Nonce { get; init; }

    /// <summary>The secret TPM2_ActivateCredential returned.</summary>
    public required byte[] ActivatedSecret { get; init; }

    /// <summary>TPM2_Quote's TPMS_ATTEST (the content of the TPM2B_ATTEST).</summary>
    public required byte[] Quote { get; init; }

    /// <summary>TPM2_Quote's marshalled TPMT_SIGNATURE.</summary>
    public required byte[] QuoteSignature { get; init; }

    /// <summary>The values of the quoted PCRs.</summary>
    public required IReadOnlyList<PcrValueMessage> PcrValues { get; init; }

    /// <summary>The new device key's marshalled TPMT_PUBLIC.</summary>
    public required byte[] DeviceKeyPublic { get; init; }

    /// <summary>TPM2_Certify's TPMS_ATTEST for the device key.</summary>
    public required byte[] Certify { get; init; }

    /// <summary>TPM2_Certify's marshalled TPMT_SIGNATURE.</summary>
    public required byte[] CertifySignature { get; init; }

    /// <summary>A PKCS#10 certificate request (DER) signed by the device key.</summary>
    public required byte[] Csr { get; init; }
}

/// <summary>One PCR's value in one bank.</summary>
/// <param name="Hash">The bank, as the TPM_ALG_ID number (11 = SHA-256).</param>
/// <param name="Index">The PCR index.</param>
/// <param name="Digest">The value.</param>
public sealed record PcrValueMessage(ushort Hash, int Index, byte[] Digest);
