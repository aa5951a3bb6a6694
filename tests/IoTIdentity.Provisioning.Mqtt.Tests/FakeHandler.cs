using System.Collections.Concurrent;
using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>A request handler that records what it was given and answers with a test's function (default: echo).</summary>
internal sealed class FakeHandler(Func<DeviceRequest, CancellationToken, Task<DeviceReply>>? answer = null) : IDeviceRequestHandler
{
    public ConcurrentQueue<DeviceRequest> Received { get; } = new();

    public Func<DeviceRequest, CancellationToken, Task<DeviceReply>> Answer { get; set; } =
        answer ?? ((request, _) => Task.FromResult(new DeviceReply(request.Payload)));

    /// <summary>Every session change the endpoint reported: device id, connected or not, when.</summary>
    public ConcurrentQueue<(string DeviceId, bool Connected, DateTimeOffset At)> SessionChanges { get; } = new();

    public Task<DeviceReply> HandleAsync(DeviceRequest request, CancellationToken cancellationToken)
    {
        Received.Enqueue(request);
        return Answer(request, cancellationToken);
    }

    /// <summary>Every device id the endpoint reported as subscribed to its command topic (the service re-sends waiting commands then).</summary>
    public ConcurrentQueue<string> CommandsSubscribed { get; } = new();

    public Task CommandsSubscribedAsync(string deviceId, CancellationToken cancellationToken)
    {
        CommandsSubscribed.Enqueue(deviceId);
        return Task.CompletedTask;
    }

    public Task SessionChangedAsync(string deviceId, bool connected, DateTimeOffset at, CancellationToken cancellationToken)
    {
        SessionChanges.Enqueue((deviceId, connected, at));
        return Task.CompletedTask;
    }
}
