using System.Globalization;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's listen backlog (<see cref="MqttEndpointOptions.ConnectionBacklog"/>): how many connections the kernel
/// completes and holds for each listener while the endpoint has not yet accepted them. Beyond it Linux drops a new
/// connection's SYN, and the device waits a second for its stack to send it again.
/// </summary>
public static class ListenBacklog
{
    /// <summary>The configuration key of the backlog.</summary>
    public const string ConfigurationKey = MqttEndpointOptions.SectionName + ":" + nameof(MqttEndpointOptions.ConnectionBacklog);

    /// <summary>Why <paramref name="backlog"/> cannot be the backlog (below 1, or beyond what <c>listen</c> takes), or null when it can.</summary>
    public static string? Invalid(long backlog) => backlog is >= 1 and <= int.MaxValue ? null
        : $"{ConfigurationKey} = {backlog}: it must be a whole number from 1 to {int.MaxValue} (unset, it is {MqttEndpointOptions.DefaultConnectionBacklog}).";

    /// <summary>The kernel's cap on listen backlogs in this network namespace (Linux, <c>/proc/sys/net/core/somaxconn</c>), or null when unknown.</summary>
    public static int? KernelCap()
    {
        try
        {
            return File.Exists(KernelCapPath) && int.TryParse(File.ReadAllText(KernelCapPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var cap) ? cap : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private const string KernelCapPath = "/proc/sys/net/core/somaxconn";
}
