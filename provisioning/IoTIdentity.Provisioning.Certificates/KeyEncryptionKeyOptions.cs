namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// One key-encryption key as it appears in configuration (for example
/// <c>Certificates:KeyEncryption:Current:KeyId</c> and <c>...:Key</c>), bindable with the options pattern.
/// </summary>
public sealed class KeyEncryptionKeyOptions
{
    /// <summary>The key's id, written into every envelope it seals: 1–64 characters of <c>[A-Za-z0-9_-]</c>.
    /// Never reuse an id for different key bytes.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>The 256-bit key, base64-encoded (for example <c>openssl rand -base64 32</c>).</summary>
    public string Key { get; set; } = "";
}
