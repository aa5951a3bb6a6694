using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;

namespace IoTIdentity.Tpm.Tests.Swtpm;

/// <summary>The command layer against a real swtpm provisioned by swtpm_setup.</summary>
public sealed class SwtpmCommandTests : SwtpmBench
{

    [Fact]
    public async Task GetRandom_returns_the_bytes_asked_for()
    {
        var bytes = await Tpm.ExecuteAsync(new GetRandom(32));
        Assert.Equal(32, bytes.Length);
    }

    [Fact]
    public async Task GetCapability_reports_the_NV_buffer_size_and_the_PCR_banks()
    {
        Assert.InRange(await Tpm.GetNvBufferMaxAsync(), 256, 4096);
        var pcrs = await Tpm.ExecuteAsync(new GetCapability(TpmCap.Pcrs, 0, 1));
        Assert.Contains(pcrs.Data.Pcrs!.Selections, s => s.Hash == TpmAlgId.Sha256 && s.Indices.Count == 24);
    }

    [Theory]
    [InlineData(EkNvIndices.RsaLow, "rsa")]
    [InlineData(EkNvIndices.EccP384High, "ecc384")]
    public async Task The_EK_certificate_in_NV_certifies_the_EK_recreated_from_the_TCG_template(uint index, string kind)
    {
        var der = await Tpm.ReadEkCertificateAsync(index);
        Assert.NotNull(der);
        using var cert = X509CertificateLoader.LoadCertificate(der!);
        var template = kind == "rsa" ? EkTemplates.Rsa2048 : EkTemplates.EccP384High;
        var ek = await Tpm.CreateEkAsync(template);
        if (kind == "rsa")
        {
            using var rsa = cert.GetRSAPublicKey()!;
            Assert.Equal(rsa.ExportParameters(false).Modulus, ((TpmRsaPublicId)ek.OutPublic.Value.Unique).Modulus);
        }
        else
        {
            using var ecdh = cert.GetECDiffieHellmanPublicKey()!; // key usage is keyAgreement, so .NET offers ECDH, not ECDSA
            var q = ecdh.ExportParameters(false).Q;
            var point = ((TpmEccPublicId)ek.OutPublic.Value.Unique).Point;
            Assert.Equal(q.X, point.X);
            Assert.Equal(q.Y, point.Y);
        }
        Assert.Equal(TpmNames.Of(ek.OutPublic), ek.Name);
    }

    [Fact]
    public async Task An_EK_certificate_is_read_in_chunks_smaller_than_the_certificate()
    {
        var whole = await Tpm.ReadEkCertificateAsync(EkNvIndices.RsaLow);
        var chunked = await Tpm.ReadEkCertificateAsync(EkNvIndices.RsaLow, chunkSize: 97);
        Assert.True(whole!.Length > 97 * 3);
        Assert.Equal(whole, chunked);
    }

    [Fact]
    public async Task A_missing_EK_certificate_index_reads_as_null()
    {
        Assert.Null(await Tpm.ReadEkCertificateAsync(EkNvIndices.Rsa4096High));
    }

    [Fact]
    public async Task PCR_Extend_changes_the_value_PCR_Read_returns_as_the_spec_computes_it()
    {
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 16);
        var before = (await Tpm.ReadPcrsAsync(selection))[0].Digest;
        var measurement = SHA256.HashData("firmware"u8);
        await Tpm.ExtendPcrAsync(16, TpmAlgId.Sha256, measurement);
        var after = (await Tpm.ReadPcrsAsync(selection))[0].Digest;
        Assert.Equal(SHA256.HashData([.. before, .. measurement]), after);
    }

    [Fact]
    public async Task More_than_eight_PCRs_are_read_over_several_PCR_Read_calls()
    {
        var values = await Tpm.ReadPcrsAsync(TpmlPcrSelection.Of(TpmAlgId.Sha256, Enumerable.Range(0, 24).ToArray()));
        Assert.Equal(Enumerable.Range(0, 24), values.Select(v => v.Index));
        Assert.All(values, v => Assert.Equal(32, v.Digest.Length));
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ecc")]
    public async Task A_device_key_signs_and_the_signature_verifies_with_its_public_key(string kind)
    {
        var srk = await Tpm.CreateSrkAsync();
        var key = await Tpm.CreateKeyAsync(srk.Handle, kind == "rsa" ? KeyTemplates.DeviceRsa2048 : KeyTemplates.DeviceEccP256);
        var message = "hello"u8.ToArray();
        var signature = await Tpm.SignDigestAsync(key, SHA256.HashData(message));
        if (signature is TpmsSignatureRsa rsaSig)
        {
            var id = (TpmRsaPublicId)key.Public.Value.Unique;
            using var rsa = RSA.Create(new RSAParameters { Modulus = id.Modulus, Exponent = [1, 0, 1] });
            Assert.True(rsa.VerifyData(message, rsaSig.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        else
        {
            var ecc = (TpmsSignatureEcc)signature;
            var point = ((TpmEccPublicId)key.Public.Value.Unique).Point;
            using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point.X, Y = point.Y } });
            byte[] rs = [.. ecc.R, .. ecc.S];
            Assert.True(ecdsa.VerifyData(message, rs, HashAlgorithmName.SHA256));
        }
    }

    [Fact]
    public async Task A_key_reloaded_from_its_blobs_has_the_same_Name()
    {
        var srk = await Tpm.CreateSrkAsync();
        var key = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkEccP256);
        await Tpm.FlushAsync(key.Handle);
        var again = await Tpm.LoadKeyAsync(srk.Handle, key.Private!, key.Public);
        Assert.Equal(key.Name, again.Name);
        var read = await Tpm.ExecuteAsync(new ReadPublic(again.Handle));
        Assert.Equal(key.Public.Raw, read.OutPublic.Raw);
    }

    [Fact]
    public async Task Quote_and_Certify_return_parsed_attestations_carrying_the_nonce()
    {
        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkRsa2048);
        var key = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.DeviceEccP256);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var quote = await Tpm.QuoteAsync(ak, nonce, TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 7));
        Assert.Equal(TpmConstants.Generated, quote.Attest.Value.Magic);
        Assert.Equal(nonce, quote.Attest.Value.ExtraData);
        Assert.IsType<TpmsQuoteInfo>(quote.Attest.Value.Attested);
        var certify = await Tpm.CertifyAsync(key, ak, nonce);
        Assert.Equal(key.Name, ((TpmsCertifyInfo)certify.Attest.Value.Attested).Name);
    }

    [Fact]
    public async Task The_EK_policy_session_satisfies_PolicySecret_on_the_endorsement_hierarchy()
    {
        var session = await Tpm.StartEkPolicySessionAsync(TpmAlgId.Sha256);
        var digest = await Tpm.ExecuteAsync(new PolicyGetDigest(session.Handle));
        Assert.Equal(EkTemplates.PolicyASha256, digest);
        await Tpm.FlushAsync(session.Handle);
    }

    [Fact]
    public async Task A_TPM_error_is_a_TpmException_naming_the_command_and_code()
    {
        var error = await Assert.ThrowsAsync<TpmException>(() => Tpm.ExecuteAsync(new ReadPublic(0x80FFFFFF)));
        Assert.Equal(TpmCc.ReadPublic, error.Command);
        Assert.Contains("ReadPublic", error.Message);
    }
}
