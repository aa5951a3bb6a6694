namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// The key-encryption keys as configured: the current key, which seals every new envelope, and retired keys that
/// still open envelopes sealed before a rotation. Rotate by moving the current key into <see cref="Previous"/> and
/// configuring a new current key; drop a previous key only after every envelope has been re-wrapped
/// (<see cref="KeyEncryptionKeyRing.Rewrap"/>).
/// </summary>
public sealed class KeyEncryptionKeyRingOptions
{
    /// <summary>The key that seals new envelopes.</summary>
    public KeyEncryptionKeyOptions Current { get; set; } = new();

    /// <summary>Retired keys, used only to open older envelopes.</summary>
    public List<KeyEncryptionKeyOptions> Previous { get; set; } = [];
}
