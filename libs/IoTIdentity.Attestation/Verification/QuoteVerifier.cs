using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Verification;

/// <summary>
/// Verifies a TPM2_Quote made by an attestation key. Pure and offline. The checks, in order — the first that fails
/// is the reason:
/// <list type="number">
/// <item><see cref="AttestationFailure.Malformed"/>: the attestation bytes parse as exactly one TPMS_ATTEST;</item>
/// <item><see cref="AttestationFailure.SignatureScheme"/>, <see cref="AttestationFailure.Signature"/>: the signature
/// verifies with the AK over the bytes exactly as received;</item>
/// <item><see cref="AttestationFailure.Magic"/>: magic is TPM_GENERATED_VALUE;</item>
/// <item><see cref="AttestationFailure.Type"/>: type is TPM_ST_ATTEST_QUOTE;</item>
/// <item><see cref="AttestationFailure.Nonce"/>: extraData equals the challenge nonce (constant time);</item>
/// <item><see cref="AttestationFailure.PcrSelection"/>: the quoted selection is exactly the one asked for;</item>
/// <item><see cref="AttestationFailure.PcrValues"/>: the supplied values cover that selection, one per PCR, each of
/// its bank's digest size;</item>
/// <item><see cref="AttestationFailure.PcrDigest"/>: pcrDigest equals H(concatenated values in selection order),
/// H being the signature's hash (Part 3, §18.4).</item>
/// </list>
/// The AK itself is checked once, at registration, with <see cref="KeyRequirements.CheckAttestationKey"/>.
/// </summary>
public static class QuoteVerifier
{
    /// <summary>Runs every check; throws <see cref="VerificationException"/> with the first failure.</summary>
    public static VerifiedQuote Verify(TpmtPublic ak, ReadOnlySpan<byte> attestBytes, TpmtSignature signature,
        ReadOnlySpan<byte> nonce, TpmlPcrSelection expectedSelection, IReadOnlyList<PcrValue> pcrValues)
    {
        using var verifier = new TpmVerificationKey(ak);
        return Verify(verifier, attestBytes, signature, nonce, expectedSelection, pcrValues);
    }

    /// <summary>Runs every check with an AK imported once for the whole attest (quote and certify).</summary>
    public static VerifiedQuote Verify(TpmVerificationKey ak, ReadOnlySpan<byte> attestBytes, TpmtSignature signature,
        ReadOnlySpan<byte> nonce, TpmlPcrSelection expectedSelection, IReadOnlyList<PcrValue> pcrValues)
    {
        var attest = Parse(attestBytes);
        TpmSignatures.Verify(ak, attestBytes, signature);
        CheckHeader(attest, TpmSt.AttestQuote, nonce);
        var quote = (TpmsQuoteInfo)attest.Attested;
        if (!quote.PcrSelect.SelectsSameAs(expectedSelection))
            throw new VerificationException(AttestationFailure.PcrSelection, "quoted PCR selection differs from the one asked for");
        var ordered = OrderValues(quote.PcrSelect, pcrValues);
        using var hash = IncrementalHash.CreateHash(TpmHash.Name(signature.Hash));
        foreach (var value in ordered) hash.AppendData(value.Digest);
        Span<byte> digest = stackalloc byte[TpmHash.MaxDigestSize];
        var written = hash.GetHashAndReset(digest);
        if (!CryptographicOperations.FixedTimeEquals(digest[..written], quote.PcrDigest))
            throw new VerificationException(AttestationFailure.PcrDigest, "pcrDigest is not the digest of the supplied PCR values");
        return new VerifiedQuote(attest, ordered);
    }

    internal static TpmsAttest Parse(ReadOnlySpan<byte> attestBytes)
    {
        try
        {
            return TpmMarshal.FromBytes<TpmsAttest>(attestBytes);
        }
        catch (TpmFormatException e)
        {
            throw new VerificationException(AttestationFailure.Malformed, e.Message);
        }
    }

    internal static void CheckHeader(TpmsAttest attest, TpmSt expectedType, ReadOnlySpan<byte> nonce)
    {
        if (attest.Magic != TpmConstants.Generated)
            throw new VerificationException(AttestationFailure.Magic, $"magic 0x{attest.Magic:X8} is not TPM_GENERATED_VALUE");
        if (attest.Type != expectedType)
            throw new VerificationException(AttestationFailure.Type, $"attestation type {attest.Type}, expected {expectedType}");
        if (!CryptographicOperations.FixedTimeEquals(attest.ExtraData, nonce))
            throw new VerificationException(AttestationFailure.Nonce, "extraData is not this challenge's nonce");
    }

    private static List<PcrValue> OrderValues(TpmlPcrSelection selection, IReadOnlyList<PcrValue> supplied)
    {
        var byKey = new Dictionary<(TpmAlgId, int), PcrValue>();
        foreach (var value in supplied)
        {
            if (!TpmHash.IsHash(value.Hash) || value.Digest.Length != TpmHash.DigestSize(value.Hash))
                throw new VerificationException(AttestationFailure.PcrValues, $"PCR {value.Index} value has the wrong size for {value.Hash}");
            if (!byKey.TryAdd((value.Hash, value.Index), value))
                throw new VerificationException(AttestationFailure.PcrValues, $"PCR {value.Hash}:{value.Index} supplied twice");
        }
        var ordered = new List<PcrValue>();
        foreach (var pair in selection.Pairs)
        {
            if (!byKey.TryGetValue(pair, out var value))
                throw new VerificationException(AttestationFailure.PcrValues, $"no value supplied for PCR {pair.Hash}:{pair.Pcr}");
            ordered.Add(value);
        }
        if (ordered.Count != byKey.Count)
            throw new VerificationException(AttestationFailure.PcrValues, "values supplied for PCRs outside the quoted selection");
        return ordered;
    }
}
