using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// The pure checks of the two protocol steps. Each returns its value or the <see cref="Refusal"/> that names the
/// protocol's reason code; where a verifier of the attestation library reports a failure (its exception), the check
/// that called it maps it to that code, once, at the call. No I/O: the device grain supplies state and policy.
/// </summary>
internal static class AttestationChecks
{
    /// <summary>Parses a TPM structure received from a device.</summary>
    public static Checked<T> Parse<T>(byte[]? bytes, string what) where T : class, ITpmStructure<T>
    {
        if (bytes is null || bytes.Length == 0) return new Refusal(ProvisioningError.MalformedRequest, $"{what} is missing");
        try
        {
            return TpmMarshal.FromBytes<T>(bytes);
        }
        catch (TpmFormatException e)
        {
            return new Refusal(ProvisioningError.MalformedTpmStructure, $"{what}: {e.Message}");
        }
    }

    /// <summary>The EK public area is the key its (validated) certificate certifies.</summary>
    public static Refusal? CheckEkBinding(TpmtPublic ek, EkCertificate certificate)
    {
        try
        {
            EkBinding.CheckMatches(ek, certificate.PublicKey);
            return null;
        }
        catch (VerificationException e)
        {
            return new Refusal(ProvisioningError.EkMismatch, e.Message);
        }
    }

    /// <summary>The AK is a restricted signing key bound to this TPM (<see cref="KeyRequirements.CheckAttestationKey"/>).</summary>
    public static Refusal? CheckAttestationKey(TpmtPublic ak)
    {
        try
        {
            KeyRequirements.Default.CheckAttestationKey(ak);
            return null;
        }
        catch (VerificationException e)
        {
            return new Refusal(ProvisioningError.InvalidAttestationKey, e.Message);
        }
    }

    /// <summary>The secret the device activated is the challenge's (constant time).</summary>
    public static Refusal? CheckActivation(byte[] expected, byte[]? activated)
    {
        try
        {
            CredentialMaker.CheckActivation(expected, activated ?? []);
            return null;
        }
        catch (VerificationException e)
        {
            return new Refusal(ProvisioningError.ActivationFailed, e.Message);
        }
    }

    /// <summary>The renewal proof: signed by the device's current certified key over the documented bytes, recently.</summary>
    public static Refusal? CheckRenewal(string deviceId, RegisterRequest request, IssuedIdentity? current, DateTimeOffset now)
    {
        if (request.Renewal is not { } proof || current is null)
            return new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal without a current identity or proof");
        if (!string.Equals(proof.CertificateSerial, current.SerialNumber, StringComparison.OrdinalIgnoreCase))
            return new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal proof names another certificate");
        if ((now - proof.SignedAt).Duration() > RenewalProofs.MaxSkew)
            return new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal proof is stale");
        var signed = RenewalProofs.SignedBytes(deviceId, request.AkPublic, proof.CertificateSerial, proof.SignedAt);
        bool valid;
        try
        {
            valid = VerifiesWithSpki(current.SubjectPublicKeyInfo, signed, proof.Signature ?? []);
        }
        catch (CryptographicException)
        {
            valid = false;   // a signature that is not even well-formed for the key
        }
        return valid ? null : new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal proof signature does not verify with the current key");
    }

