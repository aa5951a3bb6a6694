using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// The inventory's search: state, compliance and group go to the API as its filters; the text (a device-id prefix
/// or a certificate-serial prefix) and the firmware release are matched here, on the pages the API returns.
/// </summary>
public sealed record DeviceSearch(string? Text = null, string? State = null, bool? Compliant = null, string? GroupId = null, string? Firmware = null)
{
    /// <summary>The filters the API applies.</summary>
    public DeviceFilter ApiFilter => new(Blank(State), Compliant, Blank(GroupId));

    /// <summary>Whether <paramref name="device"/> matches the text and firmware.</summary>
    public bool Matches(DeviceSummary device)
    {
        var text = Text?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(text) && !device.DeviceId.StartsWith(text, StringComparison.Ordinal)
            && !(device.CertificateSerial?.StartsWith(text, StringComparison.OrdinalIgnoreCase) ?? false)) return false;
        return string.IsNullOrWhiteSpace(Firmware) || string.Equals(device.Firmware, Firmware.Trim(), StringComparison.Ordinal);
    }

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
        Add("firmware", Firmware);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>The lifecycle states the API lists devices by.</summary>
    public static readonly string[] States = ["Active", "Challenged", "Transferring", "Disabled", "Revoked"];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
