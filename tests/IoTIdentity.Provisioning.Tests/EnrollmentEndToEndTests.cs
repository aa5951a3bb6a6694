using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The whole product with real parts: the service in-process (Orleans, SQLite, TLS MQTT), a real swtpm device
/// running the device library, certificates checked with .NET's X.509 stack.
/// </summary>
public sealed class EnrollmentEndToEndTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private static int _tenants;

    /// <summary>A tenant whose default group trusts this test's own manufacturer (so no other tenant's group matches its devices).</summary>
    private Task<TestTenant> NewTenantAsync(Func<EnrollmentPolicy, EnrollmentPolicy>? policy = null, byte[]? root = null) =>
        service.CreateTenantAsync($"t{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20], [root ?? Manufacturer.RootDer], policy);

    /// <summary>A client of the service's endpoint with the device library's default request timeout.</summary>
    private Task<EnrollmentClient> ConnectAsync(string deviceId) => service.ConnectAsync(deviceId, new EnrollmentClientOptions().RequestTimeout);

    [Theory]
    [InlineData("rsa")]
    [InlineData("ecc")]
    public async Task A_device_with_the_EK_certificate_swtpm_setup_wrote_gets_a_certificate_for_its_TPM_key(string kind)
    {
        // every test run's swtpms share one manufacturer CA, trusted by many test tenants: the device is enrolled
        // individually and names its tenant's scope (an individual enrolment alone is no claim when others trust the root)
        var tenant = await NewTenantAsync(root: Swtpm.ManufacturerCa.RootDer);
        var options = (kind == "rsa" ? TpmEnrollmentOptions.RsaEk() : TpmEnrollmentOptions.EccP384Ek())
            with { EkIntermediates = [Swtpm.ManufacturerCa.IntermediateDer], EnrollmentScope = tenant.TenantId };
        var enrollment = new TpmEnrollment(Tpm, options);
        var deviceId = await enrollment.ReadDeviceIdAsync();
        var put = await tenant.Http.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await using var client = await ConnectAsync(deviceId);

        var result = await enrollment.EnrollAsync(client);

        // the certificate's key is the TPM-resident device key
        using var certificate = X509CertificateLoader.LoadCertificate(result.Issued.CertificateChain[0]);
        Assert.Equal(TpmPublicKeys.SubjectPublicKeyInfo(result.DeviceKey.Public.Value), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Contains($"urn:iotidentity:device:{deviceId}", certificate.Extensions["2.5.29.17"]!.Format(false));
        Assert.Equal(tenant.TenantId, result.Issued.Owner);

        // a signature the TPM makes verifies with the certificate
        var srk = await Tpm.CreateSrkAsync(result.SrkTemplate);
        var key = await Tpm.LoadKeyAsync(srk.Handle, result.DeviceKey.Private, result.DeviceKey.Public);
        var message = "signed inside the TPM"u8.ToArray();
        var signature = (TpmsSignatureEcc)await Tpm.SignDigestAsync(key, SHA256.HashData(message));
        byte[] rs = [.. TpmPublicKeys.LeftPad(signature.R, 32), .. TpmPublicKeys.LeftPad(signature.S, 32)];
        using (var ecdsa = certificate.GetECDsaPublicKey()!)
            Assert.True(ecdsa.VerifyData(message, rs, HashAlgorithmName.SHA256));

        // the chain validates to the tenant root
        var ca = (await service.Grains.GetGrain<ITenantGrain>(tenant.TenantId).GetCaAsync())!;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(ca.RootCertificate));
        chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(result.Issued.CertificateChain[1]));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        // the operator sees it, with its serial
        var view = await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
        Assert.Equal(result.Issued.SerialNumber, view!.CertificateSerial);
        var audit = await service.Store.ReadAuditAsync(tenant.TenantId, 1, 100);
        Assert.Contains(audit, e => e.Event.Subject == deviceId && e.Event.Outcome == "issued");
    }

    [Fact]
    public async Task Retrying_attest_with_the_same_nonce_returns_the_same_certificate()
    {
        await NewTenantAsync();
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var enrollment = new TpmEnrollment(Tpm, options);
        await using var client = await ConnectAsync(await enrollment.ReadDeviceIdAsync());
        var channel = new TamperingChannel(client);
        var first = await enrollment.EnrollAsync(channel);

        var again = await client.AttestAsync(channel.Attests[0]);

        Assert.Equal(first.Issued.SerialNumber, again.SerialNumber);
        Assert.Equal(first.Issued.CertificateChain[0], again.CertificateChain[0]);
    }

    [Fact]
    public async Task A_second_register_invalidates_the_first_challenge()
    {
        await NewTenantAsync();
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var enrollment = new TpmEnrollment(Tpm, options);
        await using var client = await ConnectAsync(await enrollment.ReadDeviceIdAsync());
        RegisterRequestHolder held = new();
        var channel = new TamperingChannel(client) { Register = r => held.Request = r };
        await enrollment.EnrollAsync(channel);
        var stale = channel.Attests[0];

        await client.RegisterAsync(held.Request!);   // a new challenge replaces whatever was open
        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => client.AttestAsync(stale with { Nonce = channel.Challenges[0].Nonce.Reverse().ToArray() }));

        Assert.Equal(ProvisioningError.NoChallenge, refusal.Error);
    }

    [Fact]
    public async Task Another_tenant_cannot_take_over_an_enrolled_device_by_enrolling_it_individually()
    {
        var owner = await NewTenantAsync();
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var enrollment = new TpmEnrollment(Tpm, options);
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await ConnectAsync(deviceId);
        var first = await enrollment.EnrollAsync(client);
        var intruder = await NewTenantAsync(root: Manufacturer.RootDer, policy: p => p with { IndividualOnly = true });
        var put = await intruder.Http.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" });
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);

        // the owned device resolves to its owner: it enrols again there, and the intruder gets nothing
        var again = await enrollment.EnrollAsync(client);

        Assert.Equal(owner.TenantId, again.Issued.Owner);
        var view = await owner.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
        Assert.Equal(again.Issued.SerialNumber, view!.CertificateSerial);
        Assert.Contains(first.Issued.SerialNumber, view.PastSerials);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.Http.GetAsync($"/api/v1/devices/{deviceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.Http.GetAsync($"/api/v1/individual-enrollments/{deviceId}")).StatusCode);
    }

    private sealed class RegisterRequestHolder
    {
        public Protocol.Messages.RegisterRequest? Request { get; set; }
    }
}
