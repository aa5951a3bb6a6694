using System.Net;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>Once <see cref="Armed"/>, answers the next <paramref name="count"/> requests with <paramref name="status"/> instead of sending them.</summary>
internal sealed class FaultInjectingHandler(HttpStatusCode status, int count, string? retryAfterMs = null) : RequestHandler
{
    private int _remaining = count;

    public HttpStatusCode Status => status;

    public int Remaining => Volatile.Read(ref _remaining);

    public int Injected { get; private set; }

    public bool Armed { get; set; }

    public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        if (Armed && Interlocked.Decrement(ref _remaining) >= 0)
        {
            Injected++;
            var response = new ResponseMessage(status, request, errorMessage: $"injected {(int)status}");
            if (retryAfterMs is not null)
            {
                response.Headers.Add("x-ms-retry-after-ms", retryAfterMs);
            }

            return Task.FromResult(response);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
