using System.Collections.Concurrent;
using System.Diagnostics;
using IoTIdentity.Protocol;
using MQTTnet;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Runs accepted requests off MQTTnet's receive loop: one lane per session, so a client's requests are handled and
/// answered in the order it sent them, while different sessions run concurrently (at most
/// <see cref="MqttEndpointOptions.MaxConcurrentRequests"/> at once). A handler failure or timeout becomes an
/// Unavailable reply; nothing a handler does can take the broker down.
/// </summary>
internal sealed class RequestDispatcher(
    IDeviceRequestHandler handler,
    MqttEndpointOptions options,
    Func<string, MqttApplicationMessage, Task> publish,
    EndpointMetrics metrics,
    ILogger logger,
    CancellationToken stopping)
{
    /// <summary>How long a stopping endpoint waits for queued requests to be answered.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _concurrency = new(Math.Max(1, options.MaxConcurrentRequests));
    private int _inFlight;

    /// <summary>Requests queued or running.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Queues a request behind the earlier ones of <paramref name="session"/>, which its reply is delivered to; false
    /// when that session already has too many pending. (A stranger's enrolment-only session is not the device's, so it
    /// can fill only its own lane.)
    /// </summary>
    public bool TryEnqueue(DeviceRequest request, string session, string responseTopic, byte[] correlationData)
    {
        while (true)
        {
            var lane = _lanes.GetOrAdd(session, static _ => new Lane());
            lock (lane)
            {
                if (lane.Removed) continue;
                if (lane.Pending >= options.MaxPendingRequestsPerClient) return false;
                lane.Pending++;
                Interlocked.Increment(ref _inFlight);
                lane.Tail = lane.Tail.ContinueWith(_ => RunAsync(lane, session, request, responseTopic, correlationData),
                    CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
                return true;
            }
        }
    }

    /// <summary>Publishes a refusal on the response topic without queueing (fire and forget; failures are logged).</summary>
    public void Refuse(string session, string responseTopic, byte[] correlationData, ProvisioningError error, int? retryAfterSeconds) =>
        _ = PublishAsync(session, Replies.Message(responseTopic, correlationData, Replies.Error(error, retryAfterSeconds), error, retryAfterSeconds));

    /// <summary>Waits (bounded) for queued requests to finish.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var tails = _lanes.Values.Select(l => { lock (l) return l.Tail; }).ToArray();
        await Task.WhenAny(Task.WhenAll(tails), Task.Delay(timeout)).ConfigureAwait(false);
    }

    private async Task RunAsync(Lane lane, string session, DeviceRequest request, string responseTopic, byte[] correlationData)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (reply, outcome) = await CallHandlerAsync(request).ConfigureAwait(false);
            var retryAfter = reply.Error is { } e && ProvisioningErrors.IsTransient(e) ? reply.RetryAfterSeconds : null;
            await PublishAsync(session, Replies.Message(responseTopic, correlationData, reply.Payload, reply.Error, retryAfter)).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            metrics.Handled(request.Operation, outcome, elapsed);
            MqttEndpointLog.Handled(logger, request.DeviceId, request.Operation, elapsed, outcome);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            lock (lane)
            {
                if (--lane.Pending == 0)
                {
                    lane.Removed = true;
                    _lanes.TryRemove(new KeyValuePair<string, Lane>(session, lane));
                }
            }
        }
    }

    private async Task<(DeviceReply Reply, string Outcome)> CallHandlerAsync(DeviceRequest request)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.HandlerTimeout);
        try
        {
            await _concurrency.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return (Unavailable(), "timeout");
        }
        try
        {
            var reply = await handler.HandleAsync(request, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            return (reply, reply.Error?.ToString() ?? "ok");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (!stopping.IsCancellationRequested) MqttEndpointLog.HandlerTimedOut(logger, request.DeviceId, request.Operation, options.HandlerTimeout);
            return (Unavailable(), "timeout");
        }
        catch (Exception exception)
        {
            MqttEndpointLog.HandlerFailed(logger, exception, request.DeviceId, request.Operation);
            return (Unavailable(), "exception");
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private static DeviceReply Unavailable() => new(Replies.Error(ProvisioningError.Unavailable, 5), ProvisioningError.Unavailable, 5);

    private async Task PublishAsync(string session, MqttApplicationMessage message)
    {
        try
        {
            await publish(session, message).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            MqttEndpointLog.ReplyFailed(logger, exception, session, message.Topic);
        }
    }

    private sealed class Lane
    {
        public Task Tail = Task.CompletedTask;
        public int Pending;
        public bool Removed;
    }
}
