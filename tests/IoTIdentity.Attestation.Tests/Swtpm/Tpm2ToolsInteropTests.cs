using System.Buffers.Binary;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Attestation.Tests.Swtpm;

/// <summary>
/// Our credential and quote code against tpm2-tools, the independent peer, on one swtpm: each side makes what the
/// other checks. swtpm serves one connection at a time, so our transport is released while a tool runs.
/// </summary>
public sealed class Tpm2ToolsInteropTests : SwtpmBench
{
    private const uint CredentialFileMagic = 0xBADCC0DE;
    private string _dir = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _dir = Directory.CreateTempSubdirectory("iotid-tpm2tools-").FullName;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string F(string name) => Path.Combine(_dir, name);

    private async Task ToolAsync(string tool, params string[] arguments)
    {
        await Swtpm.ReleaseTransportAsync();
        var result = await Swtpm.TpmTools.RunAsync(tool, arguments.Select(a => a.Replace("@", _dir + "/")));
        result.EnsureSuccess(tool);
        // without a resource manager, tools leave their objects loaded; swtpm holds only three at once
        (await Swtpm.TpmTools.RunAsync("tpm2_flushcontext", ["-t"])).EnsureSuccess("tpm2_flushcontext");
    }

    /// <summary>Runs a tool that does not talk to the TPM (<c>-T none</c>): our transport and objects stay.</summary>
    private async Task OfflineToolAsync(string tool, params string[] arguments) =>
        (await ProcessRunner.RunAsync(ProcessRunner.FindOnPath(tool) ?? throw new InvalidOperationException($"{tool} not found: apt-get install -y tpm2-tools"),
            arguments.Select(a => a.Replace("@", _dir + "/")), TimeSpan.FromSeconds(20))).EnsureSuccess(tool);

    private async Task ReconnectAsync() => Tpm = new TpmClient(await Swtpm.ConnectAsync(), ownsTransport: true);

    [Theory]
    [InlineData("rsa")]
    [InlineData("ecc")]
    public async Task A_credential_from_our_MakeCredential_is_activated_by_tpm2_activatecredential(string kind)
    {
        await ToolAsync("tpm2_createek", "-c", "@ek.ctx", "-G", kind, "-u", "@ek.pub");
        await ToolAsync("tpm2_createak", "-C", "@ek.ctx", "-c", "@ak.ctx", "-G", kind, "-g", "sha256", "-s", kind == "rsa" ? "rsassa" : "ecdsa", "-u", "@ak.pub", "-n", "@ak.name");
        var ek = TpmMarshal.FromBytes<Tpm2b<TpmtPublic>>(File.ReadAllBytes(F("ek.pub")));
        var ak = TpmMarshal.FromBytes<Tpm2b<TpmtPublic>>(File.ReadAllBytes(F("ak.pub")));
        Assert.Equal(File.ReadAllBytes(F("ak.name")), TpmNames.Of(ak));

        var made = CredentialMaker.Make(ek.Value, TpmNames.Of(ak), RandomNumberGenerator.Create());
        var writer = new TpmWriter(512);
        writer.WriteUInt32(CredentialFileMagic);
        writer.WriteUInt32(1);
        made.CredentialBlob.WriteTo(ref writer);
        made.EncryptedSecret.WriteTo(ref writer);
        File.WriteAllBytes(F("cred.blob"), writer.ToArray());

        await ToolAsync("tpm2_startauthsession", "--policy-session", "-S", "@session.ctx");
        await ToolAsync("tpm2_policysecret", "-S", "@session.ctx", "-c", "e");
        await ToolAsync("tpm2_activatecredential", "-c", "@ak.ctx", "-C", "@ek.ctx", "-i", "@cred.blob", "-o", "@secret.out", "-P", "session:@session.ctx");
        Assert.Equal(made.Secret, File.ReadAllBytes(F("secret.out")));
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ecc")]
    public async Task A_credential_from_tpm2_makecredential_is_activated_by_our_ActivateCredential(string kind)
    {
        var ek = await Tpm.CreateEkAsync(kind == "rsa" ? EkTemplates.Rsa2048 : EkTemplates.EccP256);
        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkEccP256);
        File.WriteAllBytes(F("ek.pub"), TpmMarshal.ToBytes(ek.OutPublic));
        var secret = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(F("secret.in"), secret);

        await OfflineToolAsync("tpm2_makecredential", "-T", "none", "-u", "@ek.pub", "-s", "@secret.in", "-n", Convert.ToHexStringLower(ak.Name), "-o", "@cred.blob");
        var blob = File.ReadAllBytes(F("cred.blob"));
        Assert.Equal(CredentialFileMagic, BinaryPrimitives.ReadUInt32BigEndian(blob));
        var reader = new TpmReader(blob.AsSpan(8));
        var idObject = Tpm2bIdObject.ReadFrom(ref reader);
        var encryptedSecret = Tpm2bEncryptedSecret.ReadFrom(ref reader);

        var activated = await Tpm.ActivateCredentialAsync(ak.Handle, ek.ObjectHandle, ek.OutPublic.Value, idObject, encryptedSecret);
        Assert.Equal(secret, activated);
    }

