namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Limits on fetching an external trust domain's bundle, and its refresh schedule (configuration section <c>Federation</c>).</summary>
public sealed class BundleFetchOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Federation";

    /// <summary>
    /// Development only: allow bundle URLs whose host is a loopback, private, link-local or other non-public address.
    /// Off by default, so an owner cannot make the service reach its own network (metadata endpoints, admin ports).
    /// </summary>
    public bool AllowPrivateBundleAddresses { get; set; }

    /// <summary>How long one fetch may take, connection and body included.</summary>
    public TimeSpan BundleFetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest bundle accepted, in bytes.</summary>
    public int MaxBundleBytes { get; set; } = 256 * 1024;

    /// <summary>The shortest time between two scheduled fetches of one bundle, whatever its refresh hint says.</summary>
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest time between two scheduled fetches of one bundle, whatever its refresh hint says.</summary>
    public TimeSpan MaxRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The time between two fetches of a bundle that has no <c>spiffe_refresh_hint</c>.</summary>
    public TimeSpan DefaultRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The share of each interval taken off at random (0 to this), so the relationships created together do not fetch
    /// together for ever and no fetch comes later than the hint.
    /// </summary>
    public double RefreshJitter { get; set; } = 0.1;

    /// <summary>
    /// How long the last good bundle is served while fetching it fails: after this much time since it was fetched, the
    /// federated bundle set stops listing its keys (the domain shows as unavailable) until a fetch succeeds again.
    /// </summary>
    public TimeSpan MaxBundleAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each silo looks for relationships whose refresh is due.</summary>
    public TimeSpan RefreshScanInterval { get; set; } = TimeSpan.FromSeconds(10);
}
