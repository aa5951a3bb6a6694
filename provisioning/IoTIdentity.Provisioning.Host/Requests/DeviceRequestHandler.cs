using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Requests;

/// <summary>Hands device requests from the MQTT endpoint to the device's grain, wherever in the cluster it lives.</summary>
public sealed class DeviceRequestHandler(IGrainFactory grains) : IDeviceRequestHandler
{
    /// <inheritdoc/>
    public async Task<DeviceReply> HandleAsync(DeviceRequest request, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IDeviceGrain>(request.DeviceId);
        var payload = request.Payload.ToArray();
        var reply = request.Operation switch
        {
            Topics.Operations.Register => await grain.RegisterAsync(payload, request.RemoteAddress).WaitAsync(cancellationToken),
            Topics.Operations.Attest => await grain.AttestAsync(payload, request.RemoteAddress).WaitAsync(cancellationToken),
            _ => throw new ArgumentException($"unknown operation {request.Operation}", nameof(request)),
        };
        return new DeviceReply(reply.Json, reply.Error);
    }

    /// <summary>How long after its subscription a waiting command is re-sent: a client attaches its handler once SUBACK is back.</summary>
    internal static readonly TimeSpan ResendDelay = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    public async Task CommandsSubscribedAsync(string deviceId, CancellationToken cancellationToken)
    {
        await Task.Delay(ResendDelay, cancellationToken);
        await grains.GetGrain<IDeviceGrain>(deviceId).ResendTransferCommandAsync().WaitAsync(cancellationToken);
    }
}
