using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Attestation.Tests.Swtpm;

/// <summary>
/// The whole proof a device gives, made by a real swtpm (provisioned by swtpm_setup with EK certificates from its
/// local CA) and checked by our offline verifier — for the RSA EK and the ECC P-384 EK swtpm certifies.
/// </summary>
public sealed class SwtpmAttestationTests : SwtpmBench
{

    public static TheoryData<string> Kinds => new() { "rsa", "ecc" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_swtpm_proves_its_EK_AK_PCRs_and_device_key_to_the_verifier(string kind)
    {
        var (ekIndex, ekTemplate, akTemplate, keyTemplate) = kind == "rsa"
            ? (EkNvIndices.RsaLow, EkTemplates.Rsa2048, KeyTemplates.AkRsa2048, KeyTemplates.DeviceRsa2048)
            : (EkNvIndices.EccP384High, EkTemplates.EccP384High, KeyTemplates.AkEccP256, KeyTemplates.DeviceEccP256);

        // register: EK certificate chains to the manufacturer root, and certifies the EK the TPM holds
        var ekCert = await Tpm.ReadEkCertificateAsync(ekIndex);
        using var validator = new EkCertificateValidator([Swtpm.ManufacturerCa.RootDer], TimeProvider.System);
        var validated = validator.Validate(ekCert!, [Swtpm.ManufacturerCa.IntermediateDer]);
        Assert.True(validated.IsValid, $"{validated.Failure}: {validated.Detail}");
        var ek = await Tpm.CreateEkAsync(ekTemplate);
        EkBinding.CheckMatches(ek.OutPublic.Value, validated.Certificate!.PublicKey);

        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, akTemplate);
        KeyRequirements.Default.CheckAttestationKey(ak.Public.Value);

        // challenge: MakeCredential(EK, Name(AK), secret); the device activates it
        var made = CredentialMaker.Make(ek.OutPublic.Value, TpmNames.Of(ak.Public), RandomNumberGenerator.Create());
        var activated = await Tpm.ActivateCredentialAsync(ak.Handle, ek.ObjectHandle, ek.OutPublic.Value, made.CredentialBlob, made.EncryptedSecret);
        CredentialMaker.CheckActivation(made, activated);
        await Tpm.FlushAsync(ek.ObjectHandle);

        // attest: quote the PCRs with the nonce, certify a fresh device key, sign with it
        var nonce = RandomNumberGenerator.GetBytes(32);
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7);
        var quote = await Tpm.QuoteAsync(ak, nonce, selection);
        var pcrs = await Tpm.ReadPcrsAsync(selection);
        var verifiedQuote = QuoteVerifier.Verify(ak.Public.Value, quote.Attest.Raw, quote.Signature, nonce, selection, pcrs);
        Assert.Equal(8, verifiedQuote.Pcrs.Count);

        var key = await Tpm.CreateKeyAsync(srk.Handle, keyTemplate);
        var certify = await Tpm.CertifyAsync(key, ak, nonce);
        var verifiedKey = CertifyVerifier.Verify(ak.Public.Value, certify.Attest.Raw, certify.Signature, nonce, key.Public);
        Assert.Equal(key.Name, verifiedKey.Name);

        var message = "device says hello"u8.ToArray();
        var signature = await Tpm.SignDigestAsync(key, SHA256.HashData(message));
        TpmSignatures.Verify(verifiedKey.Key.Value, message, signature);
    }

    [Fact]
    public async Task A_credential_made_for_another_AK_name_does_not_activate()
    {
        var ek = await Tpm.CreateEkAsync(EkTemplates.Rsa2048);
        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkEccP256);
        var otherName = TpmNames.Compute(TpmAlgId.Sha256, "not the AK"u8);
        var made = CredentialMaker.Make(ek.OutPublic.Value, otherName, RandomNumberGenerator.Create());
        var error = await Assert.ThrowsAsync<Tpm.TpmException>(() =>
            Tpm.ActivateCredentialAsync(ak.Handle, ek.ObjectHandle, ek.OutPublic.Value, made.CredentialBlob, made.EncryptedSecret));
        Assert.Equal(TpmRc.Integrity, error.Code);
    }

    [Fact]
    public async Task A_quote_and_a_certify_from_the_TPM_survive_thousands_of_corruptions_with_typed_errors()
    {
        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkRsa2048);
        var key = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.DeviceEccP256);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var quote = await Tpm.QuoteAsync(ak, nonce, TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 7));
        var certify = await Tpm.CertifyAsync(key, ak, nonce);
        var captured = new (string Name, byte[] Bytes, Func<byte[], byte[]> RoundTrip)[]
        {
            ("quote TPMS_ATTEST", quote.Attest.Raw, StructureFuzzer.ParseAndRemarshal<TpmsAttest>),
            ("certify TPMS_ATTEST", certify.Attest.Raw, StructureFuzzer.ParseAndRemarshal<TpmsAttest>),
            ("AK TPMT_PUBLIC", ak.Public.Raw, StructureFuzzer.ParseAndRemarshal<TpmtPublic>),
            ("device key TPMT_PUBLIC", key.Public.Raw, StructureFuzzer.ParseAndRemarshal<TpmtPublic>),
            ("RSA signature", IoTIdentity.Tpm.Marshalling.TpmMarshal.ToBytes(quote.Signature), StructureFuzzer.ParseAndRemarshal<TpmtSignature>),
        };
        foreach (var (name, bytes, roundTrip) in captured)
        {
            var result = StructureFuzzer.Run(bytes, roundTrip, iterations: 3000, seed: 20261122);
            Assert.True(result.Parsed + result.Rejected == 3000, name);
        }

        // and the verifier, fed the same mutations of a real quote, always ends in a reasoned refusal
        var pcrs = await Tpm.ReadPcrsAsync(TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 7));
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 7);
        for (var i = 0; i < 2000; i++)
        {
            var (mutated, description) = StructureFuzzer.Mutate(quote.Attest.Raw, 7, i);
            if (mutated.AsSpan().SequenceEqual(quote.Attest.Raw)) continue;
            var refusal = Record.Exception(() => QuoteVerifier.Verify(ak.Public.Value, mutated, quote.Signature, nonce, selection, pcrs));
            Assert.True(refusal is VerificationException, $"mutation {i} ({description}) gave {refusal?.GetType().Name ?? "success"}");
        }
    }
}
