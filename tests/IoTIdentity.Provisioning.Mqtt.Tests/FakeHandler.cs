using System.Collections.Concurrent;
using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>A request handler that records what it was given and answers with a test's function (default: echo).</summary>
internal sealed class FakeHandler(Func<DeviceRequest, CancellationToken, Task<DeviceReply>>? answer = null) : IDeviceRequestHandler
{
    public ConcurrentQueue<DeviceRequest> Received { get; } = new();

    public Func<DeviceRequest, CancellationToken, Task<DeviceReply>> Answer { get; set; } =
        answer ?? ((request, _) => Task.FromResult(new DeviceReply(request.Payload)));

    public Task<DeviceReply> HandleAsync(DeviceRequest request, CancellationToken cancellationToken)
    {
        Received.Enqueue(request);
        return Answer(request, cancellationToken);
    }
}
