using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// Device ids are 64 hex digits: tables show the shortest prefix (at least <see cref="MinimumLength"/>) that tells the
/// ids of the table apart, and every command that takes a device id takes a prefix of one, looked up in the tenant's
/// inventory — one match is the device, none or several is an error naming the candidates.
/// </summary>
internal static class DeviceIdPrefixes
{
    /// <summary>The shortest prefix a table shows.</summary>
    public const int MinimumLength = 12;

    private const int MaxCandidates = 10;

    /// <summary>Each id's shortest prefix of at least <see cref="MinimumLength"/> that no other id in <paramref name="ids"/> shares.</summary>
    public static Dictionary<string, string> Shorten(IEnumerable<string> ids)
    {
        var sorted = ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var shortened = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < sorted.Count; i++)
        {
            // in sorted order, an id shares the longest prefix with a neighbour
            var shared = Math.Max(i > 0 ? Common(sorted[i - 1], sorted[i]) : 0, i + 1 < sorted.Count ? Common(sorted[i], sorted[i + 1]) : 0);
            var length = Math.Min(sorted[i].Length, Math.Max(MinimumLength, shared + 1));
            shortened[sorted[i]] = sorted[i][..length];
        }
        return shortened;
    }

    /// <summary>The id as a table shows it: whole with <c>--wide</c>, else its prefix from <paramref name="shortened"/>.</summary>
    public static string Show(CliOutput output, Dictionary<string, string> shortened, string id) =>
        output.IsWide ? id : shortened.GetValueOrDefault(id, id);

    /// <summary>
    /// The device <paramref name="text"/> names: itself when it is a whole id (64 hex digits), else the one device of the
    /// inventory whose id starts with it.
    /// </summary>
    /// <exception cref="UsageException">The text is not lowercase hex.</exception>
    /// <exception cref="NotResolvedException">No device, or more than one, starts with it.</exception>
    public static async Task<string> ResolveAsync(IotIdClient client, string text, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValid(text)) throw new UsageException($"'{text}' is not a device id or a prefix of one (lowercase hex digits)");
        if (text.Length == DeviceIds.MaxLength) return text;
        var page = await client.ListDevicesAsync(new DeviceFilter(DeviceIdPrefix: text), MaxCandidates + 1, null, cancellationToken);
        var ids = page.Value.Items.Select(d => d.DeviceId).ToList();
        return ids.Count switch
        {
            1 => ids[0],
            0 => throw new NotResolvedException($"no device of the tenant has an id starting with {text}"),
            _ => throw new NotResolvedException($"device id prefix {text} is ambiguous; it matches {string.Join(", ", ids.Take(MaxCandidates))}"
                + (ids.Count > MaxCandidates ? " and more" : "") + "; give more digits"),
        };
    }

    private static int Common(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }
}
