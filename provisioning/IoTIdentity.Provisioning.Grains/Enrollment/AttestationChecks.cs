using System.Collections.Immutable;
using System.Security.Cryptography;
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
/// The pure checks of the two protocol steps, each turning a verifier failure into the protocol's reason code.
/// No I/O: the device grain supplies state and policy.
/// </summary>
internal static class AttestationChecks
{
    /// <summary>Parses a TPM structure received from a device.</summary>
    public static T Parse<T>(byte[]? bytes, string what) where T : ITpmStructure<T>
    {
        if (bytes is null || bytes.Length == 0) throw new Refusal(ProvisioningError.MalformedRequest, $"{what} is missing");
        try
        {
            return TpmMarshal.FromBytes<T>(bytes);
        }
        catch (TpmFormatException e)
        {
            throw new Refusal(ProvisioningError.MalformedTpmStructure, $"{what}: {e.Message}");
        }
    }

    /// <summary>Runs a verifier step, mapping its failure to <paramref name="error"/>.</summary>
    public static T Verify<T>(Func<T> step, ProvisioningError error)
    {
        try
        {
            return step();
        }
        catch (VerificationException e)
        {
            throw new Refusal(error, e.Message);
        }
    }

    /// <summary>The renewal proof: signed by the device's current certified key over the documented bytes, recently.</summary>
    public static void CheckRenewal(string deviceId, RegisterRequest request, IssuedIdentity? current, DateTimeOffset now)
    {
        if (request.Renewal is not { } proof || current is null)
            throw new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal without a current identity or proof");
        if (!string.Equals(proof.CertificateSerial, current.SerialNumber, StringComparison.OrdinalIgnoreCase))
            throw new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal proof names another certificate");
        if ((now - proof.SignedAt).Duration() > RenewalProofs.MaxSkew)
            throw new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal proof is stale");
        var signed = RenewalProofs.SignedBytes(deviceId, request.AkPublic, proof.CertificateSerial, proof.SignedAt);
        bool valid;
        try
        {
            valid = VerifyWithSpki(current.SubjectPublicKeyInfo, signed, proof.Signature ?? []);
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        if (!valid) throw new Refusal(ProvisioningError.RenewalNotAuthorized, "renewal proof signature does not verify with the current key");
    }

    private static bool VerifyWithSpki(byte[] spki, byte[] data, byte[] signature)
    {
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>The quote, against the challenge's nonce and selection.</summary>
    public static VerifiedQuote CheckQuote(TpmtPublic ak, PendingChallenge challenge, AttestRequest request)
    {
        var selection = TpmMarshal.FromBytes<TpmlPcrSelection>(challenge.PcrSelection);
        var signature = Parse<TpmtSignature>(request.QuoteSignature, "quote signature");
        var pcrs = (request.PcrValues ?? []).Select(v => new PcrValue((TpmAlgId)v.Hash, v.Index, v.Digest ?? [])).ToList();
        return Verify(() => QuoteVerifier.Verify(ak, request.Quote ?? [], signature, challenge.Nonce, selection, pcrs), ProvisioningError.QuoteInvalid);
    }

    /// <summary>The PCR values against the policy's allowed values (a PCR the policy lists must hold one of them).</summary>
    public static void CheckPcrPolicy(EnrollmentPolicy policy, VerifiedQuote quote)
    {
        foreach (var pcr in quote.Pcrs)
        {
            if (!policy.AllowedPcrValues.TryGetValue(pcr.Index, out var allowed) || allowed.Count == 0) continue;
            var value = Convert.ToHexStringLower(pcr.Digest);
            if (!allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
                throw new Refusal(ProvisioningError.PcrPolicyViolation, $"PCR {pcr.Index} value {value} is not allowed");
        }
    }

    /// <summary>
    /// Measured boot, when the policy lists allowed firmware: the challenge's event log replays to the quoted PCRs
    /// (else <see cref="ProvisioningError.EventLogMismatch"/>, also when there is no log) and its measurements are
    /// exactly one allowed release (else <see cref="ProvisioningError.MeasurementNotAllowed"/>). Returns the release
    /// ("product version"), or null when the policy does not ask.
    /// </summary>
    public static string? CheckFirmware(EnrollmentPolicy policy, PendingChallenge challenge, VerifiedQuote quote)
    {
        if (policy.AllowedFirmware.Count == 0) return null;
        if (challenge.EventLog is null or { Length: 0 }) throw new Refusal(ProvisioningError.EventLogMismatch, "no event log; the policy requires measured boot");
        try
        {
            var log = EventLogVerifier.Verify(challenge.EventLog, quote.Pcrs);
            return FirmwarePolicy.Match(log, policy.AllowedFirmware.Select(r => r.ToManifest()).ToList()).Release;
        }
        catch (EventLogException e)
        {
            throw new Refusal(e.Failure == EventLogFailure.MeasurementNotAllowed ? ProvisioningError.MeasurementNotAllowed : ProvisioningError.EventLogMismatch,
                $"event log: {e.Failure}: {e.Message}");
        }
    }

    /// <summary>The certify of the device key, and the key's X.509 SubjectPublicKeyInfo.</summary>
    public static (VerifiedCertify Certified, byte[] Spki) CheckCertify(TpmtPublic ak, PendingChallenge challenge, AttestRequest request)
    {
        if (request.DeviceKeyPublic is null or { Length: 0 }) throw new Refusal(ProvisioningError.MalformedRequest, "device key missing");
        Tpm2b<TpmtPublic> key;
        try
        {
            key = Tpm2b<TpmtPublic>.FromRaw(request.DeviceKeyPublic);
        }
        catch (TpmFormatException e)
        {
            throw new Refusal(ProvisioningError.MalformedTpmStructure, $"device key: {e.Message}");
        }
        var signature = Parse<TpmtSignature>(request.CertifySignature, "certify signature");
        var certified = Verify(() => CertifyVerifier.Verify(ak, request.Certify ?? [], signature, challenge.Nonce, key), ProvisioningError.CertifyInvalid);
        return (certified, TpmPublicKeys.SubjectPublicKeyInfo(key.Value));
    }

    /// <summary>The CSR: signed by the device key, carrying exactly the certified public key.</summary>
    public static void CheckCsr(byte[]? csr, byte[] spki)
    {
        if (csr is null or { Length: 0 }) throw new Refusal(ProvisioningError.MalformedRequest, "CSR missing");
        var result = CertificateSigningRequestValidator.Validate(csr, spki);
        if (!result.IsValid) throw new Refusal(ProvisioningError.CsrInvalid, $"CSR: {result.Failure}: {result.Detail}");
    }

    /// <summary>The PCR values as recorded on the device.</summary>
    public static ImmutableDictionary<int, string> PcrMap(VerifiedQuote quote) =>
        quote.Pcrs.ToImmutableDictionary(p => p.Index, p => Convert.ToHexStringLower(p.Digest));
}
