using System.Net;
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
        await session.Page.ScreenshotAsync(new() { Path = Path.Combine(console.Screenshots, "overview-one-device-desktop.png") });
        Assert.Empty(session.Errors);
    }

    public static TheoryData<string> RefusedKeys => new()
    {
        "not-a-key",
        "iotid.nosuchtenant.k1.c2VjcmV0",
        "iotid-admin.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task A_key_the_API_does_not_accept_is_refused_with_a_reason_and_opens_no_session(string key)
    {
        await using var session = await console.OpenAsync();
        await session.Page.GotoAsync("/console/sign-in");
        await session.Page.GetByLabel("API key").FillAsync(key);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(session.Page.GetByTestId("sign-in-error")).ToContainTextAsync("does not accept this key");
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name == "iotid-console");
        await session.Page.GotoAsync("/console/inventory");
        await session.WaitForPathAsync("/console/sign-in");
    }

    [Fact]
    public async Task A_revoked_key_cannot_sign_in()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        using var api = new Protocol.Management.IotIdClient(console.Fleet.Service.BaseAddress, tenant.AdminKey);
        var created = (await api.CreateApiKeyAsync(new Protocol.Management.CreateApiKeyRequest("soon revoked", "Operator"))).Value;
        await api.RevokeApiKeyAsync(created.KeyId);
        await using var session = await console.OpenAsync();
        await session.Page.GotoAsync("/console/sign-in");
        await session.Page.GetByLabel("API key").FillAsync(created.Key);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(session.Page.GetByTestId("sign-in-error")).ToContainTextAsync("does not accept this key");
    }

    [Fact]
    public async Task Sign_in_and_sign_out_posts_without_the_anti_forgery_token_are_refused()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = console.Fleet.Service.BaseAddress };

        var signIn = await http.PostAsync("/console/sign-in", new FormUrlEncodedContent(
            [new("_handler", "sign-in"), new("Input.ApiKey", tenant.AdminKey)]));
        var signOut = await http.PostAsync("/console/sign-out", new FormUrlEncodedContent([]));

        Assert.True(signIn.StatusCode == HttpStatusCode.BadRequest, $"{signIn.StatusCode} {signIn.Headers.Location} {await signIn.Content.ReadAsStringAsync()}");
        Assert.False(signIn.Headers.Contains("Set-Cookie") && signIn.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("iotid-console=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var tenant = await console.Fleet.NewTenantAsync();
        await using var session = await console.OpenAsync();
        await session.SignInAsync(tenant.AdminKey);

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await session.WaitForPathAsync("/console/sign-in");
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name == "iotid-console");
    }

    [Fact]
    public void Without_chromium_the_tests_fail_saying_how_to_install_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-chromium-{Guid.NewGuid():N}");

        var error = Assert.Throws<InvalidOperationException>(() => SystemChromium.Locate(missing));

        Assert.Contains(missing, error.Message);
        Assert.Contains("./scripts/install-deps.sh", error.Message);
        Assert.Contains("apt-get install chromium", error.Message);
    }
}
