using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Requests;

/// <summary>
/// The edge between the MQTT endpoint and the device grains: parses a request's JSON into the protocol's typed
/// message, hands it (with its bytes, the audit evidence) to the device's grain wherever in the cluster it lives, and
/// serializes the typed reply — the message, or the refusal with its retry delay — back to JSON. With
/// <see cref="MqttEndpointOptions.RequireAuthenticatedSession"/>, a renewal or a token request that came on an
/// enrolment-only session is refused <c>AuthenticationRequired</c> before the grain sees it.
/// </summary>
public sealed class DeviceRequestHandler(IGrainFactory grains, IOptions<MqttEndpointOptions> endpoint) : IDeviceRequestHandler
{
    /// <summary>How long after its subscription a waiting command is re-sent: a client attaches its handler once SUBACK is back.</summary>
    internal static readonly TimeSpan ResendDelay = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    public async Task<DeviceReply> HandleAsync(DeviceRequest request, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IDeviceGrain>(request.DeviceId);
        var evidence = request.Payload.ToArray();
        return request.Operation switch
        {
            Topics.Operations.Register => await CallAsync(grain, request, evidence, ProtocolJson.Default.RegisterRequest, ProtocolJson.Default.ChallengeResponse,
                message => message.Mode == RegisterModes.Renew ? SessionRefusal(request) : null,
                message => grain.RegisterAsync(new ProtocolRequest<RegisterRequest>(message, evidence, request.RemoteAddress)), cancellationToken),
            Topics.Operations.Attest => await CallAsync(grain, request, evidence, ProtocolJson.Default.AttestRequest, ProtocolJson.Default.IssuedResponse,
                _ => null, // a renewal's attest completes the challenge its register opened, and that register was the gate
                message => grain.AttestAsync(new ProtocolRequest<AttestRequest>(message, evidence, request.RemoteAddress)), cancellationToken),
            Topics.Operations.Token => await CallAsync(grain, request, evidence, ProtocolJson.Default.TokenRequest, ProtocolJson.Default.TokenResponse,
                _ => SessionRefusal(request),
                message => grain.RequestTokenAsync(new ProtocolRequest<TokenRequest>(message, evidence, request.RemoteAddress)), cancellationToken),
            _ => throw new ArgumentException($"unknown operation {request.Operation}", nameof(request)),
        };
    }

    /// <summary>
    /// The refusal of a post-enrolment request on an enrolment-only session while the endpoint requires the
    /// authenticated one; null when the request may go on (authenticated, behind an external broker, or not required).
    /// </summary>
    private Refusal? SessionRefusal(DeviceRequest request) =>
        endpoint.Value.RequireAuthenticatedSession && request.SessionAuthenticated == false
            ? new Refusal(ProvisioningError.AuthenticationRequired, $"{request.Operation} on an enrolment-only session")
            : null;

    private static async Task<DeviceReply> CallAsync<TRequest, TReply>(IDeviceGrain grain, DeviceRequest request, byte[] evidence,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, Func<TRequest, Refusal?> admit,
        Func<TRequest, Task<ProtocolReply<TReply>>> step, CancellationToken cancellationToken) where TRequest : class where TReply : class
    {
        var parsed = Parse(evidence, requestType);
        if (parsed.Refusal is { } malformed)
        {
            await grain.RecordRefusalAsync(request.Operation, malformed, evidence, request.RemoteAddress).WaitAsync(cancellationToken);
            return Refused(malformed);
        }
        // the sender of an enrolment-only session is anyone: its refusal is counted and logged by the endpoint, never
        // written to the device's tenant's audit log
        if (admit(parsed.Message!) is { } unauthenticated) return Refused(unauthenticated);
        var reply = await step(parsed.Message!).WaitAsync(cancellationToken);
        return reply.Refusal is { } refusal ? Refused(refusal) : new DeviceReply(JsonSerializer.SerializeToUtf8Bytes(reply.Message!, replyType));
    }

    /// <summary>The request's message, or the refusal naming why its JSON is not one.</summary>
    private static ProtocolReply<T> Parse<T>(byte[] json, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) is { } message
                ? message
                : new Refusal(ProvisioningError.MalformedRequest, "empty request");
        }
        catch (JsonException e)
        {
            return new Refusal(ProvisioningError.MalformedRequest, $"request JSON: {e.Message}");
        }
    }

    /// <summary>A refusal as the peer sees it: the terse error body (never the detail) and its retry delay.</summary>
    private static DeviceReply Refused(Refusal refusal) => new(
        JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Error = refusal.Error, RetryAfterSeconds = refusal.RetryAfterSeconds }, ProtocolJson.Default.ErrorResponse),
        refusal.Error, refusal.RetryAfterSeconds);

    /// <inheritdoc/>
    public Task SessionChangedAsync(string deviceId, bool connected, DateTimeOffset at, CancellationToken cancellationToken) =>
        grains.GetGrain<IDeviceGrain>(deviceId).RecordPresenceAsync(connected, at).WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public async Task CommandsSubscribedAsync(string deviceId, CancellationToken cancellationToken)
    {
        await Task.Delay(ResendDelay, cancellationToken);
        await grains.GetGrain<IDeviceGrain>(deviceId).ResendCommandsAsync().WaitAsync(cancellationToken);
    }
}
