namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// API key strings: <c>iotid.{tenantId}.{keyId}.{secret}</c> with a 256-bit base64url secret. The tenant and key
/// id route the check to the right tenant grain; only the SHA-256 of the secret is stored.
/// </summary>
public static class ApiKeys
{
    /// <summary>Formats a key.</summary>
    public static string Format(string tenantId, string keyId, byte[] secret) =>
        $"iotid.{tenantId}.{keyId}.{Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

    /// <summary>Splits a presented key; false for anything malformed.</summary>
    public static bool TryParse(string? key, out string tenantId, out string keyId, out byte[] secret)
    {
        tenantId = keyId = "";
        secret = [];
        var parts = key?.Split('.');
        if (parts is not { Length: 4 } || parts[0] != "iotid" || !TenantIds.IsValid(parts[1]) || parts[2].Length is 0 or > 32) return false;
        var b64 = parts[3].Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - b64.Length % 4) % 4);
        var buffer = new byte[48];
        if (!Convert.TryFromBase64String(b64, buffer, out var written) || written != 32) return false;
        (tenantId, keyId, secret) = (parts[1], parts[2], buffer[..32]);
        return true;
    }
}
