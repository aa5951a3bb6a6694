namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>Orders firmware releases (<c>"{product} {version}"</c>) of one product by their dotted numeric version.</summary>
public static class FirmwareReleases
{
    /// <summary>
    /// Whether <paramref name="release"/> is of <paramref name="minimum"/>'s product and its version is not older: versions
    /// compare part by part (<c>1.10 &gt; 1.9</c>), numerically where both parts are numbers, else ordinally.
    /// A device that proved no release never meets a minimum.
    /// </summary>
    public static bool IsAtLeast(string? release, string minimum)
    {
        if (release is null || !TrySplit(release, out var product, out var version) || !TrySplit(minimum, out var minProduct, out var minVersion)) return false;
        return string.Equals(product, minProduct, StringComparison.Ordinal) && Compare(version, minVersion) >= 0;
    }

    /// <summary>Whether <paramref name="release"/> has the form <c>"{product} {version}"</c>.</summary>
    public static bool IsValid(string release) => TrySplit(release, out _, out _);

    private static bool TrySplit(string release, out string product, out string version)
    {
        var space = release.LastIndexOf(' ');
        (product, version) = space <= 0 || space == release.Length - 1 ? ("", "") : (release[..space], release[(space + 1)..]);
        return product.Length > 0;
    }

    private static int Compare(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? x[i] : "0";
            var q = i < y.Length ? y[i] : "0";
            var c = long.TryParse(p, out var m) && long.TryParse(q, out var n) ? m.CompareTo(n) : string.CompareOrdinal(p, q);
            if (c != 0) return c;
        }
        return 0;
    }
}
