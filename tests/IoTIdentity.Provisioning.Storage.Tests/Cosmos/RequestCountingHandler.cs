using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>Counts the requests the store sends (metadata, queries, point operations alike) and passes them on.</summary>
internal sealed class RequestCountingHandler : RequestHandler
{
    private int _sent;

    public int Sent => Volatile.Read(ref _sent);

    public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        return base.SendAsync(request, cancellationToken);
    }
}
