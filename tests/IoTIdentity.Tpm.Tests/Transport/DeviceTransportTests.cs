using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>
/// The Linux character-device transport. The test machine has no TPM, so opening is tested against missing
/// paths and the read/write protocol against a stream that behaves like the kernel driver (one write per
/// command, the response handed out by read()).
/// </summary>
public sealed class DeviceTransportTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Fact]
    public void Opening_a_missing_device_is_a_transport_error_that_names_it()
    {
        var path = "/dev/tpmrm-iotidentity-missing";

        var error = Assert.Throws<TpmTransportException>(() => DeviceTransport.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task The_factory_reports_a_missing_default_device_as_a_transport_error()
    {
        if (File.Exists(DeviceTransport.DefaultPath)) return; // a machine with a TPM: nothing to prove here

        await Assert.ThrowsAsync<TpmTransportException>(() => TpmTransports.OpenAsync("device:///dev/tpmrm0", cancellationToken: Timeout));
    }

    [Theory]
    [InlineData(int.MaxValue)] // the kernel hands out the whole response in one read
    [InlineData(4)]            // a kernel with partial reads, or a short read
    public async Task A_command_is_written_once_and_the_response_read_to_its_declared_size(int chunk)
    {
        var response = TpmCommands.Response(0, 0x00, 0x02, 0xAB, 0xCD);
        var device = new KernelLikeStream(response, chunk);
        await using var transport = new DeviceTransport(device, "/dev/fake", TpmTransportOptions.Default);

        var received = await transport.SendAsync(TpmCommands.GetRandom16, Timeout);

        Assert.Equal(response, received);
        Assert.Equal([TpmCommands.GetRandom16], device.Writes);
    }

    [Fact]
    public async Task An_oversized_response_header_from_the_device_is_refused()
    {
        var device = new KernelLikeStream(Convert.FromHexString("80010001000000000000"), int.MaxValue);
        await using var transport = new DeviceTransport(device, "/dev/fake", TpmTransportOptions.Default);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        Assert.Contains("exceeds the 8192-byte cap", error.Message);
    }

    [Fact]
    public async Task A_device_that_ends_mid_response_is_a_transport_error()
    {
        var device = new KernelLikeStream(Convert.FromHexString("80010000001C00000000AA"), int.MaxValue);
        await using var transport = new DeviceTransport(device, "/dev/fake", TpmTransportOptions.Default);

        var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        Assert.Contains("end of file after 11 bytes", error.Message);
    }

    /// <summary>Records writes and serves a canned response in reads of at most <c>chunk</c> bytes.</summary>
    private sealed class KernelLikeStream(byte[] response, int chunk) : Stream
    {
        private int _position;

        public List<byte[]> Writes { get; } = [];

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override int Read(byte[] buffer, int offset, int count)
        {
            Assert.NotEmpty(Writes);
            var n = Math.Min(Math.Min(count, chunk), response.Length - _position);
            response.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
