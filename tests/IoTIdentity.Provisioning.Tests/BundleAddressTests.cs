using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Host.Api;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A tenant owner cannot point the service at its own network: with the default settings a federation's bundle URL
/// whose host is a loopback, private, link-local or otherwise non-public address is refused before any connection,
/// whatever way the address is written, and nothing is stored.
/// </summary>
public sealed class BundleAddressTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:c0a8:101::1")]
    [InlineData("::127.0.0.1")]
    public void Loopback_private_link_local_and_reserved_addresses_are_not_public_in_any_notation(string address) =>
        Assert.False(PublicAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_unicast_addresses_are_public(string address) => Assert.True(PublicAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:{port}/bundle.json")]
    [InlineData("http://localhost:{port}/bundle.json")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/bundle.json")]
    [InlineData("http://2130706433:{port}/bundle.json")]
    [InlineData("http://0x7f000001:{port}/bundle.json")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/bundle.json")]
    [InlineData("https://[fd00::1]/bundle.json")]
    public async Task A_bundle_url_on_a_non_public_address_is_refused_and_nothing_is_fetched_or_kept(string url)
    {
        var tenant = await service.CreateTenantAsync($"ba-{Guid.NewGuid():N}"[..20], []);
        using var http = tenant.Http;
        await using var server = await BundleServer.StartAsync(0);

        var response = await http.PutAsJsonAsync("/api/v1/federation/partner", new { bundleUrl = url.Replace("{port}", server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a public address", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Empty((await http.GetFromJsonAsync<List<JsonObject>>("/api/v1/federation"))!);
    }
}
