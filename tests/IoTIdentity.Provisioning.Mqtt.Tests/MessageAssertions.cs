using System.Text.Json;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using MQTTnet;
using MQTTnet.Packets;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

internal static class MessageAssertions
{
    public static string? Property(IEnumerable<MqttUserProperty>? properties, string name) =>
        properties?.FirstOrDefault(p => p.Name == name)?.ReadValueAsString();

    public static ErrorResponse ErrorBody(this MqttApplicationMessage message) =>
        JsonSerializer.Deserialize(message.Payload.ToArray(), ProtocolJson.Default.ErrorResponse)!;

    public static void IsRefusal(this MqttApplicationMessage message, ProvisioningError error)
    {
        Assert.Equal(error.ToString(), Property(message.UserProperties, "iotid-error"));
        Assert.Equal(error, message.ErrorBody().Error);
        Assert.Equal("application/json", message.ContentType);
    }

    public static void IsRefusal(this MqttClientPublishResult result, ProvisioningError error)
    {
        Assert.False(result.IsSuccess);
        Assert.Equal(error.ToString(), Property(result.UserProperties, "iotid-error"));
    }
}
