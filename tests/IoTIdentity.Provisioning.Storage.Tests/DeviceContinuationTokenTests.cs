using System.Buffers.Text;

namespace IoTIdentity.Provisioning.Storage.Tests;

public sealed class DeviceContinuationTokenTests
{
    [Fact]
    public void A_token_round_trips_the_last_device_id_for_its_tenant()
    {
        var token = DeviceContinuationToken.Encode("tenant-ü", "device/42?#");

        Assert.Equal("device/42?#", DeviceContinuationToken.Decode(token, "tenant-ü"));
        Assert.DoesNotContain('+', token);
        Assert.DoesNotContain('/', token);
    }

    [Fact]
    public void A_token_of_another_tenant_is_refused()
    {
        var token = DeviceContinuationToken.Encode("tenant-a", "device-1");

        var refused = Assert.Throws<InvalidContinuationTokenException>(() => DeviceContinuationToken.Decode(token, "tenant-b"));

        Assert.Contains("another tenant", refused.Message);
        Assert.DoesNotContain(token, refused.Message);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 1, (byte)'t', 0, 1, (byte)'d' }, "version")]
    [InlineData(new byte[] { 1, 0, 1, (byte)'t', 0, 5, (byte)'d' }, "truncated")]
    [InlineData(new byte[] { 1, 0, 1, (byte)'t', 0, 1, (byte)'d', 0 }, "trailing")]
    [InlineData(new byte[] { 1, 0, 1, (byte)'t', 0, 0 }, "not a valid id")]
    [InlineData(new byte[] { 1, 0, 1, (byte)'t', 0, 1, 0xff }, "not UTF-8")]
    public void A_well_encoded_but_malformed_token_is_refused_with_its_reason(byte[] bytes, string reason)
    {
        var refused = Assert.Throws<InvalidContinuationTokenException>(
            () => DeviceContinuationToken.Decode(Base64Url.EncodeToString(bytes), "t"));

        Assert.Contains(reason, refused.Message);
    }
}