    [Fact]
    public async Task A_tpm2_quote_verifies_with_our_verifier()
    {
        await ToolAsync("tpm2_createek", "-c", "@ek.ctx", "-G", "rsa", "-u", "@ek.pub");
        await ToolAsync("tpm2_createak", "-C", "@ek.ctx", "-c", "@ak.ctx", "-G", "rsa", "-g", "sha256", "-s", "rsassa", "-u", "@ak.pub");
        var nonce = RandomNumberGenerator.GetBytes(32);
        await ToolAsync("tpm2_quote", "-c", "@ak.ctx", "-l", "sha256:0,1,2,7", "-q", Convert.ToHexStringLower(nonce), "-m", "@quote.msg", "-s", "@quote.sig", "-g", "sha256");
        await ReconnectAsync();
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 7);
        var pcrs = await Tpm.ReadPcrsAsync(selection);
        var ak = TpmMarshal.FromBytes<Tpm2b<TpmtPublic>>(File.ReadAllBytes(F("ak.pub")));
        var signature = TpmMarshal.FromBytes<TpmtSignature>(File.ReadAllBytes(F("quote.sig")));

        var verified = QuoteVerifier.Verify(ak.Value, File.ReadAllBytes(F("quote.msg")), signature, nonce, selection, pcrs);
        Assert.Equal(4, verified.Pcrs.Count);
    }

    [Fact]
    public async Task Our_quote_verifies_with_tpm2_checkquote()
    {
        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkRsa2048);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var quote = await Tpm.QuoteAsync(ak, nonce, TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 7));
        File.WriteAllBytes(F("ak.pub"), TpmMarshal.ToBytes(ak.Public));
        File.WriteAllBytes(F("quote.msg"), quote.Attest.Raw);
        File.WriteAllBytes(F("quote.sig"), TpmMarshal.ToBytes(quote.Signature));
        await Tpm.FlushAsync(ak.Handle);
        await Tpm.FlushAsync(srk.Handle);

        await ToolAsync("tpm2_pcrread", "sha256:0,1,2,7", "-o", "@quote.pcrs");
        await ToolAsync("tpm2_checkquote", "-u", "@ak.pub", "-m", "@quote.msg", "-s", "@quote.sig", "-f", "@quote.pcrs", "-l", "sha256:0,1,2,7", "-g", "sha256", "-q", Convert.ToHexStringLower(nonce));
    }

    [Fact]
    public async Task tpm2_checkquote_refuses_our_quote_with_another_nonce()
    {
        var srk = await Tpm.CreateSrkAsync();
        var ak = await Tpm.CreateKeyAsync(srk.Handle, KeyTemplates.AkRsa2048);
        var quote = await Tpm.QuoteAsync(ak, RandomNumberGenerator.GetBytes(32), TpmlPcrSelection.Of(TpmAlgId.Sha256, 0));
        File.WriteAllBytes(F("ak.pub"), TpmMarshal.ToBytes(ak.Public));
        File.WriteAllBytes(F("quote.msg"), quote.Attest.Raw);
        File.WriteAllBytes(F("quote.sig"), TpmMarshal.ToBytes(quote.Signature));
        await Swtpm.ReleaseTransportAsync();
        var result = await Swtpm.TpmTools.RunAsync("tpm2_checkquote",
            ["-u", F("ak.pub"), "-m", F("quote.msg"), "-s", F("quote.sig"), "-g", "sha256", "-q", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))]);
        Assert.NotEqual(0, result.ExitCode);
    }
}
