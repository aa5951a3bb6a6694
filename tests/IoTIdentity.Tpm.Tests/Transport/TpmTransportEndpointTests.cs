using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>Parsing of transport configuration strings.</summary>
public sealed class TpmTransportEndpointTests
{
    [Theory]
    [InlineData("swtpm://127.0.0.1:2321?ctrl=2322", "127.0.0.1", 2321, 2322)]
    [InlineData("swtpm://localhost:4000", "localhost", 4000, 4001)]
    [InlineData("swtpm://[::1]:2321?ctrl=9999", "::1", 2321, 9999)]
    [InlineData("swtpm://tpm.example", "tpm.example", 2321, 2322)]
    [InlineData("SWTPM://127.0.0.1:2321?CTRL=2400", "127.0.0.1", 2321, 2400)]
    [InlineData("swtpm:host=10.0.0.5,port=5000", "10.0.0.5", 5000, 5001)]
    [InlineData("swtpm:", "127.0.0.1", 2321, 2322)]
    public void Swtpm_endpoints_parse_with_the_control_port_defaulting_to_data_plus_one(string text, string host, int port, int ctrl)
    {
        var endpoint = TpmTransportEndpoint.Parse(text);

        Assert.Equal(TpmTransportKind.Swtpm, endpoint.Kind);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(ctrl, endpoint.ControlPort);
    }

    [Theory]
    [InlineData("mssim://127.0.0.1:2321?platform=2322", 2321, 2322, 0)]
    [InlineData("mssim://127.0.0.1:2321?platform=3000&locality=3", 2321, 3000, 3)]
    [InlineData("mssim:host=127.0.0.1,port=2321", 2321, 2322, 0)]
    public void Ms_simulator_endpoints_parse_with_platform_port_and_locality(string text, int port, int platform, byte locality)
    {
        var endpoint = TpmTransportEndpoint.Parse(text);

        Assert.Equal(TpmTransportKind.MsSimulator, endpoint.Kind);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(platform, endpoint.ControlPort);
        Assert.Equal(locality, endpoint.Locality);
    }

    [Theory]
    [InlineData("device:///dev/tpmrm0", "/dev/tpmrm0")]
    [InlineData("device:/dev/tpm0", "/dev/tpm0")]
    [InlineData("device", "/dev/tpmrm0")]
    [InlineData("device://", "/dev/tpmrm0")]
    public void Device_endpoints_parse_to_an_absolute_path(string text, string path)
    {
        var endpoint = TpmTransportEndpoint.Parse(text);

        Assert.Equal(TpmTransportKind.Device, endpoint.Kind);
        Assert.Equal(path, endpoint.DevicePath);
    }

    [Theory]
    [InlineData("tcti:tabrmd:bus_type=session", "tabrmd:bus_type=session")]
    [InlineData("TCTI: device:/dev/tpmrm0 ", "device:/dev/tpmrm0")]
    public void Tcti_endpoints_keep_the_tpm2_tss_configuration_after_the_prefix(string text, string tcti)
    {
        var endpoint = TpmTransportEndpoint.Parse(text);

        Assert.Equal(TpmTransportKind.Tcti, endpoint.Kind);
        Assert.Equal(tcti, endpoint.Tcti);
        Assert.Equal("tcti:" + tcti, endpoint.ToString());
    }

    [Theory]
    [InlineData("", "unknown scheme ''")]
    [InlineData("tcti:", "name the TCTI after 'tcti:'")]
    [InlineData("tcp://127.0.0.1:2321", "unknown scheme 'tcp'")]
    [InlineData("swtpm://127.0.0.1:2321?ctrl=0", "'0' is not a TCP port")]
    [InlineData("swtpm://127.0.0.1:2321?ctrl=70000", "'70000' is not a TCP port")]
    [InlineData("swtpm://127.0.0.1:2321?ctrl=abc", "'abc' is not a TCP port")]
    [InlineData("swtpm://127.0.0.1:2321?platform=2322", "unknown option 'platform'")]
    [InlineData("swtpm://127.0.0.1:2321?ctrl=2321", "cannot share one port")]
    [InlineData("swtpm://127.0.0.1:65535", "no room for the second channel")]
    [InlineData("swtpm://127.0.0.1:2321/path", "only a host, a port and a query")]
    [InlineData("mssim://127.0.0.1:2321?locality=5", "'5' is not a locality")]
    [InlineData("mssim:host=127.0.0.1,prot=2321", "unknown TCTI option 'prot'")]
    [InlineData("swtpm:port", "'port' is not key=value")]
    [InlineData("device://dev/tpmrm0", "must be absolute")]
    public void Bad_configuration_strings_are_rejected_with_the_reason_and_the_accepted_forms(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => TpmTransportEndpoint.Parse(text));

        Assert.Contains(reason, error.Message);
        Assert.Contains("Expected device:///dev/tpmrm0", error.Message);
        Assert.Contains($"'{text}'", error.Message);
    }

    [Fact]
    public void The_canonical_form_round_trips()
    {
        foreach (var text in new[] { "swtpm://127.0.0.1:2321?ctrl=2322", "mssim://[::1]:2321?platform=2322&locality=2", "device:///dev/tpm0" })
            Assert.Equal(text, TpmTransportEndpoint.Parse(text).ToString());
    }
}
