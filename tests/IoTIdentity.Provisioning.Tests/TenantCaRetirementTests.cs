using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.X509;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A retired issuing CA over its whole life, on a service whose clock the test moves (<see cref="ShiftedTimeProvider"/>),
/// with real swtpm devices: after a rotation the old CA's CRL is served and its revocations are honoured until its last
/// certificate expires (<c>KeptUntil</c>, the CA's own notAfter, which clamps every certificate it signed); from then on
/// the CA and its CRL are gone, and the root, the current CA, its CRL, the revocations, the audit log and issuance are
/// as they were.
/// </summary>
public sealed class TenantCaRetirementTests : SwtpmBench
{
    private const int TestTimeout = 300_000;
    private readonly ShiftedTimeProvider _clock = new();
    private ServiceFixture _service = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _service = ServiceFixture.WithClock(_clock);
        await _service.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<EnrollmentResult> EnrolAsync()
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        await using var client = await _service.ConnectAsync(await enrollment.ReadDeviceIdAsync());
        return await enrollment.EnrollAsync(client);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_retired_CA_serves_its_CRL_until_its_last_certificate_expires_and_is_then_dropped_leaving_the_rest_as_it_was()
    {
        var tenant = await _service.CreateTenantAsync($"ret-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);
        using var http = tenant.Http;
        var kept = await EnrolAsync();
        var revoked = await EnrolAsync();
        Assert.Equal(HttpStatusCode.NoContent,
            (await http.PostAsJsonAsync($"/api/v1/certificates/{revoked.Issued.SerialNumber}/revoke", new { reason = "keyCompromise" })).StatusCode);

        // ten days on, the tenant rotates: the old CA is retired, kept until its notAfter
        _clock.Advance(TimeSpan.FromDays(10));
        var rotation = await http.PostAsync("/api/v1/tenant/ca/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var rotated = (await rotation.Content.ReadFromJsonAsync<TenantCaView>())!;
        var (current, retired) = (rotated.IssuingCas[0], rotated.IssuingCas[1]);
        Assert.Equal(["current", "retired"], rotated.IssuingCas.Select(c => c.Status));
        Assert.Equal(retired.NotAfter, retired.KeptUntil);
        var keptUntil = retired.KeptUntil!.Value;
        Assert.True(keptUntil > _clock.GetUtcNow().AddYears(4), $"the old CA is kept until {keptUntil:O}, not until its notAfter");
        foreach (var device in new[] { kept, revoked })
            Assert.True(Certificate(device).NotAfter.ToUniversalTime() <= keptUntil.UtcDateTime, "a certificate outlives the CA that signed it");
        var fresh = await EnrolAsync();
        Assert.Equal(Der(current.CertificatePem), fresh.Issued.CertificateChain[1]);

        // while kept: the old CA's certificates authenticate, its revoked one does not, and its CRL lists the revocation
        var verifier = _service.App.Services.GetRequiredService<IDeviceCertificateVerifier>();
        Assert.Null((await verifier.VerifyAsync(Certificate(kept), CancellationToken.None)).Failure);
        Assert.Equal("revoked", (await verifier.VerifyAsync(Certificate(revoked), CancellationToken.None)).Failure);
        Assert.Null((await verifier.VerifyAsync(Certificate(fresh), CancellationToken.None)).Failure);
        AssertRevokes(await CrlOfAsync(tenant.TenantId, retired), retired, revoked);

        // a minute before KeptUntil: still listed, its CRL still served, freshly signed, still listing the revocation
        _clock.AdvanceTo(keptUntil.AddMinutes(-1));
        Assert.Equal(rotated.IssuingCas, (await http.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"))!.IssuingCas);
        var lastOldCrl = await CrlOfAsync(tenant.TenantId, retired);
        AssertRevokes(lastOldCrl, retired, revoked);
        Assert.True(lastOldCrl.ThisUpdate >= keptUntil.AddMinutes(-2).UtcDateTime, $"the CRL served near KeptUntil was signed at {lastOldCrl.ThisUpdate:O}");
        var currentCrlBefore = await CrlOfAsync(tenant.TenantId, current);
        var auditBefore = (await _service.ReadAuditLogAsync(tenant.TenantId)).Count;

        // a minute after: the old CA and its CRL are gone
        _clock.AdvanceTo(keptUntil.AddMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, (await _service.Http.GetAsync($"/crl/{tenant.TenantId}/{retired.SerialNumber}.crl")).StatusCode);
        var after = (await http.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"))!;
        Assert.Equal(current, Assert.Single(after.IssuingCas));
        Assert.Equal(rotated.RootCertificatePem, after.RootCertificatePem);

        // and nothing else changed: the current CA's CRL (both addresses) lists the same revocations, nothing was
        // audited, and the current CA goes on issuing
        var currentCrlAfter = await CrlOfAsync(tenant.TenantId, current);
        Assert.Equal(RevokedSerials(currentCrlBefore), RevokedSerials(currentCrlAfter));
        Assert.Contains(revoked.Issued.SerialNumber, RevokedSerials(currentCrlAfter));
        var tenantWide = new X509CrlParser().ReadCrl(await _service.Http.GetByteArrayAsync($"/crl/{tenant.TenantId}.crl"));
        tenantWide.Verify(Issuer(current).GetPublicKey());
        Assert.Equal(RevokedSerials(currentCrlAfter), RevokedSerials(tenantWide));
        Assert.Equal(auditBefore, (await _service.ReadAuditLogAsync(tenant.TenantId)).Count);
        var late = await EnrolAsync();
        Assert.Equal(Der(current.CertificatePem), late.Issued.CertificateChain[1]);
        Assert.Null((await verifier.VerifyAsync(Certificate(late), CancellationToken.None)).Failure);
    }

    private async Task<X509Crl> CrlOfAsync(string tenantId, IssuingCaView ca)
    {
        var crl = new X509CrlParser().ReadCrl(await _service.Http.GetByteArrayAsync($"/crl/{tenantId}/{ca.SerialNumber}.crl"));
        crl.Verify(Issuer(ca).GetPublicKey());
        return crl;
    }

    private static void AssertRevokes(X509Crl crl, IssuingCaView ca, EnrollmentResult device)
    {
        Assert.Equal(Issuer(ca).SubjectDN, crl.IssuerDN);
        Assert.Contains(device.Issued.SerialNumber, RevokedSerials(crl));
    }

    private static SortedSet<string> RevokedSerials(X509Crl crl) =>
        new((crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>()).Select(r => r.SerialNumber.ToString(16).PadLeft(32, '0')), StringComparer.Ordinal);

    private static Org.BouncyCastle.X509.X509Certificate Issuer(IssuingCaView ca) => new X509CertificateParser().ReadCertificate(Der(ca.CertificatePem));

    private static X509Certificate2 Certificate(EnrollmentResult device) => X509CertificateLoader.LoadCertificate(device.Issued.CertificateChain[0]);

    private static byte[] Der(string pem) => X509Certificate2.CreateFromPem(pem).RawData;
}
