namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>Where a <see cref="MonitoredEvent"/> comes from.</summary>
public enum MonitoredEventKind
{
    /// <summary>A decision written to the tenant's audit log (enrolment, renewal, refusal, operator action).</summary>
    Decision,

    /// <summary>A device's certificate-authenticated MQTT session was admitted.</summary>
    Connected,

    /// <summary>A device's certificate-authenticated MQTT session ended.</summary>
    Disconnected,

    /// <summary>A second certificate-authenticated session for a device that already holds one was refused.</summary>
    SecondSessionRefused,
}
