using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// The inventory's search: state, compliance, group and tag go to the API as its filters; the text (a device-id prefix
/// or a certificate-serial prefix), the firmware release and presence (connected, silent, never seen) are matched here,
/// on the pages the API returns.
/// </summary>
public sealed record DeviceSearch(string? Text = null, string? State = null, bool? Compliant = null, string? GroupId = null, string? Firmware = null,
    string? Tag = null, string? Seen = null)
{
    /// <summary>How long a device may go unseen before <see cref="Silent"/> lists it.</summary>
    public static readonly TimeSpan SilentAfter = TimeSpan.FromHours(24);

    /// <summary>The presence choices: a session open now, none open now, not seen for <see cref="SilentAfter"/> (or never), never seen.</summary>
    public const string Connected = "connected", Disconnected = "disconnected", Silent = "silent", Never = "never";

    /// <summary>The presence choices with their labels, in the order the page offers them.</summary>
    public static readonly (string Value, string Label)[] Presences =
        [(Connected, "connected now"), (Disconnected, "not connected"), (Silent, "not seen for 24 h"), (Never, "never seen")];

    /// <summary>The filters the API applies.</summary>
    public DeviceFilter ApiFilter => new(Blank(State), Compliant, Blank(GroupId), Blank(Tag));

    /// <summary>Whether <paramref name="device"/> matches the text, firmware and presence at <paramref name="now"/>.</summary>
    public bool Matches(DeviceSummary device, DateTimeOffset now)
    {
        var text = Text?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(text) && !device.DeviceId.StartsWith(text, StringComparison.Ordinal)
            && !(device.CertificateSerial?.StartsWith(text, StringComparison.OrdinalIgnoreCase) ?? false)) return false;
        if (!string.IsNullOrWhiteSpace(Firmware) && !string.Equals(device.Firmware, Firmware.Trim(), StringComparison.Ordinal)) return false;
        return Blank(Seen) switch
        {
            Connected => device.Connected,
            Disconnected => !device.Connected,
            Silent => !device.Connected && (device.LastSeenAt is not { } seen || now - seen >= SilentAfter),
            Never => device.LastSeenAt is null,
            _ => true,
        };
    }

    /// <summary>An unknown presence choice (from a hand-edited export link), named with the valid ones; null when valid or absent.</summary>
    public string? Problem => Blank(Seen) is { } seen && !Presences.Any(p => p.Value == seen)
        ? $"seen must be one of {string.Join(", ", Presences.Select(p => p.Value))}, not '{seen}'"
        : null;

    /// <summary>The search as query parameters (for the CSV export link).</summary>
    public string ToQuery()
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) parts.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
        }
        Add("text", Text);
        Add("state", State);
        Add("compliant", Compliant?.ToString().ToLowerInvariant());
        Add("groupId", GroupId);
        Add("tag", Tag);
        Add("firmware", Firmware);
        Add("seen", Seen);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>The lifecycle states the API lists devices by.</summary>
    public static readonly string[] States = ["Active", "Challenged", "Transferring", "Disabled", "Revoked"];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
