namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>Monitoring settings (configuration section <c>Monitoring</c>).</summary>
public sealed class MonitoringOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Monitoring";

    /// <summary>How often every tenant's inventory is swept for stale devices and expiring certificates.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The default of <see cref="ConcurrentSessionGrace"/>.</summary>
    public static readonly TimeSpan DefaultConcurrentSessionGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a device's earlier authenticated session may outlive the admission of a new one before the two are a
    /// clone suspicion (<c>concurrent-sessions</c>): time for a silo to report the earlier one's end (a device that moved
    /// to another silo's broker), or to find a dead one so and end it (a device that lost power and reconnected to
    /// another silo; its session there is asked whether its peer is still there, which takes up to about five seconds).
    /// </summary>
    public TimeSpan ConcurrentSessionGrace { get; set; } = DefaultConcurrentSessionGrace;

    /// <summary>How many times a webhook delivery is tried before it is logged as failed.</summary>
    public int WebhookAttempts { get; set; } = 5;

    /// <summary>The wait before the second attempt; it doubles for each further one.</summary>
    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one webhook request may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