    /// <summary>A signature by the key of <paramref name="spki"/>: ECDSA (P1363) or RSA PKCS#1 v1.5, as its algorithm says.</summary>
    internal static bool VerifiesWithSpki(byte[] spki, byte[] data, byte[] signature)
    {
        // the SPKI was built by this service from a certified TPM key, so it parses; a malformed signature is just invalid
        if (PublicKeyInfo.Read(spki).Algorithm == PublicKeyInfo.EcPublicKey)
        {
            // without the platform import's order multiplication (about half a verification), as every TPM key here
            using var ecdsa = TpmPublicKeys.EcdsaFromSubjectPublicKeyInfo(spki);
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(spki, out _);
        return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The quote, against the challenge's nonce and selection (the AK imported once for quote and certify).</summary>
    public static Checked<VerifiedQuote> CheckQuote(TpmVerificationKey ak, PendingChallenge challenge, AttestRequest request)
    {
        var selection = TpmMarshal.FromBytes<TpmlPcrSelection>(challenge.PcrSelection);
        var signature = Parse<TpmtSignature>(request.QuoteSignature, "quote signature");
        if (signature.IsRefused) return signature.Refusal;
        var pcrs = (request.PcrValues ?? []).Select(v => new PcrValue((TpmAlgId)v.Hash, v.Index, v.Digest ?? [])).ToList();
        try
        {
            return QuoteVerifier.Verify(ak, request.Quote ?? [], signature.Value, challenge.Nonce, selection, pcrs);
        }
        catch (VerificationException e)
        {
            return new Refusal(ProvisioningError.QuoteInvalid, e.Message);
        }
    }

    /// <summary>The PCR values against the policy's allowed values (a PCR the policy lists must hold one of them).</summary>
    public static Refusal? CheckPcrPolicy(EnrollmentPolicy policy, VerifiedQuote quote)
    {
        foreach (var pcr in quote.Pcrs)
        {
            if (!policy.AllowedPcrValues.TryGetValue(pcr.Index, out var allowed) || allowed.Count == 0) continue;
            var value = Convert.ToHexStringLower(pcr.Digest);
            if (!allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
                return new Refusal(ProvisioningError.PcrPolicyViolation, $"PCR {pcr.Index} value {value} is not allowed");
        }
        return null;
    }

    /// <summary>
    /// Measured boot, when the policy lists allowed firmware: the challenge's event log replays to the quoted PCRs
    /// (else <see cref="ProvisioningError.EventLogMismatch"/>, also when there is no log) and its measurements are
    /// exactly one allowed release (else <see cref="ProvisioningError.MeasurementNotAllowed"/>). The value is the release
    /// ("product version"), or null when the policy does not ask.
    /// </summary>
    public static Checked<FirmwareMatch> CheckFirmware(EnrollmentPolicy policy, PendingChallenge challenge, VerifiedQuote quote)
    {
        if (policy.AllowedFirmware.Count == 0) return new FirmwareMatch(null);
        if (challenge.EventLog is null or { Length: 0 }) return new Refusal(ProvisioningError.EventLogMismatch, "no event log; the policy requires measured boot");
        try
        {
            var log = EventLogVerifier.Verify(challenge.EventLog, quote.Pcrs);
            return new FirmwareMatch(FirmwarePolicy.Match(log, policy.AllowedFirmware.Select(r => r.ToManifest()).ToList()).Release);
        }
        catch (EventLogException e)
        {
            return new Refusal(e.Failure == EventLogFailure.MeasurementNotAllowed ? ProvisioningError.MeasurementNotAllowed : ProvisioningError.EventLogMismatch,
                $"event log: {e.Failure}: {e.Message}");
        }
    }

    /// <summary>The certify of the device key by the AK.</summary>
    public static Checked<VerifiedCertify> CheckCertify(TpmVerificationKey ak, PendingChallenge challenge, AttestRequest request)
    {
        if (request.DeviceKeyPublic is null or { Length: 0 }) return new Refusal(ProvisioningError.MalformedRequest, "device key missing");
        Tpm2b<TpmtPublic> key;
        try
        {
            key = Tpm2b<TpmtPublic>.FromRaw(request.DeviceKeyPublic);
        }
        catch (TpmFormatException e)
        {
            return new Refusal(ProvisioningError.MalformedTpmStructure, $"device key: {e.Message}");
        }
        var signature = Parse<TpmtSignature>(request.CertifySignature, "certify signature");
        if (signature.IsRefused) return signature.Refusal;
        try
        {
            return CertifyVerifier.Verify(ak, request.Certify ?? [], signature.Value, challenge.Nonce, key);
        }
        catch (VerificationException e)
        {
            return new Refusal(ProvisioningError.CertifyInvalid, e.Message);
        }
    }

    /// <summary>
    /// The CSR: signed by the device key, carrying exactly the certified public key; the value is that key's X.509
    /// SubjectPublicKeyInfo. The certified key is imported once, and the self-signature verified with it.
    /// </summary>
    public static Checked<byte[]> CheckCsr(byte[]? csr, VerifiedCertify certified)
    {
        if (csr is null or { Length: 0 }) return new Refusal(ProvisioningError.MalformedRequest, "CSR missing");
        var key = certified.Key.Value;
        var spki = TpmPublicKeys.SubjectPublicKeyInfo(key);
        using AsymmetricAlgorithm imported = key.Parameters is TpmsEccParms ? TpmPublicKeys.ToEcdsa(key) : TpmPublicKeys.ToRsa(key);
        var result = CertificateSigningRequestValidator.Validate(csr, spki, imported);
        return result.IsValid ? spki : new Refusal(ProvisioningError.CsrInvalid, $"CSR: {result.Failure}: {result.Detail}");
    }

    /// <summary>The PCR values as recorded on the device.</summary>
    public static ImmutableDictionary<int, string> PcrMap(VerifiedQuote quote) =>
        quote.Pcrs.ToImmutableDictionary(p => p.Index, p => Convert.ToHexStringLower(p.Digest));
}
