using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// A stand-in for the service that checks everything a device sends with the real offline verifier: the EK
/// certificate chain and binding, the AK's attributes, MakeCredential for the challenge, the activated secret, the
/// quote, the certify, the TPM-signed CSR (signature and key = certified key), and a renewal's proof. It then
/// issues a real certificate from a throwaway CA. Any failed check is recorded and answered with a refusal.
/// </summary>
internal sealed class VerifyingHandler(byte[] manufacturerRoot) : IDeviceRequestHandler, IDisposable
{
    public static readonly TpmlPcrSelection Selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7);

    private readonly ConcurrentDictionary<string, Challenge> _challenges = new();
    private readonly ConcurrentDictionary<string, Tpm2b<TpmtPublic>> _currentKeys = new();
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private X509Certificate2? _ca;

    public ConcurrentQueue<string> Failures { get; } = new();
    public ConcurrentQueue<string> Verified { get; } = new();

    public Task<DeviceReply> HandleAsync(DeviceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(request.Operation == Topics.Operations.Register ? Register(request) : Attest(request));
        }
        catch (Exception e)
        {
            Failures.Enqueue($"{request.Operation}: {e.GetType().Name}: {e.Message}");
            return Task.FromResult(new DeviceReply(Replies.Error(ProvisioningError.QuoteInvalid), ProvisioningError.QuoteInvalid));
        }
    }

    private DeviceReply Register(DeviceRequest request)
    {
        var register = JsonSerializer.Deserialize(request.Payload.Span, ProtocolJson.Default.RegisterRequest)!;
        Check(DeviceIds.FromEkPublic(register.EkPublic) == request.DeviceId, "device id is not the EK's");
        using var validator = new EkCertificateValidator([manufacturerRoot], TimeProvider.System);
        var validated = validator.Validate(register.EkCertificate, register.EkIntermediates);
        Check(validated.IsValid, $"EK certificate: {validated.Failure} {validated.Detail}");
        var ek = TpmMarshal.FromBytes<TpmtPublic>(register.EkPublic);
        EkBinding.CheckMatches(ek, validated.Certificate!.PublicKey);
        var ak = Tpm2b<TpmtPublic>.FromRaw(register.AkPublic);
        KeyRequirements.Default.CheckAttestationKey(ak.Value);
        if (register.Mode == RegisterModes.Renew) CheckRenewal(request.DeviceId, register);

        var made = CredentialMaker.Make(ek, TpmNames.Of(ak), RandomNumberGenerator.Create());
        var nonce = RandomNumberGenerator.GetBytes(32);
        _challenges[request.DeviceId] = new Challenge(made.Secret, nonce, ak.Value);
        Verified.Enqueue("register");
        return Reply(new ChallengeResponse
        {
            DeviceId = request.DeviceId,
            CredentialBlob = TpmMarshal.ToBytes(made.CredentialBlob),
            EncryptedSecret = TpmMarshal.ToBytes(made.EncryptedSecret),
            Nonce = nonce,
            PcrSelection = TpmMarshal.ToBytes(Selection),
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(5),
        }, ProtocolJson.Default.ChallengeResponse);
    }

    private void CheckRenewal(string deviceId, RegisterRequest register)
    {
        var proof = register.Renewal ?? throw new InvalidOperationException("renewal without proof");
        Check(_currentKeys.TryGetValue(deviceId, out var current), "renewal of a device never issued");
        var signed = RenewalProofs.SignedBytes(deviceId, register.AkPublic, proof.CertificateSerial, proof.SignedAt);
        var valid = current!.Value.Parameters is TpmsRsaParms
            ? TpmPublicKeys.ToRsa(current.Value).VerifyData(signed, proof.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : TpmPublicKeys.ToEcdsa(current.Value).VerifyData(signed, proof.Signature, HashAlgorithmName.SHA256);
        Check(valid, "renewal proof signature");
        Verified.Enqueue("renewal-proof");
    }

    private DeviceReply Attest(DeviceRequest request)
    {
        var attest = JsonSerializer.Deserialize(request.Payload.Span, ProtocolJson.Default.AttestRequest)!;
        Check(_challenges.TryRemove(request.DeviceId, out var challenge), "no challenge");
        Check(CryptographicOperations.FixedTimeEquals(attest.Nonce, challenge!.Nonce), "nonce");
        CredentialMaker.CheckActivation(challenge.Secret, attest.ActivatedSecret);
        var pcrs = attest.PcrValues.Select(p => new PcrValue((TpmAlgId)p.Hash, p.Index, p.Digest)).ToList();
        QuoteVerifier.Verify(challenge.Ak, attest.Quote, TpmMarshal.FromBytes<TpmtSignature>(attest.QuoteSignature), challenge.Nonce, Selection, pcrs);
        var key = Tpm2b<TpmtPublic>.FromRaw(attest.DeviceKeyPublic);
        CertifyVerifier.Verify(challenge.Ak, attest.Certify, TpmMarshal.FromBytes<TpmtSignature>(attest.CertifySignature), challenge.Nonce, key);

        var csr = CertificateRequest.LoadSigningRequest(attest.Csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        var certifiedSpki = key.Value.Parameters is TpmsRsaParms
            ? TpmPublicKeys.ToRsa(key.Value).ExportSubjectPublicKeyInfo()
            : TpmPublicKeys.ToEcdsa(key.Value).ExportSubjectPublicKeyInfo();
        Check(csr.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certifiedSpki), "CSR key is not the certified key");
        Check(csr.SubjectName.Name == $"CN={request.DeviceId}", $"CSR subject {csr.SubjectName.Name}");
        Verified.Enqueue("attest");

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var issued = csr.Create(Ca().SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddMinutes(-1), now.AddHours(1), serial);
        _currentKeys[request.DeviceId] = key;
        return Reply(new IssuedResponse
        {
            DeviceId = request.DeviceId,
            Owner = "tenant-test",
            CertificateChain = [issued.RawData, Ca().RawData],
            SerialNumber = Convert.ToHexStringLower(serial),
            NotAfter = issued.NotAfter,
            RenewAfter = now.AddMinutes(40),
        }, ProtocolJson.Default.IssuedResponse);
    }

    private X509Certificate2 Ca()
    {
        lock (_caKey)
        {
            if (_ca is not null) return _ca;
            var request = new CertificateRequest("CN=test issuing CA", _caKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            return _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        }
    }

    private static DeviceReply Reply<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(JsonSerializer.SerializeToUtf8Bytes(body, type));

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException(what);
    }

    public void Dispose()
    {
        _ca?.Dispose();
        _caKey.Dispose();
    }

    private sealed record Challenge(byte[] Secret, byte[] Nonce, TpmtPublic Ak);
}
