using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The device library end to end: a real swtpm (EK certificates from the run's manufacturer CA), the real
/// endpoint over TLS with its dev certificate, and a handler that verifies every proof with the offline verifier.
/// </summary>
public sealed class SwtpmEnrollmentTests : SwtpmBench
{
    private static readonly TimeSpan EnrolmentBound = TimeSpan.FromSeconds(20);
    private VerifyingHandler _handler = null!;
    private EndpointHarness _harness = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _handler = new VerifyingHandler(Swtpm.ManufacturerCa.RootDer);
        _harness = await EndpointHarness.StartAsync(handler: _handler);
    }

    public override async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _handler.Dispose();
        await base.DisposeAsync();
    }

    public static TheoryData<string> Kinds => new() { "rsa", "ecc" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_swtpm_device_enrols_and_every_proof_it_sends_verifies(string kind)
    {
        var options = Options(kind);
        var enrollment = new TpmEnrollment(Tpm, options);
        var deviceId = await enrollment.ReadDeviceIdAsync().Within();
        await using var client = await EnrollmentClient.ConnectAsync(deviceId, ClientOptions()).Within();

        var result = await Explained(() => enrollment.EnrollAsync(client));

        Assert.Empty(_handler.Failures);
        Assert.Equal(["register", "attest"], _handler.Verified);
        Assert.Equal(deviceId, result.DeviceId);
        using var certificate = X509CertificateLoader.LoadCertificate(result.Issued.CertificateChain[0]);
        Assert.Equal(SubjectPublicKeyInfo(result.DeviceKey.Public.Value), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(options.DeviceKeyTemplate.Type, result.DeviceKey.Public.Value.Type);
        Assert.Equal(KeyTemplates.AkAttributes, result.AttestationKey.Public.Value.Attributes);
        foreach (var step in new[] { EnrollmentSteps.Prepare, EnrollmentSteps.Register, EnrollmentSteps.Activate, EnrollmentSteps.Quote,
                     EnrollmentSteps.DeviceKey, EnrollmentSteps.Csr, EnrollmentSteps.Attest, EnrollmentSteps.Total })
            Assert.True(result.StepDurations[step] > TimeSpan.Zero, step);
    }

    [Fact]
    public async Task A_renewal_is_signed_by_the_current_device_key_and_yields_a_new_key()
    {
        var enrollment = new TpmEnrollment(Tpm, Options("ecc"));
        var deviceId = await enrollment.ReadDeviceIdAsync().Within();
        await using var client = await EnrollmentClient.ConnectAsync(deviceId, ClientOptions()).Within();
        var first = await Explained(() => enrollment.EnrollAsync(client));

        var renewed = await Explained(() => enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber));

        Assert.Empty(_handler.Failures);
        Assert.Equal(["register", "attest", "renewal-proof", "register", "attest"], _handler.Verified);
        Assert.NotEqual(first.DeviceKey.Public.Raw, renewed.DeviceKey.Public.Raw);
        Assert.NotEqual(first.Issued.SerialNumber, renewed.Issued.SerialNumber);
    }

    [Fact]
    public async Task The_device_keys_blobs_load_again_and_sign_after_enrolment()
    {
        var options = Options("ecc");
        var enrollment = new TpmEnrollment(Tpm, options);
        await using var client = await EnrollmentClient.ConnectAsync(await enrollment.ReadDeviceIdAsync().Within(), ClientOptions()).Within();
        var result = await Explained(() => enrollment.EnrollAsync(client));

        var srk = await Tpm.CreateSrkAsync(result.SrkTemplate).Within();
        var key = await Tpm.LoadKeyAsync(srk.Handle, result.DeviceKey.Private, result.DeviceKey.Public).Within();
        var message = "tls handshake transcript"u8.ToArray();
        var signature = (TpmsSignatureEcc)await Tpm.SignDigestAsync(key, System.Security.Cryptography.SHA256.HashData(message)).Within();

        using var certificate = X509CertificateLoader.LoadCertificate(result.Issued.CertificateChain[0]);
        using var publicKey = certificate.GetECDsaPublicKey()!;
        byte[] p1363 = [.. TpmPublicKeys.LeftPad(signature.R, 32), .. TpmPublicKeys.LeftPad(signature.S, 32)];
        Assert.True(publicKey.VerifyData(message, p1363, System.Security.Cryptography.HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task A_client_connected_as_another_device_id_is_stopped_before_register()
    {
        var enrollment = new TpmEnrollment(Tpm, Options("rsa"));
        await using var client = await EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), ClientOptions()).Within();

        await Assert.ThrowsAsync<InvalidOperationException>(() => enrollment.EnrollAsync(client).Within(EnrolmentBound));

        Assert.Empty(_handler.Verified);
    }

    private TpmEnrollmentOptions Options(string kind) => kind == "rsa"
        ? new TpmEnrollmentOptions
        {
            EkTemplate = IoTIdentity.Tpm.Ek.EkTemplates.Rsa2048,
            EkCertificateNvIndex = IoTIdentity.Tpm.Ek.EkNvIndices.RsaLow,
            EkIntermediates = [Swtpm.ManufacturerCa.IntermediateDer],
            AkTemplate = KeyTemplates.AkRsa2048,
            DeviceKeyTemplate = KeyTemplates.DeviceRsa2048,
        }
        : new TpmEnrollmentOptions
        {
            EkTemplate = IoTIdentity.Tpm.Ek.EkTemplates.EccP384High,
            EkCertificateNvIndex = IoTIdentity.Tpm.Ek.EkNvIndices.EccP384High,
            EkIntermediates = [Swtpm.ManufacturerCa.IntermediateDer],
            AkTemplate = KeyTemplates.AkEccP256,
            DeviceKeyTemplate = KeyTemplates.DeviceEccP256,
        };

    /// <summary>Runs an enrolment; a refusal fails the test with what the verifying handler found.</summary>
    private async Task<EnrollmentResult> Explained(Func<Task<EnrollmentResult>> enrol)
    {
        try
        {
            return await enrol().Within(EnrolmentBound);
        }
        catch (EnrollmentRefusedException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}; handler: {string.Join("; ", _handler.Failures)}");
        }
    }

    private EnrollmentClientOptions ClientOptions() => new()
    {
        Host = "127.0.0.1",
        Port = _harness.Endpoint.TlsPort,
        TrustAnchorPath = _harness.Endpoint.DevCertificatePath,
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private static byte[] SubjectPublicKeyInfo(TpmtPublic key) => key.Parameters is TpmsRsaParms
        ? TpmPublicKeys.ToRsa(key).ExportSubjectPublicKeyInfo()
        : TpmPublicKeys.ToEcdsa(key).ExportSubjectPublicKeyInfo();
}
