using System.Diagnostics;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Emulation;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Xunit.Abstractions;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The in-process emulated TPM: the verifier accepts its activation, quote and certify exactly as it accepts a
/// swtpm's, a credential bound to another key does not activate, and emulated devices enrol and renew against the
/// service in-process through the agent's own enrolment code.
/// </summary>
public sealed class EmulatedTpmTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-emulated-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(EkAlgorithm.Ecc)]
    [InlineData(EkAlgorithm.Rsa)]
    public async Task The_verifier_accepts_an_emulated_TPMs_activation_quote_and_certify(EkAlgorithm algorithm)
    {
        using var tpm = EmulatedTpm.Create(Fleet.Template(algorithm));
        var ct = CancellationToken.None;
        var srk = await tpm.CreateSrkAsync(KeyTemplates.SrkEccP256, ct);
        var ak = await tpm.LoadAsync(srk.Handle, await tpm.CreateAsync(srk.Handle, KeyTemplates.AkEccP256, ct), ct);
        var ek = await tpm.CreateEkAsync(Fleet.Template(algorithm), ct);
        KeyRequirements.Default.CheckAttestationKey(ak.Public.Value);

        var credential = CredentialMaker.Make(ek.Public.Value, TpmNames.Of(ak.Public), RandomNumberGenerator.Create());
        var activated = await tpm.ActivateCredentialAsync(ak, ek, credential.CredentialBlob, credential.EncryptedSecret, ct);
        CredentialMaker.CheckActivation(credential, activated);

        var nonce = RandomNumberGenerator.GetBytes(32);
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7);
        var quote = await tpm.QuoteAsync(ak, nonce, selection, ct);
        var pcrs = await tpm.ReadPcrsAsync(selection, ct);
        QuoteVerifier.Verify(ak.Public.Value, quote.Attest.Raw, quote.Signature, nonce, selection, pcrs);

        var key = await tpm.LoadAsync(srk.Handle, await tpm.CreateAsync(srk.Handle, KeyTemplates.DeviceEccP256, ct), ct);
        var certify = await tpm.CertifyAsync(key, ak, nonce, ct);
        CertifyVerifier.Verify(ak.Public.Value, certify.Attest.Raw, certify.Signature, nonce, key.Public);
    }

    [Fact]
    public async Task A_credential_made_for_another_key_does_not_activate()
    {
        using var tpm = EmulatedTpm.Create(Fleet.Template(EkAlgorithm.Ecc));
        var ct = CancellationToken.None;
        var srk = await tpm.CreateSrkAsync(KeyTemplates.SrkEccP256, ct);
        var ak = await tpm.LoadAsync(srk.Handle, await tpm.CreateAsync(srk.Handle, KeyTemplates.AkEccP256, ct), ct);
        var other = await tpm.CreateAsync(srk.Handle, KeyTemplates.AkEccP256, ct);
        var ek = await tpm.CreateEkAsync(Fleet.Template(EkAlgorithm.Ecc), ct);

        var credential = CredentialMaker.Make(ek.Public.Value, TpmNames.Of(other.Public), RandomNumberGenerator.Create());
        var refused = await Assert.ThrowsAsync<TpmException>(() => tpm.ActivateCredentialAsync(ak, ek, credential.CredentialBlob, credential.EncryptedSecret, ct));
        Assert.Equal((uint)TpmRc.Integrity, refused.ResponseCode);
    }

    [Fact]
    public async Task A_key_blob_from_another_TPM_does_not_load()
    {
        using var mine = EmulatedTpm.Create(Fleet.Template(EkAlgorithm.Ecc));
        using var theirs = EmulatedTpm.Create(Fleet.Template(EkAlgorithm.Ecc));
        var ct = CancellationToken.None;
        var theirSrk = await theirs.CreateSrkAsync(KeyTemplates.SrkEccP256, ct);
        var blobs = await theirs.CreateAsync(theirSrk.Handle, KeyTemplates.DeviceEccP256, ct);
        var mySrk = await mine.CreateSrkAsync(KeyTemplates.SrkEccP256, ct);

        await Assert.ThrowsAsync<TpmException>(() => mine.LoadAsync(mySrk.Handle, blobs, ct));
    }

    [Fact]
    public async Task Prepared_key_pairs_are_each_handed_out_once_then_the_TPM_makes_fresh_ones()
    {
        using var tpm = EmulatedTpm.Create(Fleet.Template(EkAlgorithm.Ecc));
        var ct = CancellationToken.None;
        tpm.PrepareKeys([KeyTemplates.AkEccP256, KeyTemplates.AkEccP256]);
        var srk = await tpm.CreateSrkAsync(KeyTemplates.SrkEccP256, ct);

        // the device-key template is the same kind of pair (ECDSA P-256): it takes a prepared one too
        var first = await tpm.CreateAsync(srk.Handle, KeyTemplates.DeviceEccP256, ct);
        Assert.Equal(1, tpm.PreparedKeys);
        var second = await tpm.CreateAsync(srk.Handle, KeyTemplates.AkEccP256, ct);
        Assert.Equal(0, tpm.PreparedKeys);
        var third = await tpm.CreateAsync(srk.Handle, KeyTemplates.AkEccP256, ct);

        var uniques = new[] { first, second, third }.Select(b => Convert.ToHexString(((TpmEccPublicId)b.Public.Value.Unique).Point.X)).ToList();
        Assert.Equal(3, uniques.Distinct().Count());
        Assert.Equal(KeyTemplates.DeviceEccP256.Attributes, first.Public.Value.Attributes);
    }

    [Fact(Timeout = 120_000)]
    public async Task Emulated_devices_enrol_and_renew_against_the_in_process_service_with_zero_errors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        // first boot on the key pairs each TPM made with the device, the rotation storm on pairs made when asked
        await using var fleet = Fleet.CreateEmulated(Path.Combine(_directory, "fleet"), 16, prepareEnrolmentKeys: true);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token);
        var storm = await FleetScenarios.RotationStormAsync(fleet, service.ClientOptions, results, timeout.Token);
        output.WriteLine($"process CPU (service and generator) for 32 flows: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms");

        Assert.Equal(16, firstBoot.Succeeded);
        Assert.Empty(firstBoot.Errors);
        Assert.Equal(16, storm.Succeeded);
        Assert.Empty(storm.Errors);
        Assert.All(results.Values, r => Assert.Equal("dev", r.Issued.Owner));
    }
}
