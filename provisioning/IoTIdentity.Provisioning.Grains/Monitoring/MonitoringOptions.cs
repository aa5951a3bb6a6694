namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>Monitoring settings (configuration section <c>Monitoring</c>).</summary>
public sealed class MonitoringOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Monitoring";

    /// <summary>How often every tenant's inventory is swept for stale devices and expiring certificates.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a webhook delivery is tried before it is logged as failed.</summary>
    public int WebhookAttempts { get; set; } = 5;

    /// <summary>The wait before the second attempt; it doubles for each further one.</summary>
    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one webhook request may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
