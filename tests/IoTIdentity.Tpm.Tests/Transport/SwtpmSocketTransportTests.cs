using System.Diagnostics;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Tpm.Transport;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>The swtpm socket transport against a real swtpm process.</summary>
public sealed class SwtpmSocketTransportTests
{
    private static readonly SwtpmOptions NoStartup = new() { SendStartup = false };

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Swtpm_answers_GetRandom_over_the_socket_transport()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(NoStartup, Timeout);

        var startup = await swtpm.Transport.SendAsync(TpmCommands.StartupClear, Timeout);
        Assert.Equal("80010000000A00000000", Convert.ToHexString(startup));

        var first = TpmCommands.AssertRandom16(await swtpm.Transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        var second = TpmCommands.AssertRandom16(await swtpm.Transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_second_Startup_is_refused_with_TPM_RC_INITIALIZE()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);

        var response = await swtpm.Transport.SendAsync(TpmCommands.StartupClear, Timeout);

        var error = Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(response, TpmCc.Startup));
        Assert.Equal(0x100u, error.ResponseCode);
        Assert.Equal(TpmRc.Initialize, error.Code);
        Assert.False(error.IsWarning);
        Assert.Equal(TpmRcSubject.None, error.Subject);
        Assert.Equal(0, error.Index);
        Assert.Equal(TpmCc.Startup, error.Command);
        Assert.Equal("TPM2_Startup failed: TPM_RC_INITIALIZE", error.Message);
    }

    [Fact]
    public async Task An_unknown_startup_type_is_TPM_RC_VALUE_on_parameter_1()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(NoStartup, Timeout);

        var response = await swtpm.Transport.SendAsync(TpmCommands.StartupInvalidType, Timeout);

        var error = Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(response, TpmCc.Startup));
        Assert.Equal(0x1C4u, error.ResponseCode);
        Assert.Equal(TpmRc.Value, error.Code);
        Assert.Equal(TpmRcSubject.Parameter, error.Subject);
        Assert.Equal(1, error.Index);
        Assert.Equal("TPM2_Startup failed: TPM_RC_VALUE (parameter 1)", error.Message);
    }

    [Fact]
    public async Task A_handle_outside_the_transient_range_is_TPM_RC_VALUE_on_handle_1()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);

        var response = await swtpm.Transport.SendAsync(TpmCommands.ReadPublicBadHandle, Timeout);

        var error = Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(response, TpmCc.ReadPublic));
        Assert.Equal(TpmRc.Value, error.Code);
        Assert.Equal(TpmRcSubject.Handle, error.Subject);
        Assert.Equal(1, error.Index);
        Assert.Equal("TPM2_ReadPublic failed: TPM_RC_VALUE (handle 1)", error.Message);
    }

    [Fact]
    public async Task A_transient_handle_with_nothing_loaded_is_the_warning_TPM_RC_REFERENCE_H0()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);

        var response = await swtpm.Transport.SendAsync(TpmCommands.ReadPublicNotLoaded, Timeout);

        var error = Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(response, TpmCc.ReadPublic));
        Assert.Equal(TpmRc.ReferenceH0, error.Code);
        Assert.True(error.IsWarning);
        Assert.Equal("TPM2_ReadPublic failed: TPM_RC_REFERENCE_H0 (warning)", error.Message);
    }

    [Fact]
    public async Task Power_cycling_over_the_control_channel_requires_a_new_Startup()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        var transport = swtpm.Transport;

        await transport.PowerOffAsync(Timeout);
        var whileOff = await transport.SendAsync(TpmCommands.GetRandom16, Timeout);
        Assert.Equal(TpmRc.Failure, Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(whileOff, TpmCc.GetRandom)).Code);

        await transport.PowerOnAsync(Timeout);
        var beforeStartup = await transport.SendAsync(TpmCommands.GetRandom16, Timeout);
        Assert.Equal(TpmRc.Initialize, Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(beforeStartup, TpmCc.GetRandom)).Code);

        TpmResponse.ThrowIfError(await transport.SendAsync(TpmCommands.StartupClear, Timeout), TpmCc.Startup);
        TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
    }

    [Fact]
    public async Task Reset_over_the_control_channel_requires_a_new_Startup()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        var transport = swtpm.Transport;

        await transport.ResetAsync(Timeout);

        var beforeStartup = await transport.SendAsync(TpmCommands.GetRandom16, Timeout);
        Assert.Equal(TpmRc.Initialize, Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(beforeStartup, TpmCc.GetRandom)).Code);
        TpmResponse.ThrowIfError(await transport.SendAsync(TpmCommands.StartupClear, Timeout), TpmCc.Startup);
    }

    [Fact]
    public async Task The_control_channel_reports_capabilities_and_the_established_flag()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);

        var caps = await swtpm.Transport.GetControlCapabilitiesAsync(Timeout);
        const uint init = 1, shutdown = 1 << 1, stop = 1 << 10;
        Assert.Equal(init | shutdown | stop, caps & (init | shutdown | stop));

        Assert.False(await swtpm.Transport.GetTpmEstablishedAsync(Timeout));
        await swtpm.Transport.ResetTpmEstablishedAsync(3, Timeout);
    }

    [Fact]
    public async Task A_failing_control_command_is_a_transport_error_with_its_result_code()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);

        // swtpm only lets localities 3 and 4 reset tpmEstablished; from 0 it answers TPM_BAD_LOCALITY (0x3D).
        var error = await Assert.ThrowsAsync<TpmTransportException>(() => swtpm.Transport.ResetTpmEstablishedAsync(0, Timeout));
        Assert.Contains("CMD_ResetTpmEstablished failed with result 0x0000003D", error.Message);
    }

    [Fact]
    public async Task Concurrent_callers_are_serialized_and_each_gets_its_own_response()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => Task.Run(() => swtpm.Transport.SendAsync(TpmCommands.GetRandom16, Timeout))));

        var randoms = responses.Select(r => Convert.ToHexString(TpmCommands.AssertRandom16(r))).ToHashSet();
        Assert.Equal(16, randoms.Count);
    }

    [Fact]
    public async Task The_factory_opens_the_fixture_endpoint()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await swtpm.ReleaseTransportAsync();

        await using var transport = await TpmTransports.OpenAsync(swtpm.Endpoint, cancellationToken: Timeout);

        Assert.IsType<SwtpmSocketTransport>(transport);
        TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
    }

    [Fact]
    public async Task Terminate_ends_the_swtpm_process()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        using var process = Process.GetProcessById(swtpm.ProcessId);

        await swtpm.Transport.TerminateAsync(Timeout);

        await process.WaitForExitAsync(Timeout);
        await Assert.ThrowsAsync<TpmTransportException>(() => swtpm.Transport.SendAsync(TpmCommands.GetRandom16, Timeout));
    }

    [Fact]
    public async Task Connecting_to_a_port_with_no_swtpm_is_a_transport_error()
    {
        var port = System.Net.Sockets.TcpListener.Create(0).Also(l => l.Start()).StopAndGetPort();

        var error = await Assert.ThrowsAsync<TpmTransportException>(
            () => SwtpmSocketTransport.ConnectAsync("127.0.0.1", port, port + 1, cancellationToken: Timeout));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }
}
