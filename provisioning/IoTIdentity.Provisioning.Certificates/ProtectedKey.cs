using System.Buffers.Text;
using System.Text;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// An envelope holding a private key encrypted at rest: the id of the key-encryption key that sealed it, the
/// 96-bit AES-GCM nonce, the ciphertext of the PKCS#8 private key and the 128-bit tag. The associated data (not
/// stored) binds it to one purpose; see <see cref="KeyEncryptionKeyRing.Protect"/>.
/// </summary>
/// <remarks>
/// Two serialised forms, both versioned:
/// <list type="bullet">
/// <item><see cref="Encode"/>: <c>v1.{keyId}.{nonce}.{ciphertext}.{tag}</c>, parts in base64url without padding.</item>
/// <item><see cref="ToBytes"/>: <c>0x01 | len(keyId) | keyId (ASCII) | nonce (12) | tag (16) | ciphertext</c>.</item>
/// </list>
/// Neither form is secret without the KEK, but <see cref="ToString"/> still shows only the key id and a length.
/// </remarks>
public sealed class ProtectedKey
{
    /// <summary>The AES-GCM nonce length in bytes.</summary>
    public const int NonceSize = 12;

    /// <summary>The AES-GCM tag length in bytes.</summary>
    public const int TagSize = 16;

    private const byte BinaryVersion = 1;
    private const string TextVersion = "v1";
    private readonly byte[] _nonce;
    private readonly byte[] _ciphertext;
    private readonly byte[] _tag;

    /// <summary>Assembles an envelope from its parts (the arrays are copied).</summary>
    /// <param name="keyId">The id of the key-encryption key that sealed it.</param>
    /// <param name="nonce">12 bytes.</param>
    /// <param name="ciphertext">The encrypted PKCS#8 private key; not empty.</param>
    /// <param name="tag">16 bytes.</param>
    public ProtectedKey(string keyId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        if (!KeyEncryptionKey.IsValidKeyId(keyId)) throw Malformed("the key id is not a valid key-encryption key id");
        if (nonce.Length != NonceSize) throw Malformed($"the nonce is {nonce.Length} bytes, not {NonceSize}");
        if (tag.Length != TagSize) throw Malformed($"the tag is {tag.Length} bytes, not {TagSize}");
        if (ciphertext.IsEmpty) throw Malformed("the ciphertext is empty");
        KeyId = keyId;
        _nonce = nonce.ToArray();
        _ciphertext = ciphertext.ToArray();
        _tag = tag.ToArray();
    }

    /// <summary>The id of the key-encryption key that sealed this envelope.</summary>
    public string KeyId { get; }

    /// <summary>The AES-GCM nonce.</summary>
    public ReadOnlyMemory<byte> Nonce => _nonce;

    /// <summary>The encrypted PKCS#8 private key.</summary>
    public ReadOnlyMemory<byte> Ciphertext => _ciphertext;

    /// <summary>The AES-GCM authentication tag.</summary>
    public ReadOnlyMemory<byte> Tag => _tag;

    /// <summary>The compact text form, <c>v1.{keyId}.{nonce}.{ciphertext}.{tag}</c> (base64url parts).</summary>
    public string Encode() =>
        $"{TextVersion}.{KeyId}.{Base64Url.EncodeToString(_nonce)}.{Base64Url.EncodeToString(_ciphertext)}.{Base64Url.EncodeToString(_tag)}";

    /// <summary>Reads the text form written by <see cref="Encode"/>.</summary>
    /// <param name="text">The encoded envelope.</param>
    /// <exception cref="KeyProtectionException"><see cref="KeyProtectionFailure.Malformed"/> when it is not one.</exception>
    public static ProtectedKey Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('.');
        if (parts.Length != 5 || parts[0] != TextVersion) throw Malformed("expected v1.{keyId}.{nonce}.{ciphertext}.{tag}");
        try
        {
            return new ProtectedKey(parts[1], Base64Url.DecodeFromChars(parts[2]), Base64Url.DecodeFromChars(parts[3]),
                Base64Url.DecodeFromChars(parts[4]));
        }
        catch (FormatException)
        {
            throw Malformed("a part is not base64url");
        }
    }

    /// <summary>The binary form: <c>0x01 | len(keyId) | keyId | nonce | tag | ciphertext</c>.</summary>
    public byte[] ToBytes()
    {
        var id = Encoding.ASCII.GetBytes(KeyId);
        var bytes = new byte[2 + id.Length + NonceSize + TagSize + _ciphertext.Length];
        bytes[0] = BinaryVersion;
        bytes[1] = (byte)id.Length;
        var rest = bytes.AsSpan(2);
        id.CopyTo(rest);
        _nonce.CopyTo(rest[id.Length..]);
        _tag.CopyTo(rest[(id.Length + NonceSize)..]);
        _ciphertext.CopyTo(rest[(id.Length + NonceSize + TagSize)..]);
        return bytes;
    }

    /// <summary>Reads the binary form written by <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The envelope bytes.</param>
    /// <exception cref="KeyProtectionException"><see cref="KeyProtectionFailure.Malformed"/> when it is not one.</exception>
    public static ProtectedKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2 || bytes[0] != BinaryVersion) throw Malformed("unknown version byte");
        int idLength = bytes[1];
        if (bytes.Length < 2 + idLength + NonceSize + TagSize + 1) throw Malformed("truncated");
        var rest = bytes[2..];
        var keyId = Encoding.ASCII.GetString(rest[..idLength]);
        rest = rest[idLength..];
        return new ProtectedKey(keyId, rest[..NonceSize], rest[(NonceSize + TagSize)..], rest.Slice(NonceSize, TagSize));
    }

    /// <summary>The key id and ciphertext length only.</summary>
    public override string ToString() => $"ProtectedKey({KeyId}, {_ciphertext.Length} bytes)";

    private static KeyProtectionException Malformed(string why) =>
        new(KeyProtectionFailure.Malformed, $"Not a protected key: {why}.");
}
