namespace IoTIdentity.Provisioning.Certificates;

/// <summary>Why a <see cref="ProtectedKey"/> could not be opened or read. Closed: every reason has a test.</summary>
public enum KeyProtectionFailure
{
    /// <summary>The envelope is not a well-formed <see cref="ProtectedKey"/> (bad version, lengths or encoding).</summary>
    Malformed = 1,

    /// <summary>The envelope names a key id the <see cref="KeyEncryptionKeyRing"/> does not hold (a KEK was retired
    /// too early, or the configuration belongs to another deployment).</summary>
    UnknownKeyId,

    /// <summary>AES-GCM authentication failed. GCM cannot tell these apart, so any of them: the key-encryption key
    /// with that id has different bytes than the one that sealed it, the envelope was altered, or it was sealed for a
    /// different purpose (another tenant, or the root key presented as the issuing key).</summary>
    AuthenticationFailed,
}
