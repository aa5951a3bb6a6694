using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>The fleet commands' arguments: what they accept and how they refuse.</summary>
public sealed class FleetArgumentsTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("00:02:30", 150)]
    public void A_duration_is_read_in_seconds_minutes_hours_or_hh_mm_ss(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), FleetArguments.Duration(text));

    [Theory]
    [InlineData("10 parsecs")]
    [InlineData("-5s")]
    [InlineData("0")]
    [InlineData("soon")]
    public void A_duration_that_is_not_positive_or_not_understood_is_refused(string text) =>
        Assert.Contains("--duration", Assert.Throws<ArgumentException>(() => FleetArguments.Duration(text)).Message);

    [Fact]
    public void A_service_url_without_the_MQTT_endpoint_CA_certificate_and_API_key_is_refused_naming_what_is_missing()
    {
        var refused = Assert.Throws<ArgumentException>(() => FleetArguments.Remote("http://host:8080", "host:8883", null, null, "g"));
        Assert.Contains("--ca-cert", refused.Message);
        Assert.Contains("--api-key", refused.Message);
        Assert.DoesNotContain("--mqtt", refused.Message);
    }

    [Theory]
    [InlineData("host:8080")]
    [InlineData("ftp://host:8080")]
    [InlineData("not a url")]
    public void A_service_url_that_is_not_an_absolute_http_url_is_refused(string url) =>
        Assert.Contains("--service-url", Assert.Throws<ArgumentException>(() => FleetArguments.Remote(url, "host:8883", "ca.pem", "k", "g")).Message);

    [Fact]
    public void Remote_options_without_a_service_url_are_refused() =>
        Assert.Throws<ArgumentException>(() => FleetArguments.Remote(null, null, null, "iotid.dev.k.s", "g"));

    [Fact]
    public void An_admin_key_goes_with_a_service_url_and_must_be_an_administrator_key()
    {
        Assert.Throws<ArgumentException>(() => FleetArguments.Remote(null, null, null, null, "g", "iotid-admin.s"));
        Assert.Contains("--admin-key", Assert.Throws<ArgumentException>(() =>
            FleetArguments.Remote("http://host:8080", "host:8883", "ca.pem", "iotid.dev.k.s", "g", "iotid.dev.k.s")).Message);
        Assert.Equal("iotid-admin.s", FleetArguments.Remote("http://host:8080", "host:8883", "ca.pem", "iotid.dev.k.s", "g", "iotid-admin.s")!.AdminKey);
    }

    [Fact]
    public void The_transfer_scenario_against_a_remote_service_without_an_admin_key_is_refused_before_it_starts()
    {
        var remote = FleetArguments.Remote("http://host:8080", "host:8883", "ca.pem", "iotid.dev.k.s", "g");
        var options = new FleetOptions(10, 2, "fleet", "data", "reports", Remote: remote);
        Assert.Contains("--admin-key", Assert.Throws<ArgumentException>(() => FleetArguments.Check(options, new TransferScenario())).Message);
        FleetArguments.Check(options with { Remote = remote! with { AdminKey = "iotid-admin.s" } }, new TransferScenario());
        FleetArguments.Check(options, new FirstBootScenario());
    }

    [Fact]
    public void No_remote_options_mean_the_in_process_service() => Assert.Null(FleetArguments.Remote(null, null, null, null, "g"));

    [Theory]
    [InlineData("host:8883", "host", 8883)]
    [InlineData("host", "host", 8883)]
    [InlineData("10.0.0.5:18883", "10.0.0.5", 18883)]
    [InlineData("[::1]:8883", "::1", 8883)]
    public void An_MQTT_address_is_host_and_port(string address, string host, int port) =>
        Assert.Equal((host, port), RemoteTarget.ParseMqtt(address));

    [Theory]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    [InlineData(":8883")]
    [InlineData("")]
    public void An_MQTT_address_without_a_host_or_a_valid_port_is_refused(string address) =>
        Assert.Contains("--mqtt", Assert.Throws<RemoteTargetException>(() => RemoteTarget.ParseMqtt(address)).Message);

    [Fact]
    public void A_remote_target_and_a_local_service_process_together_are_refused() =>
        Assert.Throws<ArgumentException>(() => FleetArguments.Check(new FleetOptions(20, 2, ".fleet", ".data", "r", ServiceProcess: true,
            Remote: new RemoteTargetOptions(new Uri("http://h:1"), "h:2", "ca.pem", "k"))));

    [Fact]
    public void A_rate_that_is_not_positive_is_refused() =>
        Assert.Contains("--rate", Assert.Throws<ArgumentException>(() => FleetArguments.Check(new FleetOptions(20, 2, ".fleet", ".data", "r", Rate: 0))).Message);
}
