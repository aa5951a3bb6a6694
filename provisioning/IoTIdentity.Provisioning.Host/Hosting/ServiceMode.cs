namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// <c>Provisioning:Mode</c>: <see cref="Production"/> (the default) refuses to start without its secrets configured;
/// <see cref="Development"/> generates what is missing (key-encryption key, admin key, dev tenant, MQTT certificate)
/// into the data directory and prints the keys once.
/// </summary>
public enum ServiceMode
{
    /// <summary>Every secret configured; nothing generated, nothing printed.</summary>
    Production,

    /// <summary>Zero-config start for the demo and local work.</summary>
    Development,
}
