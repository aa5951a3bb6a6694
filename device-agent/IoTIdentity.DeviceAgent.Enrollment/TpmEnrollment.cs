using System.Diagnostics;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// The device side of the enrolment protocol, step for step with the service (the numbered comments match):
/// <list type="number">
/// <item><c>register</c>: present the EK (public area and certificate) and a fresh AK, receive a challenge;</item>
/// <item><c>attest</c>: activate the credential with EK and AK, quote the asked PCRs with the nonce, create a device
/// key, certify it with the AK, sign a CSR with it inside the TPM, and receive the certificate.</item>
/// </list>
/// A renewal is the same flow with <c>mode=renew</c> and a <see cref="RenewalProof"/> signed by the current device
/// key. Transient objects are flushed as soon as they are no longer needed: at most three are loaded at once
/// (swtpm's limit). Each step's wall-clock time is reported in <see cref="EnrollmentResult.StepDurations"/>.
/// </summary>
public sealed class TpmEnrollment(IEnrollmentTpm tpm, TpmEnrollmentOptions options)
{
    /// <summary>Enrolment on a real TPM (or swtpm) through <paramref name="tpm"/>.</summary>
    public TpmEnrollment(TpmClient tpm, TpmEnrollmentOptions options) : this(new TpmClientEnrollmentTpm(tpm), options)
    {
    }

    /// <summary>The device id of this TPM under the configured EK template (what to connect as).</summary>
    public async Task<string> ReadDeviceIdAsync(CancellationToken cancellationToken = default)
    {
        var ek = await tpm.CreateEkAsync(options.EkTemplate, cancellationToken).ConfigureAwait(false);
        await tpm.FlushAsync(ek.Handle, CancellationToken.None).ConfigureAwait(false);
        return DeviceIds.FromEkPublic(ek.Public.Raw);
    }

    /// <summary>First enrolment (or recovery): the whole protocol over <paramref name="client"/>.</summary>
    public Task<EnrollmentResult> EnrollAsync(IEnrollmentChannel client, CancellationToken cancellationToken = default) =>
        RunAsync(client, null, cancellationToken);

    /// <summary>
    /// Renewal: the same protocol with <c>mode=renew</c>, the register signed by <paramref name="currentDeviceKey"/>,
    /// whose certificate has serial <paramref name="certificateSerial"/>. Creates a new AK and device key.
    /// </summary>
    public Task<EnrollmentResult> RenewAsync(IEnrollmentChannel client, TpmKeyBlobs currentDeviceKey, string certificateSerial, CancellationToken cancellationToken = default) =>
        RunAsync(client, (currentDeviceKey, certificateSerial), cancellationToken);

