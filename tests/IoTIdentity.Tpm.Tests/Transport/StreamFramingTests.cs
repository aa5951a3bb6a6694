using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>
/// Exact-length framing against a misbehaving peer: every failure must be a <see cref="TpmTransportException"/>
/// that arrives promptly — never a hang, an over-read, or a later caller receiving an earlier response.
/// </summary>
public sealed class StreamFramingTests
{
    // Generous enough for a loaded 2-core machine; only the stall test shortens it.
    private static readonly TpmTransportOptions Short = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ResponseTimeout = TimeSpan.FromSeconds(5),
    };

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static FakeTcpPeer Answering(byte[] reply, bool thenClose = false) => new(async (stream, ct) =>
    {
        await FakeTcpPeer.ReadExactlyAsync(stream, 12, ct);
        await stream.WriteAsync(reply, ct);
        if (!thenClose) await Task.Delay(System.Threading.Timeout.Infinite, ct);
    });

    private static Task<SwtpmSocketTransport> ConnectAsync(FakeTcpPeer peer, TpmTransportOptions? options = null)
        => SwtpmSocketTransport.ConnectAsync("127.0.0.1", peer.Port, peer.Port + 1, options ?? Short, Timeout);

    [Fact]
    public async Task A_response_size_over_the_cap_is_refused_from_the_header_alone()
    {
        await using var peer = Answering(Convert.FromHexString("80010000210000000000")); // responseSize 8448
        await using var transport = await ConnectAsync(peer);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("responseSize 8448 exceeds the 8192-byte cap", error.Message);
    }

    [Fact]
    public async Task The_cap_can_be_lowered_by_an_option()
    {
        await using var peer = Answering(TpmCommands.Response(0, new byte[30]));
        await using var transport = await ConnectAsync(peer, Short with { MaxResponseSize = 32 });

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("responseSize 40 exceeds the 32-byte cap", error.Message);
    }

    [Fact]
    public async Task A_response_size_smaller_than_the_header_is_malformed()
    {
        await using var peer = Answering(Convert.FromHexString("80010000000400000000"));
        await using var transport = await ConnectAsync(peer);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("responseSize 4 is smaller than the header", error.Message);
    }

    [Fact]
    public async Task A_response_tag_that_is_not_a_response_tag_is_malformed()
    {
        await using var peer = Answering(Convert.FromHexString("48545450000A00000000")); // "HTTP..."
        await using var transport = await ConnectAsync(peer);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("tag 0x4854 is not a response tag", error.Message);
    }

    [Fact]
    public async Task A_peer_that_closes_mid_response_is_a_transport_error()
    {
        await using var peer = Answering(Convert.FromHexString("80010000001E000000000010AABBCC"), thenClose: true);
        await using var transport = await ConnectAsync(peer);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("connection closed after 5 of 20 bytes of the response body", error.Message);
    }

    [Fact]
    public async Task A_peer_that_stops_mid_response_times_out_and_the_transport_refuses_further_use()
    {
        await using var peer = Answering(Convert.FromHexString("80010000001E00000000"));
        await using var transport = await ConnectAsync(peer, Short with { ResponseTimeout = TimeSpan.FromMilliseconds(500) });

        var timedOut = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("no response within 0.5 s", timedOut.Message);

        var refused = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
        Assert.Contains("unusable after an earlier timeout", refused.Message);
    }

    [Fact]
    public async Task Cancelling_an_exchange_is_honoured_and_leaves_the_transport_unusable()
    {
        await using var peer = new FakeTcpPeer((stream, ct) => Task.Delay(System.Threading.Timeout.Infinite, ct));
        await using var transport = await ConnectAsync(peer, Short with { ResponseTimeout = System.Threading.Timeout.InfiniteTimeSpan });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendAsync(TpmCommands.StartupClear, cancel.Token));

        await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
    }

    [Fact]
    public async Task A_command_whose_size_field_disagrees_with_its_length_is_rejected_before_sending()
    {
        await using var peer = Answering(TpmCommands.Response(0));
        await using var transport = await ConnectAsync(peer);

        await Assert.ThrowsAsync<ArgumentException>(() => transport.SendAsync(Convert.FromHexString("80010000000D000001440000"), Timeout));
        await Assert.ThrowsAsync<ArgumentException>(() => transport.SendAsync(new byte[] { 0x80, 0x01 }, Timeout));

        // Rejecting a bad command does not break the transport.
        Assert.Equal(TpmCommands.Response(0), await transport.SendAsync(TpmCommands.StartupClear, Timeout));
    }

    [Fact]
    public async Task Sending_after_dispose_is_an_ObjectDisposedException()
    {
        await using var peer = Answering(TpmCommands.Response(0));
        var transport = await ConnectAsync(peer);
        await transport.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => transport.SendAsync(TpmCommands.StartupClear, Timeout));
    }
}
