using System.Buffers.Binary;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>
/// The MS/IBM simulator transport. No reference simulator is packaged for Debian, so the command port is
/// exercised against swtpm's data channel, which accepts the same TPM_SEND_COMMAND framing ("tpm-send-command-
/// header" in <c>man swtpm</c>); swtpm has no MS-style platform port, so platform signals go to a scripted peer.
/// </summary>
public sealed class MsSimulatorTransportTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Ms_simulator_framing_carries_GetRandom_to_swtpm()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await swtpm.ReleaseTransportAsync();

        await using var transport = await MsSimulatorTransport.ConnectAsync("127.0.0.1", swtpm.DataPort, swtpm.ControlPort, cancellationToken: Timeout);

        TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
    }

    [Fact]
    public async Task Platform_signals_are_sent_as_the_simulator_expects_and_acknowledged()
    {
        var signals = new List<uint>();
        await using var platform = new FakeTcpPeer(async (stream, ct) =>
        {
            while (true)
            {
                var signal = BinaryPrimitives.ReadUInt32BigEndian(await FakeTcpPeer.ReadExactlyAsync(stream, 4, ct));
                lock (signals) signals.Add(signal);
                if (signal == 20) return;
                await stream.WriteAsync(new byte[4], ct);
            }
        });
        await using var command = new FakeTcpPeer((stream, ct) => Task.Delay(System.Threading.Timeout.Infinite, ct));

        await using (var transport = await MsSimulatorTransport.ConnectAsync("127.0.0.1", command.Port, platform.Port, cancellationToken: Timeout))
        {
            await transport.PowerOnAsync(Timeout);
            await transport.ResetAsync(Timeout);
            await transport.PowerOffAsync(Timeout);
        }

        await WaitUntilAsync(() => { lock (signals) return signals.Count == 5; });
        // power on, NV on, reset, power off, session end.
        lock (signals) Assert.Equal([1u, 11u, 17u, 2u, 20u], signals);
    }

    [Fact]
    public async Task A_non_zero_platform_acknowledgement_is_a_transport_error()
    {
        await using var platform = new FakeTcpPeer(async (stream, ct) =>
        {
            await FakeTcpPeer.ReadExactlyAsync(stream, 4, ct);
            await stream.WriteAsync(new byte[] { 0, 0, 0, 1 }, ct);
        });
        await using var command = new FakeTcpPeer((stream, ct) => Task.Delay(System.Threading.Timeout.Infinite, ct));
        await using var transport = await MsSimulatorTransport.ConnectAsync("127.0.0.1", command.Port, platform.Port, cancellationToken: Timeout);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.PowerOffAsync(Timeout));
        Assert.Contains("SignalPowerOff acknowledged with 1", error.Message);
    }

    [Fact]
    public async Task The_command_frame_carries_locality_and_length_and_the_ack_is_checked()
    {
        byte[]? frame = null;
        await using var simulator = new FakeTcpPeer(async (stream, ct) =>
        {
            frame = await FakeTcpPeer.ReadExactlyAsync(stream, 9 + 12, ct);
            var response = TpmCommands.Response(0);
            var reply = new byte[4 + response.Length + 4];
            BinaryPrimitives.WriteUInt32BigEndian(reply, (uint)response.Length);
            response.CopyTo(reply, 4);
            BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(4 + response.Length), 7); // a bad ack
            await stream.WriteAsync(reply, ct);
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        });
        await using var transport = await MsSimulatorTransport.ConnectAsync("127.0.0.1", simulator.Port, simulator.Port + 1, locality: 3, cancellationToken: Timeout);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));

        Assert.Contains("acknowledged the command with 7", error.Message);
        Assert.Equal("00000008" + "03" + "0000000C" + "80010000000C000001440000", Convert.ToHexString(frame!));
    }

    [Fact]
    public async Task An_oversized_framing_length_is_refused_before_reading_the_body()
    {
        await using var simulator = new FakeTcpPeer(async (stream, ct) =>
        {
            await FakeTcpPeer.ReadExactlyAsync(stream, 9 + 12, ct);
            await stream.WriteAsync(new byte[] { 0x00, 0x10, 0x00, 0x00 }, ct); // 1 MiB
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        });
        await using var transport = await MsSimulatorTransport.ConnectAsync("127.0.0.1", simulator.Port, simulator.Port + 1, cancellationToken: Timeout);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("response length 1048576", error.Message);
    }

    [Fact]
    public async Task A_framing_length_that_disagrees_with_the_responseSize_is_a_transport_error()
    {
        await using var simulator = new FakeTcpPeer(async (stream, ct) =>
        {
            await FakeTcpPeer.ReadExactlyAsync(stream, 9 + 12, ct);
            // Framing says 12 bytes; the TPM header inside says 10.
            await stream.WriteAsync(Convert.FromHexString("0000000C" + "80010000000A00000000" + "0000" + "00000000"), ct);
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        });
        await using var transport = await MsSimulatorTransport.ConnectAsync("127.0.0.1", simulator.Port, simulator.Port + 1, cancellationToken: Timeout);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("responseSize 10 disagrees with the framing length 12", error.Message);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
    }
}
