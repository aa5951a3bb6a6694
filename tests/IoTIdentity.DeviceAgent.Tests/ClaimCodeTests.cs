using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The built agent presents the claim code printed on its device (<c>--claim-code</c> or <c>Agent:ClaimCode</c>): an
/// unowned device that names no scope and that several tenants trust goes to the tenant that registered the code's
/// hash, and to nobody without the right code.
/// </summary>
public sealed class ClaimCodeTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    [Theory(Timeout = 180_000)]
    [InlineData("flag")]
    [InlineData("setting")]
    public async Task An_unscoped_device_two_tenants_trust_enrols_with_the_tenant_whose_claim_code_the_agent_presents(string given)
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        device.Options.EnrollmentScope = null;
        // letters only: a code of digits alone would be its own upper case, and that "wrong" code the right one
        var code = string.Join("-", Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyz", 4)));
        using (var owner = device.Tenant.Http)
        {
            var put = await owner.PutAsJsonAsync($"/api/v1/individual-enrollments/{device.DeviceId}",
                new { groupId = "default", claimCodeSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code))) });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        // another customer of the same TPM vendor: without a claim the device is nobody's
        var rival = await service.CreateTenantAsync($"rival-{Guid.NewGuid():N}"[..20], [device.Swtpm.ManufacturerCa.RootDer]);

        foreach (var wrong in new[] { code.ToUpperInvariant(), code + " ", "" })
        {
            Assert.NotEqual(code, wrong);
            var (refused, output) = await ExitCodeTests.RunAsync(device.Directory, device.Options, "enroll", "--claim-code", wrong);
            Assert.Equal((int)AgentExitCode.Refused, refused);
            ExitCodeTests.AssertOneLine(output, "the service refused the device: AmbiguousOwner", "Agent:ClaimCode (--claim-code)");
        }
        Assert.Null(device.Store.Load());

        string[] command = given == "flag" ? ["enroll", "--claim-code", code] : ["enroll"];
        if (given == "setting") device.Options.ClaimCode = code;
        var (enrolled, log) = await ExitCodeTests.RunAsync(device.Directory, device.Options, command);

        Assert.True(enrolled == 0, log);
        Assert.Equal(device.Tenant.TenantId, device.Store.Load()!.Metadata.Owner);
        Assert.Equal("Active", (await service.Store.GetDeviceAsync(device.Tenant.TenantId, device.DeviceId))!.State);
        Assert.Null(await service.Store.GetDeviceAsync(rival.TenantId, device.DeviceId));
    }
}
