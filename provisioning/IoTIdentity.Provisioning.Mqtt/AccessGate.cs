using System.Collections;
using System.Net;
using IoTIdentity.Protocol;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's rules, applied in MQTTnet's interceptors. A client's id must be a device id; it may subscribe only
/// under <c>iotid/v1/{id}/</c> and publish only requests to <c>iotid/v1/{id}/req/{op}</c>, each carrying the response
/// topic <c>iotid/v1/{id}/res/{op}</c> and correlation data, within the size limit and the device's and source
/// address's rates (those request rules are <see cref="RequestAdmission"/>'s, shared with the external broker mode).
/// Nothing a device publishes is routed to another client. Every refusal is counted and logged (never with the payload).
/// </summary>
internal sealed class AccessGate(
    MqttEndpointOptions options,
    RequestAdmission admission,
    IDictionary internalSessionItems,
    EndpointMetrics metrics,
    ILogger logger)
{
    private const string RemoteAddressItem = "iotid.remote-address";

    public Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var address = AddressOf(e.RemoteEndPoint);
        string? refusal = null;
        if (e.ProtocolVersion != MqttProtocolVersion.V500)
            (refusal, e.ReasonCode) = (MqttRefusals.ProtocolVersion, MqttConnectReasonCode.UnsupportedProtocolVersion);
        else if (!DeviceIds.IsValid(e.ClientId))
            (refusal, e.ReasonCode) = (MqttRefusals.ClientId, MqttConnectReasonCode.ClientIdentifierNotValid);
        else if (!e.IsSecureConnection && !options.AllowPlaintext)
            (refusal, e.ReasonCode) = (MqttRefusals.Plaintext, MqttConnectReasonCode.NotAuthorized);
        if (refusal is not null)
        {
            metrics.Refused(refusal);
            MqttEndpointLog.ConnectionRefused(logger, address, refusal);
            return Task.CompletedTask;
        }
        e.SessionItems[RemoteAddressItem] = address;
        return Task.CompletedTask;
    }

    public Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic ?? "";
        if (filter.StartsWith(Topics.DeviceSubtree(e.ClientId), StringComparison.Ordinal)) return Task.CompletedTask;
        e.ProcessSubscription = false;
        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        metrics.Refused(MqttRefusals.SubscribeTopic);
        MqttEndpointLog.Refused(logger, "subscription", e.ClientId, filter, MqttRefusals.SubscribeTopic);
        return Task.CompletedTask;
    }

    public Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (ReferenceEquals(e.SessionItems, internalSessionItems)) return Task.CompletedTask; // our own replies and commands
        e.ProcessPublish = false; // devices talk to the service, never to each other
        if (admission.Admit(e.ClientId, e.ApplicationMessage, e.SessionItems[RemoteAddressItem] as string) is { } refusal)
        {
            e.Response.ReasonCode = Replies.PubAckReason(refusal.Error);
            e.Response.ReasonString = refusal.Error.ToString();
            e.Response.UserProperties = Replies.ErrorProperties(refusal.Error, refusal.RetryAfterSeconds);
        }
        return Task.CompletedTask;
    }

    private static string? AddressOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        null => null,
        _ => endPoint.ToString(),
    };
}
