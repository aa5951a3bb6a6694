using System.Security.Cryptography;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// A 256-bit AES key that encrypts CA private keys at rest, with the id that envelopes record so that keys can be
/// rotated. Holds the key bytes in memory until disposed, then zeroes them. <see cref="ToString"/> shows only the id.
/// </summary>
public sealed class KeyEncryptionKey : IDisposable
{
    /// <summary>The key length: AES-256.</summary>
    public const int KeySizeInBytes = 32;

    /// <summary>The longest key id accepted (it is stored in every envelope).</summary>
    public const int MaxKeyIdLength = 64;

    private readonly byte[] _key;
    private bool _disposed;

    /// <summary>Creates a key from raw bytes, which are copied.</summary>
    /// <param name="keyId">1–64 characters of <c>[A-Za-z0-9_-]</c>.</param>
    /// <param name="key">Exactly 32 bytes, not all zero (an all-zero key is a configuration placeholder).</param>
    public KeyEncryptionKey(string keyId, ReadOnlySpan<byte> key)
    {
        ValidateKeyId(keyId);
        if (key.Length != KeySizeInBytes)
            throw new ArgumentException($"Key-encryption key '{keyId}' must be {KeySizeInBytes} bytes, not {key.Length}.", nameof(key));
        if (!key.ContainsAnyExcept((byte)0))
            throw new ArgumentException($"Key-encryption key '{keyId}' is all zeros; configure a random key.", nameof(key));
        KeyId = keyId;
        _key = key.ToArray();
    }

    /// <summary>The id recorded in every envelope this key seals.</summary>
    public string KeyId { get; }

    /// <summary>Creates a key from its configured base64 form; the decoded buffer is zeroed afterwards.</summary>
    /// <param name="keyId">1–64 characters of <c>[A-Za-z0-9_-]</c>.</param>
    /// <param name="base64Key">The 32-byte key in base64.</param>
    public static KeyEncryptionKey FromBase64(string keyId, string base64Key)
    {
        ArgumentNullException.ThrowIfNull(base64Key);
        var buffer = new byte[KeySizeInBytes + 3];
        try
        {
            if (!Convert.TryFromBase64String(base64Key.Trim(), buffer, out var written) || written != KeySizeInBytes)
                throw new ArgumentException(
                    $"Key-encryption key '{keyId}' must be {KeySizeInBytes} bytes in base64 (openssl rand -base64 32).",
                    nameof(base64Key));
            return new KeyEncryptionKey(keyId, buffer.AsSpan(0, KeySizeInBytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Creates a key from its configuration section.</summary>
    /// <param name="options">The key id and base64 key.</param>
    public static KeyEncryptionKey FromOptions(KeyEncryptionKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FromBase64(options.KeyId, options.Key);
    }

    /// <summary>Zeroes the key bytes; the key cannot be used afterwards.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
    }

    /// <summary>The key id only; never the key.</summary>
    public override string ToString() => $"KeyEncryptionKey({KeyId})";

    internal void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag,
        ReadOnlySpan<byte> associatedData)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var aes = new AesGcm(_key, ProtectedKey.TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    internal bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag,
        Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var aes = new AesGcm(_key, ProtectedKey.TagSize);
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    internal static bool IsValidKeyId(string? keyId) =>
        !string.IsNullOrEmpty(keyId) && keyId.Length <= MaxKeyIdLength &&
        keyId.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-');

    private static void ValidateKeyId(string keyId)
    {
        if (!IsValidKeyId(keyId))
            throw new ArgumentException(
                $"A key-encryption key id must be 1–{MaxKeyIdLength} characters of [A-Za-z0-9_-].", nameof(keyId));
    }
}
