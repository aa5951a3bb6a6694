using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// How a webhook delivery is retried, without waiting: the dispatcher sends over real HTTP to a real receiver and
/// records into the real service's delivery log, and its clock hands every wait it asks for straight back, writing down
/// how long it was asked to wait.
/// </summary>
public sealed class WebhookRetryTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    /// <summary>A clock whose timers fire at once; it keeps the due time of each one asked for.</summary>
    private sealed class WaitRecorder : TimeProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<TimeSpan> Waits { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Waits.Enqueue(dueTime);
            return TimeProvider.System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task<(WebhookDelivery Delivery, List<TimeSpan> Waits, List<ReceivedWebhook> Received)> DeliverAsync(int failures, int status)
    {
        var tenant = await service.CreateTenantAsync($"hook-{Guid.NewGuid():N}"[..20], []);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext(failures, status);
        var clock = new WaitRecorder();
        using var dispatcher = new WebhookDispatcher(service.Grains,
            Options.Create(new MonitoringOptions { WebhookAttempts = 5, WebhookFirstRetryDelay = TimeSpan.FromSeconds(2), WebhookTimeout = TimeSpan.FromSeconds(30) }),
            service.App.Services.GetRequiredService<MonitoringMetrics>(), clock, NullLogger<WebhookDispatcher>.Instance);
        var endpoint = new WebhookEndpoint { Id = "w-1", Url = receiver.Url, Secret = new byte[32], CreatedAt = DateTimeOffset.UtcNow };
        var seen = DateTimeOffset.UtcNow;
        dispatcher.Enqueue(tenant.TenantId, endpoint, new WebhookPayload("finding.opened", tenant.TenantId, "f-1", FindingKind.CloneSuspected, FindingSeverity.Critical,
            FindingState.Open, ["d"], ImmutableSortedDictionary<string, string>.Empty, [], seen, seen, 1, "alert"));

        var monitor = service.Grains.GetGrain<IMonitorGrain>(tenant.TenantId);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await monitor.ListDeliveriesAsync()).FirstOrDefault() is not { } delivery)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no delivery recorded within 60 s");
            await Task.Delay(50);
        }
        return ((await monitor.ListDeliveriesAsync()).Single(), [.. clock.Waits], [.. receiver.All]);
    }

    [Fact]
    public async Task A_receiver_failing_with_503_is_tried_again_after_2_4_8_and_16_seconds_and_the_fifth_attempt_is_logged_delivered()
    {
        var (delivery, waits, received) = await DeliverAsync(failures: 4, status: 503);

        Assert.Equal([2, 4, 8, 16], waits.Select(w => w.TotalSeconds));
        Assert.Equal([503, 503, 503, 503, 204], received.Select(r => r.AnsweredStatus));
        Assert.Single(received.Select(r => r.Header(WebhookSignature.DeliveryHeader)).Distinct());   // one delivery id on every attempt
        Assert.Equal((true, 5, 204, (string?)null), (delivery.Delivered, delivery.Attempts, delivery.StatusCode, delivery.Error));
    }

    [Fact]
    public async Task A_receiver_failing_every_attempt_is_given_up_after_five_and_logged_failed_with_its_last_answer()
    {
        var (delivery, waits, received) = await DeliverAsync(failures: 10, status: 429);

        Assert.Equal([2, 4, 8, 16], waits.Select(w => w.TotalSeconds));
        Assert.Equal(5, received.Count);
        Assert.Equal((false, 5, 429, "HTTP 429"), (delivery.Delivered, delivery.Attempts, delivery.StatusCode, delivery.Error));
    }
}
