using IoTIdentity.Protocol;
using MQTTnet;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The request rules both MQTT modes apply before a request reaches the handler: the topic is a request topic
/// <c>iotid/v1/{id}/req/{op}</c> (of the sending client's own id when the sender is known), the response topic is
/// <c>iotid/v1/{id}/res/{op}</c>, correlation data is present and small, the payload is within the size limit, and the
/// device's and source address's token buckets have a token. An admitted request is queued on the
/// <see cref="RequestDispatcher"/>; a refused one is counted and logged (never with the payload) and, when the reply
/// address is known, answered on it with the error.
/// </summary>
internal sealed class RequestAdmission(
    MqttEndpointOptions options,
    RequestDispatcher dispatcher,
    EndpointMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    private readonly TokenBuckets _deviceRate = new(options.DeviceRequestsPerWindow, options.DeviceRateWindow, time);
    private readonly TokenBuckets _addressRate = new(options.AddressRequestsPerWindow, options.AddressRateWindow, time);

    /// <summary>
    /// Checks <paramref name="message"/> and queues it, or refuses it. <paramref name="clientId"/> is the sender's
    /// MQTT client id when this process sees it (embedded broker), or null when a broker in front already restricted
    /// the sender to its own topics (external broker); <paramref name="address"/> is the sender's address if known;
    /// <paramref name="authenticated"/> is the session's class when this process sees it (<see cref="DeviceRequest.SessionAuthenticated"/>).
    /// </summary>
    /// <returns>Null when queued; otherwise the refusal (already counted, logged and, where possible, answered).</returns>
    public RequestRefusal? Admit(string? clientId, MqttApplicationMessage message, string? address, bool? authenticated = null)
    {
        var topic = message.Topic ?? "";
        if (!Topics.TryParseRequest(topic, out var deviceId, out var op) || (clientId is not null && !SessionIds.IsOf(clientId, deviceId)))
            return Refuse(clientId ?? "?", topic, MqttRefusals.PublishTopic, ProvisioningError.NotAuthorized);
        // the reply goes to the session that asked (an enrolment-only connection's own, SessionIds), or by topic
        var session = clientId ?? deviceId;
        var responseTopic = Topics.Response(deviceId, op);
        if (message.ResponseTopic != responseTopic)
            return Refuse(session, topic, MqttRefusals.ResponseTopic, ProvisioningError.NotAuthorized);
        var correlation = message.CorrelationData;
        if (correlation is not { Length: > 0 } || correlation.Length > options.MaxCorrelationDataBytes)
            return Refuse(session, topic, MqttRefusals.CorrelationData, ProvisioningError.MalformedRequest);
        if (message.Payload.Length > options.MaxMessageBytes)
            return Refuse(session, topic, MqttRefusals.MessageTooLarge, ProvisioningError.MessageTooLarge, responseTopic, correlation);

        // a device's allowance is its own per source: a stranger elsewhere who knows the id cannot spend it
        var source = address is null ? null : SourceAddresses.Of(address);
        if (!_deviceRate.TryTake(source is null ? deviceId : $"{deviceId} {source}", out var wait))
            return Refuse(session, topic, MqttRefusals.DeviceRate, ProvisioningError.RateLimited, responseTopic, correlation, Replies.Seconds(wait));
        if (source is not null && !_addressRate.TryTake(source, out wait))
            return Refuse(session, topic, MqttRefusals.AddressRate, ProvisioningError.RateLimited, responseTopic, correlation, Replies.Seconds(wait));

        var request = new DeviceRequest(deviceId, op, System.Buffers.BuffersExtensions.ToArray(message.Payload), address) { SessionAuthenticated = authenticated };
        if (!dispatcher.TryEnqueue(request, session, responseTopic, correlation))
            return Refuse(session, topic, MqttRefusals.TooManyPending, ProvisioningError.RateLimited, responseTopic, correlation, 1);
        return null;
    }

    private RequestRefusal Refuse(string session, string topic, string reason, ProvisioningError error,
        string? responseTopic = null, byte[]? correlation = null, int? retryAfterSeconds = null)
    {
        metrics.Refused(reason);
        MqttEndpointLog.Refused(logger, "publish", session, topic, reason);
        if (responseTopic is not null && correlation is not null)
            dispatcher.Refuse(session, responseTopic, correlation, error, retryAfterSeconds);
        return new RequestRefusal(error, retryAfterSeconds);
    }
}

/// <summary>Why a request was refused, for the PUBACK the embedded broker answers with.</summary>
/// <param name="Error">The protocol error.</param>
/// <param name="RetryAfterSeconds">When to retry, for rate limits.</param>
internal sealed record RequestRefusal(ProvisioningError Error, int? RetryAfterSeconds);
