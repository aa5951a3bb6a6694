using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// The configured key-encryption keys: <see cref="CurrentKeyId"/> seals every new envelope, and every key in the ring
/// (current or retired) opens the envelopes that name it. Owns its keys and zeroes them when disposed.
/// </summary>
/// <remarks>
/// Sealing is AES-256-GCM with a random 96-bit nonce from the injected generator. The associated data is
/// <c>"iotidentity/protected-key/v1" 0x00 keyId 0x00 purpose</c> (UTF-8), so an envelope opens only under the key id it
/// names and only for the purpose it was sealed for. Random nonces are safe here: a KEK seals a few keys per tenant,
/// far below the 2^32 messages per key where GCM's random-nonce bound starts to matter.
/// </remarks>
public sealed class KeyEncryptionKeyRing : IDisposable
{
    private static readonly byte[] Domain = "iotidentity/protected-key/v1"u8.ToArray();
    private readonly KeyEncryptionKey _current;
    private readonly Dictionary<string, KeyEncryptionKey> _keys = new(StringComparer.Ordinal);
    private readonly RandomNumberGenerator _random;

    /// <summary>Creates a ring from keys that it then owns.</summary>
    /// <param name="current">The key that seals new envelopes.</param>
    /// <param name="previous">Retired keys that still open older envelopes.</param>
    /// <param name="random">The source of nonces.</param>
    public KeyEncryptionKeyRing(KeyEncryptionKey current, IEnumerable<KeyEncryptionKey> previous, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(random);
        _current = current;
        _random = random;
        foreach (var key in previous.Prepend(current))
            if (!_keys.TryAdd(key.KeyId, key))
                throw new ArgumentException($"Key-encryption key id '{key.KeyId}' is configured twice.", nameof(previous));
    }

    /// <summary>Creates a ring from its configuration section.</summary>
    /// <param name="options">The current and previous keys.</param>
    /// <param name="random">The source of nonces.</param>
    public static KeyEncryptionKeyRing FromOptions(KeyEncryptionKeyRingOptions options, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KeyEncryptionKeyRing(KeyEncryptionKey.FromOptions(options.Current),
            options.Previous.Select(KeyEncryptionKey.FromOptions).ToList(), random);
    }

    /// <summary>The id of the key that seals new envelopes.</summary>
    public string CurrentKeyId => _current.KeyId;

    /// <summary>Encrypts a PKCS#8 private key under the current key, bound to <paramref name="purpose"/>.</summary>
    /// <param name="privateKeyPkcs8">The private key; the caller keeps ownership and should zero it.</param>
    /// <param name="purpose">What the key is for (see <see cref="KeyPurpose"/>); must match when opening.</param>
    public ProtectedKey Protect(ReadOnlySpan<byte> privateKeyPkcs8, string purpose)
    {
        if (privateKeyPkcs8.IsEmpty) throw new ArgumentException("There is no key to protect.", nameof(privateKeyPkcs8));
        Span<byte> nonce = stackalloc byte[ProtectedKey.NonceSize];
        Span<byte> tag = stackalloc byte[ProtectedKey.TagSize];
        _random.GetBytes(nonce);
        var ciphertext = new byte[privateKeyPkcs8.Length];
        _current.Seal(nonce, privateKeyPkcs8, ciphertext, tag, AssociatedData(_current.KeyId, purpose));
        return new ProtectedKey(_current.KeyId, nonce, ciphertext, tag);
    }

    /// <summary>Decrypts an envelope sealed for <paramref name="purpose"/> by any key in the ring.</summary>
    /// <param name="protectedKey">The envelope.</param>
    /// <param name="purpose">The purpose it was sealed for.</param>
    /// <returns>The PKCS#8 private key. The caller owns it and must zero it
    /// (<see cref="CryptographicOperations.ZeroMemory"/>) once imported.</returns>
    /// <exception cref="KeyProtectionException">The key id is unknown, or authentication failed.</exception>
    public byte[] Unprotect(ProtectedKey protectedKey, string purpose)
    {
        ArgumentNullException.ThrowIfNull(protectedKey);
        if (!_keys.TryGetValue(protectedKey.KeyId, out var key))
            throw new KeyProtectionException(KeyProtectionFailure.UnknownKeyId,
                $"The key for '{purpose}' was sealed with key-encryption key '{protectedKey.KeyId}', which is not configured.");
        var plaintext = new byte[protectedKey.Ciphertext.Length];
        if (key.TryOpen(protectedKey.Nonce.Span, protectedKey.Ciphertext.Span, protectedKey.Tag.Span, plaintext,
                AssociatedData(protectedKey.KeyId, purpose)))
            return plaintext;
        CryptographicOperations.ZeroMemory(plaintext);
        throw new KeyProtectionException(KeyProtectionFailure.AuthenticationFailed,
            $"The key for '{purpose}' did not authenticate under key-encryption key '{protectedKey.KeyId}': the " +
            "configured key differs from the one that sealed it, the envelope was altered, or it belongs to another purpose.");
    }

    /// <summary>Whether <paramref name="protectedKey"/> was sealed by a key other than the current one.</summary>
    /// <param name="protectedKey">The envelope.</param>
    public bool NeedsRewrap(ProtectedKey protectedKey)
    {
        ArgumentNullException.ThrowIfNull(protectedKey);
        return protectedKey.KeyId != _current.KeyId;
    }

    /// <summary>Opens an envelope and seals its key again under the current key (after a KEK rotation).</summary>
    /// <param name="protectedKey">The envelope.</param>
    /// <param name="purpose">The purpose it was sealed for; the new envelope keeps it.</param>
    public ProtectedKey Rewrap(ProtectedKey protectedKey, string purpose)
    {
        var plaintext = Unprotect(protectedKey, purpose);
        try
        {
            return Protect(plaintext, purpose);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Zeroes every key in the ring.</summary>
    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
    }

    /// <summary>The key ids only.</summary>
    public override string ToString() => $"KeyEncryptionKeyRing(current={_current.KeyId}, keys={_keys.Count})";

    private static byte[] AssociatedData(string keyId, string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        if (purpose.Contains('\0')) throw new ArgumentException("A purpose cannot contain NUL.", nameof(purpose));
        var data = new byte[Domain.Length + 1 + keyId.Length + 1 + Encoding.UTF8.GetByteCount(purpose)];
        Domain.CopyTo(data, 0);
        var offset = Domain.Length + 1;
        offset += Encoding.ASCII.GetBytes(keyId, data.AsSpan(offset));
        Encoding.UTF8.GetBytes(purpose, data.AsSpan(offset + 1));
        return data;
    }
}
