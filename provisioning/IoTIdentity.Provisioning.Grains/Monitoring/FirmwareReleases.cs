namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>Compares firmware release names as attestation records them: "{product} {version}".</summary>
public static class FirmwareReleases
{
    /// <summary>
    /// Whether <paramref name="to"/> is an older version of the same product than <paramref name="from"/>. Versions
    /// compare numerically part by part (1.10.0 is newer than 1.9.2); a version that is not dotted numbers, or another
    /// product, is not called a downgrade.
    /// </summary>
    public static bool IsDowngrade(string from, string to)
    {
        if (!TrySplit(from, out var product, out var fromVersion) || !TrySplit(to, out var toProduct, out var toVersion)) return false;
        return product == toProduct && toVersion < fromVersion;
    }

    private static bool TrySplit(string release, out string product, out Version version)
    {
        var space = release.LastIndexOf(' ');
        product = space > 0 ? release[..space] : "";
        version = new Version();
        if (space <= 0 || !Version.TryParse(release[(space + 1)..], out var parsed)) return false;
        version = parsed;
        return true;
    }
}