    private async Task<EnrollmentResult> RunAsync(IEnrollmentChannel client, (TpmKeyBlobs Key, string Serial)? renewal, CancellationToken ct)
    {
        var timings = new Dictionary<string, TimeSpan>();
        var total = Stopwatch.StartNew();
        var lap = Stopwatch.StartNew();
        void Record(string step)
        {
            timings[step] = lap.Elapsed;
            lap.Restart();
        }
        var loaded = new List<uint>();
        try
        {
            var ekCertificate = options.EkCertificate
                ?? await tpm.ReadEkCertificateAsync(options.EkCertificateNvIndex, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The TPM has no EK certificate at NV index 0x{options.EkCertificateNvIndex:X8}");
            var ekIntermediates = options.EkIntermediates.Count > 0 || !options.ReadEkIntermediatesFromNv
                ? options.EkIntermediates
                : await tpm.ReadEkCertificateChainAsync(ct).ConfigureAwait(false);
            var srk = await tpm.CreateSrkAsync(options.SrkTemplate, ct).ConfigureAwait(false);
            loaded.Add(srk.Handle);
            var akCreated = await tpm.CreateAsync(srk.Handle, options.AkTemplate, ct).ConfigureAwait(false);
            var proof = renewal is { } r ? await SignRenewalAsync(srk.Handle, r.Key, r.Serial, client.DeviceId, akCreated.Public.Raw, ct).ConfigureAwait(false) : null;
            var ak = await tpm.LoadAsync(srk.Handle, akCreated, ct).ConfigureAwait(false);
            loaded.Add(ak.Handle);
            var ek = await tpm.CreateEkAsync(options.EkTemplate, ct).ConfigureAwait(false);
            loaded.Add(ek.Handle);
            var deviceId = DeviceIds.FromEkPublic(ek.Public.Raw);
            if (deviceId != client.DeviceId)
                throw new InvalidOperationException($"The client is connected as {client.DeviceId}, but this TPM's EK is device {deviceId}");
            Record(EnrollmentSteps.Prepare);

            // 1. register: EK public and certificate, the new AK, the event log; the answer is a challenge
            var challenge = await client.RegisterAsync(new RegisterRequest
            {
                Mode = renewal is null ? RegisterModes.Enroll : RegisterModes.Renew,
                EkPublic = ek.Public.Raw,
                EkCertificate = ekCertificate,
                EkIntermediates = ekIntermediates,
                AkPublic = ak.Public.Raw,
                EventLog = options.EventLog,
                Renewal = proof,
                EnrollmentScope = options.EnrollmentScope,
                ClaimCode = options.ClaimCode,
            }, ct).ConfigureAwait(false);
            Record(EnrollmentSteps.Register);

            // 2. attest: ActivateCredential proves the EK and the AK live in this TPM; the EK is done after it
            var activated = await tpm.ActivateCredentialAsync(ak, ek,
                TpmMarshal.FromBytes<Tpm2bIdObject>(challenge.CredentialBlob),
                TpmMarshal.FromBytes<Tpm2bEncryptedSecret>(challenge.EncryptedSecret), ct).ConfigureAwait(false);
            await FlushAsync(loaded, ek.Handle).ConfigureAwait(false);
            Record(EnrollmentSteps.Activate);

            // 2. attest: quote the PCRs the service asked for, with its nonce, and report their values
            var selection = TpmMarshal.FromBytes<TpmlPcrSelection>(challenge.PcrSelection);
            var quote = await tpm.QuoteAsync(ak, challenge.Nonce, selection, ct).ConfigureAwait(false);
            var pcrs = await tpm.ReadPcrsAsync(selection, ct).ConfigureAwait(false);
            Record(EnrollmentSteps.Quote);

            // 2. attest: a new non-exportable device key, certified by the AK with the same nonce
            var key = await tpm.LoadAsync(srk.Handle, await tpm.CreateAsync(srk.Handle, options.DeviceKeyTemplate, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            loaded.Add(key.Handle);
            var certify = await tpm.CertifyAsync(key, ak, challenge.Nonce, ct).ConfigureAwait(false);
            Record(EnrollmentSteps.DeviceKey);

            // 2. attest: the CSR, signed by the device key inside the TPM
            var csr = await TpmCertificationRequest.CreateAsync(tpm, key, deviceId, ct).ConfigureAwait(false);
            Record(EnrollmentSteps.Csr);

            var issued = await client.AttestAsync(new AttestRequest
            {
                Nonce = challenge.Nonce,
                ActivatedSecret = activated,
                Quote = quote.Attest.Raw,
                QuoteSignature = TpmMarshal.ToBytes(quote.Signature),
                PcrValues = pcrs.Select(p => new PcrValueMessage((ushort)p.Hash, p.Index, p.Digest)).ToList(),
                DeviceKeyPublic = key.Public.Raw,
                Certify = certify.Attest.Raw,
                CertifySignature = TpmMarshal.ToBytes(certify.Signature),
                Csr = csr,
            }, ct).ConfigureAwait(false);
            Record(EnrollmentSteps.Attest);
            timings[EnrollmentSteps.Total] = total.Elapsed;

            return new EnrollmentResult(deviceId, issued, new TpmKeyBlobs(key.Public, key.Private!),
                akCreated, options.SrkTemplate, timings);
        }
        finally
        {
            foreach (var handle in loaded.ToArray()) await FlushAsync(loaded, handle).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Step 3, <c>token</c>: a request for a JWT for <paramref name="audience"/>, signed by the current device key
    /// (<paramref name="currentDeviceKey"/>, created under <paramref name="srkTemplate"/>) over
    /// <see cref="TokenProofs.SignedBytes"/>. The TPM signs; nothing else is sent. Send it with <see cref="EnrollmentClient.RequestTokenAsync"/>.
    /// </summary>
    public async Task<TokenRequest> SignTokenRequestAsync(string deviceId, TpmKeyBlobs currentDeviceKey, Tpm.Structures.TpmtPublic srkTemplate,
        string certificateSerial, string audience, int? lifetimeSeconds, CancellationToken cancellationToken = default)
    {
        // 3. token: the current device key signs the audience, the certificate serial and the time; the SRK is the key's parent
        var signedAt = options.Time.GetUtcNow();
        var signature = await UnderSrkAsync(srkTemplate, async srk => ToProof(await SignDigestWithAsync(srk, currentDeviceKey,
            SHA256.HashData(TokenProofs.SignedBytes(deviceId, audience, certificateSerial, signedAt)), cancellationToken).ConfigureAwait(false), currentDeviceKey, "a token request"),
            cancellationToken).ConfigureAwait(false);
        return new TokenRequest { Audience = audience, CertificateSerial = certificateSerial, SignedAt = signedAt, Signature = signature, LifetimeSeconds = lifetimeSeconds };
    }

    /// <summary>
    /// The TLS 1.3 client <c>CertificateVerify</c> of an authenticated session: the current device key
    /// (<paramref name="currentDeviceKey"/>, created under <paramref name="srkTemplate"/>) signs <paramref name="digest"/>
    /// (SHA-256 of the handshake's signed content) inside the TPM; returns the ECDSA signature DER-encoded, as TLS carries
    /// it (<c>ecdsa_secp256r1_sha256</c>). Only an ECC NIST P-256 key can: TLS 1.3 has no PKCS#1 v1.5 handshake signatures.
    /// </summary>
    public async Task<byte[]> SignHandshakeAsync(TpmKeyBlobs currentDeviceKey, Tpm.Structures.TpmtPublic srkTemplate, byte[] digest, CancellationToken cancellationToken = default)
    {
        if (currentDeviceKey.Public.Value.Parameters is not TpmsEccParms { Curve: TpmEccCurve.NistP256 })
            throw new NotSupportedException("a TLS 1.3 handshake is signed here only by an ECC NIST P-256 device key");
        if (digest.Length != SHA256.HashSizeInBytes) throw new ArgumentException("not a SHA-256 digest", nameof(digest));
        var signature = await UnderSrkAsync(srkTemplate, srk => SignDigestWithAsync(srk, currentDeviceKey, digest, cancellationToken), cancellationToken).ConfigureAwait(false);
        return signature is TpmsSignatureEcc { Scheme: TpmAlgId.EcDsa } ecc
            ? TpmCertificationRequest.DerEcdsa(ecc.R, ecc.S)
            : throw new InvalidOperationException($"the device key signed with {signature.SigAlg}, which a TLS handshake cannot carry");
    }

    /// <summary>
    /// The client certificate of <paramref name="identity"/>'s authenticated session: its certificate chain, this
    /// enrollment's TPM signing the handshake (<see cref="SignHandshakeAsync"/>). For a caller that holds the TPM while it
    /// connects (the TPM then serves the handshake between the caller's own steps).
    /// </summary>
    public Tls.TpmClientCertificate ClientCertificate(EnrollmentResult identity) => new(identity.Issued.CertificateChain,
        (digest, cancellationToken) => SignHandshakeAsync(identity.DeviceKey, identity.SrkTemplate, digest, cancellationToken));

    /// <summary>Creates the SRK of <paramref name="srkTemplate"/> (the device key's parent), runs <paramref name="use"/> with its handle, flushes it.</summary>
    private async Task<T> UnderSrkAsync<T>(Tpm.Structures.TpmtPublic srkTemplate, Func<uint, Task<T>> use, CancellationToken cancellationToken)
    {
        var srk = await tpm.CreateSrkAsync(srkTemplate, cancellationToken).ConfigureAwait(false);
        try
        {
            return await use(srk.Handle).ConfigureAwait(false);
        }
        finally
        {
            await tpm.FlushAsync(srk.Handle, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the current device key (the only other object then is the SRK), signs the proof, flushes it.</summary>
    private async Task<RenewalProof> SignRenewalAsync(uint srk, TpmKeyBlobs current, string serial, string deviceId, byte[] akPublic, CancellationToken ct)
    {
        var signedAt = options.Time.GetUtcNow();
        var bytes = ToProof(await SignDigestWithAsync(srk, current, SHA256.HashData(RenewalProofs.SignedBytes(deviceId, akPublic, serial, signedAt)), ct).ConfigureAwait(false),
            current, "a renewal proof");
        return new RenewalProof { CertificateSerial = serial, SignedAt = signedAt, Signature = bytes };
    }

    /// <summary>Loads <paramref name="key"/> under <paramref name="srk"/>, signs <paramref name="digest"/> (SHA-256), flushes it.</summary>
    private async Task<TpmtSignature> SignDigestWithAsync(uint srk, TpmKeyBlobs key, byte[] digest, CancellationToken ct)
    {
        var loaded = await tpm.LoadAsync(srk, key, ct).ConfigureAwait(false);
        try
        {
            return await tpm.SignDigestAsync(loaded, digest, TpmAlgId.Sha256, ct).ConfigureAwait(false);
        }
        finally
        {
            await tpm.FlushAsync(loaded.Handle, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A device-key signature as the protocol's proofs carry it: ECDSA as P1363, or RSASSA.</summary>
    private static byte[] ToProof(TpmtSignature signature, TpmKeyBlobs key, string what) => signature switch
    {
        TpmsSignatureRsa { Scheme: TpmAlgId.RsaSsa } rsa => rsa.Signature,
        TpmsSignatureEcc { Scheme: TpmAlgId.EcDsa } ecc when key.Public.Value.Parameters is TpmsEccParms parms =>
            TpmCertificationRequest.P1363(ecc, parms.Curve switch { TpmEccCurve.NistP384 => 48, TpmEccCurve.NistP521 => 66, _ => 32 }),
        _ => throw new InvalidOperationException($"the device key signed with {signature.SigAlg}, which {what} cannot carry"),
    };

    private async Task FlushAsync(List<uint> loaded, uint handle)
    {
        if (!loaded.Remove(handle)) return;
        try
        {
            await tpm.FlushAsync(handle, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Tpm.TpmException or Tpm.Transport.TpmTransportException)
        {
            // already gone (e.g. the TPM was reset); nothing left to free
        }
    }
}
