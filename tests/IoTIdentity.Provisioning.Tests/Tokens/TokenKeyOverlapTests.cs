using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions.Tokens;

namespace IoTIdentity.Provisioning.Tests.Tokens;

/// <summary>
/// Token key rotation with overlap, on the service's clock moved forward by the test: a retired key stays in the JWKS and
/// the trust bundle for <see cref="TokenPolicy.LongestLifetime"/> after its rotation — longer than any token it signed
/// lives — and is gone after; the key that signs after a rotation was published before it.
/// </summary>
public sealed class TokenKeyOverlapTests(ShiftedClockService fixture) : IClassFixture<ShiftedClockService>
{
    [Fact]
    public async Task A_retired_key_is_published_for_the_longest_token_lifetime_after_its_rotation_and_then_dropped()
    {
        var service = fixture.Service;
        var tenant = await service.CreateTenantAsync($"tk-{Guid.NewGuid():N}"[..20], []);
        using var admin = tenant.Http;
        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        async Task<List<string>> JwksAsync() =>
            JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{tenant.TenantId}/jwks.json")).RootElement.GetProperty("keys").EnumerateArray()
                .Select(k => k.GetProperty("kid").GetString()!).ToList();
        async Task<List<string>> BundleAsync() =>
            JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{tenant.TenantId}/bundle.json")).RootElement.GetProperty("keys").EnumerateArray()
                .Where(k => k.GetProperty("use").GetString() == "jwt-svid").Select(k => k.GetProperty("kid").GetString()!).ToList();
        async Task<List<TokenKeyView>> KeysAsync() => (await admin.GetFromJsonAsync<List<TokenKeyView>>("/api/v1/token-keys"))!;

        var before = await KeysAsync();
        Assert.Equal(["current", "next"], before.Select(k => k.Status));
        Assert.Equal(before.Select(k => k.KeyId), await JwksAsync());
        var (first, next) = (before[0].KeyId, before[1].KeyId);

        try
        {
            var rotated = await admin.PostAsync("/api/v1/token-keys/rotate", null);
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            var after = await KeysAsync();
            Assert.Equal(["retired", "current", "next"], after.Select(k => k.Status));
            // the key that signs now is the one published as next before the rotation
            Assert.Equal([first, next], after.Take(2).Select(k => k.KeyId));
            Assert.Equal(after[0].RetiredAt + TokenPolicy.LongestLifetime, after[0].PublishedUntil);
            var third = after[2].KeyId;

            fixture.Clock.Offset = after[0].PublishedUntil!.Value - fixture.Clock.GetUtcNow() - TimeSpan.FromMinutes(1);
            Assert.Equal([first, next, third], await JwksAsync());
            Assert.Equal([first, next, third], await BundleAsync());

            fixture.Clock.Offset += TimeSpan.FromMinutes(2);
            Assert.Equal([next, third], await JwksAsync());
            Assert.Equal([next, third], await BundleAsync());
            Assert.Equal(["current", "next"], (await KeysAsync()).Select(k => k.Status));
        }
        finally
        {
            fixture.Clock.Offset = TimeSpan.Zero;
        }
    }
}
