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
/// address's rates. Nothing a device publishes is routed to another client. Every refusal is counted and logged
/// (never with the payload).
/// </summary>
internal sealed class AccessGate(
    MqttEndpointOptions options,
    RequestDispatcher dispatcher,
    IDictionary internalSessionItems,
    EndpointMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    private const string RemoteAddressItem = "iotid.remote-address";
    private readonly TokenBuckets _deviceRate = new(options.DeviceRequestsPerWindow, options.DeviceRateWindow, time);
    private readonly TokenBuckets _addressRate = new(options.AddressRequestsPerWindow, options.AddressRateWindow, time);

    public Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var address = AddressOf(e.RemoteEndPoint);
        string? refusal = null;
        if (e.ProtocolVersion != MqttProtocolVersion.V500)
            (refusal, e.ReasonCode) = (MqttRefusals.ProtocolVersion, MqttConnectReasonCode.UnsupportedProtocolVersion);
        else if (!Topics.IsValidDeviceId(e.ClientId))
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
        var message = e.ApplicationMessage;
        var clientId = e.ClientId;
        var topic = message.Topic ?? "";

        if (!Topics.TryParseRequest(topic, out var deviceId, out var op) || deviceId != clientId)
            return Refuse(e, MqttRefusals.PublishTopic, ProvisioningError.NotAuthorized);
        var responseTopic = Topics.Response(clientId, op);
        if (message.ResponseTopic != responseTopic)
            return Refuse(e, MqttRefusals.ResponseTopic, ProvisioningError.NotAuthorized);
        var correlation = message.CorrelationData;
        if (correlation is not { Length: > 0 } || correlation.Length > options.MaxCorrelationDataBytes)
            return Refuse(e, MqttRefusals.CorrelationData, ProvisioningError.MalformedRequest);
        if (message.Payload.Length > options.MaxMessageBytes)
            return Refuse(e, MqttRefusals.MessageTooLarge, ProvisioningError.MessageTooLarge, responseTopic, correlation);

        var address = e.SessionItems[RemoteAddressItem] as string;
        if (!_deviceRate.TryTake(clientId, out var wait))
            return Refuse(e, MqttRefusals.DeviceRate, ProvisioningError.RateLimited, responseTopic, correlation, Replies.Seconds(wait));
        if (address is not null && !_addressRate.TryTake(address, out wait))
            return Refuse(e, MqttRefusals.AddressRate, ProvisioningError.RateLimited, responseTopic, correlation, Replies.Seconds(wait));

        var request = new DeviceRequest(clientId, op, System.Buffers.BuffersExtensions.ToArray(message.Payload), address);
        if (!dispatcher.TryEnqueue(request, responseTopic, correlation))
            return Refuse(e, MqttRefusals.TooManyPending, ProvisioningError.RateLimited, responseTopic, correlation, 1);
        return Task.CompletedTask;
    }

    private Task Refuse(InterceptingPublishEventArgs e, string reason, ProvisioningError error,
        string? responseTopic = null, byte[]? correlation = null, int? retryAfterSeconds = null)
    {
        e.Response.ReasonCode = Replies.PubAckReason(error);
        e.Response.ReasonString = error.ToString();
        e.Response.UserProperties = Replies.ErrorProperties(error, retryAfterSeconds);
        metrics.Refused(reason);
        MqttEndpointLog.Refused(logger, "publish", e.ClientId, e.ApplicationMessage.Topic ?? "", reason);
        if (responseTopic is not null && correlation is not null)
            dispatcher.Refuse(e.ClientId, responseTopic, correlation, error, retryAfterSeconds);
        return Task.CompletedTask;
    }

    private static string? AddressOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        null => null,
        _ => endPoint.ToString(),
    };
}
