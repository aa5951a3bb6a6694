using System.Security.Cryptography;
using static IoTIdentity.Provisioning.Certificates.Tests.TestAuthorities;

namespace IoTIdentity.Provisioning.Certificates.Tests;

public sealed class KeyProtectionTests
{
    private const string Purpose = "tenant:tenant-a:issuing-ca";
    private static readonly byte[] Secret = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey();

    [Fact]
    public void A_protected_key_round_trips_through_both_serialised_forms()
    {
        using var ring = Ring();
        var sealedKey = ring.Protect(Secret, Purpose);

        Assert.Equal("kek-1", sealedKey.KeyId);
        Assert.Equal(Secret.Length, sealedKey.Ciphertext.Length);
        Assert.NotEqual(Secret, sealedKey.Ciphertext.ToArray());
        Assert.StartsWith("v1.kek-1.", sealedKey.Encode());
        Assert.Equal(Secret, ring.Unprotect(ProtectedKey.Decode(sealedKey.Encode()), Purpose));
        Assert.Equal(Secret, ring.Unprotect(ProtectedKey.FromBytes(sealedKey.ToBytes()), Purpose));
    }

    [Fact]
    public void Two_seals_of_the_same_key_use_different_nonces()
    {
        using var ring = Ring();
        Assert.NotEqual(ring.Protect(Secret, Purpose).Nonce.ToArray(), ring.Protect(Secret, Purpose).Nonce.ToArray());
    }

    [Fact]
    public void A_key_encryption_key_with_the_same_id_but_other_bytes_fails_authentication()
    {
        using var ring = Ring("kek-1", 0x11);
        using var impostor = Ring("kek-1", 0x22);
        var sealedKey = ring.Protect(Secret, Purpose);

        var e = Assert.Throws<KeyProtectionException>(() => impostor.Unprotect(sealedKey, Purpose));
        Assert.Equal(KeyProtectionFailure.AuthenticationFailed, e.Failure);
    }

    [Fact]
    public void An_envelope_from_a_key_the_ring_does_not_hold_names_the_unknown_key_id()
    {
        using var ring = Ring("kek-1");
        using var other = Ring("kek-9");
        var e = Assert.Throws<KeyProtectionException>(() => other.Unprotect(ring.Protect(Secret, Purpose), Purpose));
        Assert.Equal(KeyProtectionFailure.UnknownKeyId, e.Failure);
        Assert.Contains("kek-1", e.Message);
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("nonce")]
    public void A_tampered_envelope_fails_authentication(string part)
    {
        using var ring = Ring();
        var sealedKey = ring.Protect(Secret, Purpose);
        byte[] nonce = sealedKey.Nonce.ToArray(), ciphertext = sealedKey.Ciphertext.ToArray(), tag = sealedKey.Tag.ToArray();
        (part switch { "ciphertext" => ciphertext, "tag" => tag, _ => nonce })[3] ^= 0x01;

        var e = Assert.Throws<KeyProtectionException>(() =>
            ring.Unprotect(new ProtectedKey(sealedKey.KeyId, nonce, ciphertext, tag), Purpose));
        Assert.Equal(KeyProtectionFailure.AuthenticationFailed, e.Failure);
    }

    [Fact]
    public void An_envelope_opened_for_another_purpose_fails_authentication()
    {
        using var ring = Ring();
        var sealedKey = ring.Protect(Secret, KeyPurpose.TenantIssuingCa("tenant-a"));

        Assert.Equal(KeyProtectionFailure.AuthenticationFailed,
            Assert.Throws<KeyProtectionException>(() => ring.Unprotect(sealedKey, KeyPurpose.TenantIssuingCa("tenant-b"))).Failure);
        Assert.Equal(KeyProtectionFailure.AuthenticationFailed,
            Assert.Throws<KeyProtectionException>(() => ring.Unprotect(sealedKey, KeyPurpose.TenantRootCa("tenant-a"))).Failure);
    }

    [Fact]
    public void After_rotation_the_old_key_still_opens_old_envelopes_and_new_envelopes_use_the_new_key()
    {
        using var before = Ring("kek-1", 0x11);
        var old = before.Protect(Secret, Purpose);

        using var after = Ring("kek-2", 0x22, Kek("kek-1", 0x11));
        Assert.Equal(Secret, after.Unprotect(old, Purpose));
        Assert.True(after.NeedsRewrap(old));

        var fresh = after.Protect(Secret, Purpose);
        Assert.Equal("kek-2", fresh.KeyId);
        Assert.False(after.NeedsRewrap(fresh));

        var rewrapped = after.Rewrap(old, Purpose);
        Assert.Equal("kek-2", rewrapped.KeyId);
        using var onlyNew = Ring("kek-2", 0x22);
        Assert.Equal(Secret, onlyNew.Unprotect(rewrapped, Purpose));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v2.kek-1.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.kek-1.AAAA.AA.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.kek 1.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.kek-1.!!!!AAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA")]
    public void Text_that_is_not_an_envelope_is_malformed(string text)
    {
        Assert.Equal(KeyProtectionFailure.Malformed, Assert.Throws<KeyProtectionException>(() => ProtectedKey.Decode(text)).Failure);
    }

    [Fact]
    public void Truncated_bytes_are_malformed()
    {
        using var ring = Ring();
        var bytes = ring.Protect(Secret, Purpose).ToBytes();
        Assert.Equal(KeyProtectionFailure.Malformed,
            Assert.Throws<KeyProtectionException>(() => ProtectedKey.FromBytes(bytes.AsSpan(0, 2 + 5 + 12 + 16))).Failure);
    }

    [Theory]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("not base64")]
    public void A_configured_key_that_is_not_256_bits_of_base64_is_refused(string base64)
    {
        Assert.Throws<ArgumentException>(() => KeyEncryptionKey.FromBase64("kek-1", base64));
    }

    [Fact]
    public void A_ring_is_built_from_its_configuration_section()
    {
        var options = new KeyEncryptionKeyRingOptions
        {
            Current = new() { KeyId = "kek-2", Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
            Previous = [new() { KeyId = "kek-1", Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }],
        };
        using var ring = KeyEncryptionKeyRing.FromOptions(options, RandomNumberGenerator.Create());
        Assert.Equal("kek-2", ring.CurrentKeyId);

        options.Previous.Add(options.Current);
        Assert.Throws<ArgumentException>(() => KeyEncryptionKeyRing.FromOptions(options, RandomNumberGenerator.Create()));
    }

    [Fact]
    public void Nothing_prints_key_material()
    {
        var keyBytes = RandomNumberGenerator.GetBytes(32);
        using var kek = new KeyEncryptionKey("kek-1", keyBytes);
        using var ring = new KeyEncryptionKeyRing(kek, [], RandomNumberGenerator.Create());
        var sealedKey = ring.Protect(Secret, Purpose);
        var material = new TenantCaMaterial("t", [1], [2], sealedKey.Encode(), sealedKey.Encode());

        foreach (var text in new[] { kek.ToString(), ring.ToString(), sealedKey.ToString(), material.ToString() })
        {
            Assert.DoesNotContain(Convert.ToBase64String(keyBytes), text);
            Assert.DoesNotContain(sealedKey.Encode(), text);
            Assert.DoesNotContain(Convert.ToHexString(keyBytes), text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_disposed_key_encryption_key_cannot_seal()
    {
        var kek = Kek("kek-1");
        var ring = new KeyEncryptionKeyRing(kek, [], RandomNumberGenerator.Create());
        ring.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ring.Protect(Secret, Purpose));
    }
}
