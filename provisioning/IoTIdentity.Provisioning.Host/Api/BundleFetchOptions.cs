namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Limits on fetching an external trust domain's bundle (configuration section <c>Federation</c>).</summary>
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
}
