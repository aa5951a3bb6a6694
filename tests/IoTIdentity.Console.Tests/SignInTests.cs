using Microsoft.Playwright;

namespace IoTIdentity.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleFixture console)
{
    [Fact]
    public async Task Signing_in_with_a_tenant_key_opens_the_overview_of_that_tenant_with_a_strict_http_only_session_cookie()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        await console.Fleet.EnrollDeviceAsync(tenant);
        await using var session = await console.OpenAsync();

        await session.SignInAsync(tenant.AdminKey);

        Assert.Contains(tenant.TenantId, await session.Page.GetByTestId("session").InnerTextAsync());
        Assert.Equal("1", (await session.Page.GetByTestId("device-count").InnerTextAsync()).Trim());
        var cookie = Assert.Single(await session.Context.CookiesAsync(), c => c.Name == "iotid-console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(tenant.AdminKey, cookie.Value);
        Assert.Empty(session.Errors);
    }
}
