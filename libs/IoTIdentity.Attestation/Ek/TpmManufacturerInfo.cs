using System.Globalization;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// The TPM identification an EK certificate carries in its subject alternative name (a directoryName with
/// tcg-at-tpmManufacturer 2.23.133.2.1, tcg-at-tpmModel 2.23.133.2.2, tcg-at-tpmVersion 2.23.133.2.3;
/// TCG EK Credential Profile 2.x, §3.2.9). Each is null when the certificate leaves it out.
/// </summary>
/// <param name="Manufacturer">As written, e.g. <c>id:53575450</c>.</param>
/// <param name="Model">The TPM model, free text.</param>
/// <param name="Version">The firmware version, e.g. <c>id:00020065</c>.</param>
public sealed record TpmManufacturerInfo(string? Manufacturer, string? Model, string? Version)
{
    /// <summary>
    /// The manufacturer as the TPM_PT_MANUFACTURER value (the vendor's four ASCII letters, e.g. 0x53575450 “STWP”),
    /// or null when <see cref="Manufacturer"/> is not of the form <c>id:</c> followed by 8 hex digits.
    /// </summary>
    public uint? ManufacturerId =>
        Manufacturer is { Length: 11 } m && m.StartsWith("id:", StringComparison.OrdinalIgnoreCase)
        && uint.TryParse(m.AsSpan(3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint id)
            ? id
            : null;
}
