using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>The service as a process of its own, started with no manufacturer trusted: the remote target sets it up.</summary>
public sealed class ServiceProcessFixture : IAsyncLifetime
{
    /// <summary>Scratch space for the service's data and the fleets.</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("iotid-remote-").FullName;

    /// <summary>The running service.</summary>
    public ServiceProcess Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("iotid-service.dll not found: dotnet build provisioning/IoTIdentity.Provisioning.Host (same configuration)");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Service = await ServiceProcess.StartAsync(dll, Path.Combine(Directory, "data"), manufacturerRoot: null, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>The remote-target options for this service (with <c>--create-group</c> unless told otherwise).</summary>
    public RemoteTargetOptions Options(string group, string? apiKey = null, bool createGroup = true) =>
        new(Service.HttpUrl, $"127.0.0.1:{Service.MqttPort}", Service.TrustAnchorPath, apiKey ?? Service.ApiKey!, group, CreateGroup: createGroup);

    /// <summary>GET on the HTTP API with the dev tenant's key.</summary>
    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var http = (await Service.GetApiAsync(CancellationToken.None))!.CreateClient();
        return await http.GetAsync(path);
    }
}

/// <summary>A fleet against a service someone else runs: set up through the HTTP API only, enrolling over MQTT TLS.</summary>
public sealed class RemoteTargetTests(ServiceProcessFixture fixture) : IClassFixture<ServiceProcessFixture>
{
    [Fact(Timeout = 300_000)]
    public async Task A_fleet_enrols_against_a_service_process_that_the_simulator_set_up_through_its_HTTP_API()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        Assert.NotNull(fixture.Service.ApiKey);
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(fixture.Directory, "fleet"), 20, 2, timeout.Token);

        await using var remote = await RemoteTarget.ConnectAsync(fixture.Options("sim-fleet"), fleet.Manufacturer.RootDer, timeout.Token);
        var (report, results) = await FleetScenarios.FirstBootAsync(fleet, remote.ClientOptions, timeout.Token, rate: 10);

        Assert.Equal(20, report.Succeeded);
        Assert.Empty(report.Errors);
        Assert.All(results.Values, r => Assert.Equal("dev", r.Issued.Owner));
        using var group = await (await fixture.GetAsync("/api/v1/enrollment-groups/sim-fleet")).Content.ReadFromJsonAsync<JsonDocument>();
        Assert.Equal(20, group!.RootElement.GetProperty("deviceCount").GetInt32());
        Assert.Single(group.RootElement.GetProperty("trustedRootsPem").EnumerateArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_service_process_gives_the_administrator_key_it_printed_on_its_first_start()
    {
        var admin = await fixture.Service.GetAdminApiAsync(CancellationToken.None);

        Assert.StartsWith("iotid-admin.", admin!.ApiKey);
        using var http = admin.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/tenants")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Setting_up_a_group_twice_keeps_one_copy_of_the_manufacturer_root_and_the_group_settings()
    {
        using var ca = Swtpm.Manufacturing.ManufacturerCa.Create(Fleet.ManufacturerShape);
        await using (await RemoteTarget.ConnectAsync(fixture.Options("twice"), ca.RootDer, CancellationToken.None)) { }
        await using (await RemoteTarget.ConnectAsync(fixture.Options("twice"), ca.RootDer, CancellationToken.None)) { }

        using var group = await (await fixture.GetAsync("/api/v1/enrollment-groups/twice")).Content.ReadFromJsonAsync<JsonDocument>();
        Assert.Single(group!.RootElement.GetProperty("trustedRootsPem").EnumerateArray());
    }

    [Fact(Timeout = 120_000)]
    public async Task Remote_target_is_refused_with_a_clear_error_when_the_API_key_is_wrong_and_nothing_changes()
    {
        using var ca = Swtpm.Manufacturing.ManufacturerCa.Create(Fleet.ManufacturerShape);
        var wrongKey = "iotid.dev.nosuchkey." + new string('A', 43);

        var refused = await Assert.ThrowsAsync<RemoteTargetException>(() =>
            RemoteTarget.ConnectAsync(fixture.Options("wrong-key", wrongKey), ca.RootDer, CancellationToken.None));

        Assert.Contains("API key", refused.Message);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.GetAsync("/api/v1/enrollment-groups/wrong-key")).StatusCode);
    }

    [Fact]
    public async Task Remote_target_is_refused_when_the_CA_certificate_file_is_missing_or_not_PEM()
    {
        using var ca = Swtpm.Manufacturing.ManufacturerCa.Create(Fleet.ManufacturerShape);
        var notPem = Path.Combine(fixture.Directory, "not-a-certificate.pem");
        await File.WriteAllTextAsync(notPem, "hello");

        var missing = await Assert.ThrowsAsync<RemoteTargetException>(() => RemoteTarget.ConnectAsync(
            fixture.Options("no-ca") with { CaCertificatePath = Path.Combine(fixture.Directory, "nowhere.pem") }, ca.RootDer, CancellationToken.None));
        var garbage = await Assert.ThrowsAsync<RemoteTargetException>(() => RemoteTarget.ConnectAsync(
            fixture.Options("no-ca") with { CaCertificatePath = notPem }, ca.RootDer, CancellationToken.None));

        Assert.Contains("--ca-cert", missing.Message);
        Assert.Contains("no PEM certificate", garbage.Message);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.GetAsync("/api/v1/enrollment-groups/no-ca")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_create_group_the_simulator_says_what_it_would_change_and_changes_nothing()
    {
        using var ca = Swtpm.Manufacturing.ManufacturerCa.Create(Fleet.ManufacturerShape);
        using var other = Swtpm.Manufacturing.ManufacturerCa.Create(Fleet.ManufacturerShape);

        // a group that does not exist is not created
        var create = await Assert.ThrowsAsync<RemoteTargetException>(() =>
            RemoteTarget.ConnectAsync(fixture.Options("not-yet", createGroup: false), ca.RootDer, CancellationToken.None));
        Assert.Contains("create enrolment group 'not-yet'", create.Message);
        Assert.Contains("--create-group", create.Message);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.GetAsync("/api/v1/enrollment-groups/not-yet")).StatusCode);

        // a group trusting another manufacturer is not given this one
        await using (await RemoteTarget.ConnectAsync(fixture.Options("theirs"), other.RootDer, CancellationToken.None)) { }
        var before = await (await fixture.GetAsync("/api/v1/enrollment-groups/theirs")).Content.ReadAsStringAsync();
        var add = await Assert.ThrowsAsync<RemoteTargetException>(() =>
            RemoteTarget.ConnectAsync(fixture.Options("theirs", createGroup: false), ca.RootDer, CancellationToken.None));
        Assert.Contains("add the fleet's manufacturer root", add.Message);
        Assert.Contains("'theirs'", add.Message);
        Assert.Equal(before, await (await fixture.GetAsync("/api/v1/enrollment-groups/theirs")).Content.ReadAsStringAsync());

        // a group that already trusts the fleet's manufacturer needs no change and no flag
        await using var ready = await RemoteTarget.ConnectAsync(fixture.Options("theirs", createGroup: false), other.RootDer, CancellationToken.None);
        Assert.Equal(before, await (await fixture.GetAsync("/api/v1/enrollment-groups/theirs")).Content.ReadAsStringAsync());
    }

    [Fact]
    public void Create_group_goes_with_a_service_url() =>
        Assert.Contains("--create-group", Assert.Throws<ArgumentException>(() =>
            FleetArguments.Remote(null, null, null, null, "g", createGroup: true)).Message);
}
