using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Attestation.Crypto;
using Org.BouncyCastle.Crypto.Agreement.Kdf;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace IoTIdentity.Attestation.Tests.Crypto;

/// <summary>
/// Known answers for KDFa and KDFe. The hex constants were computed with Python's <c>hmac</c>/<c>hashlib</c> from
/// the spec's construction (independent of .NET and of this code); the randomized cases compare against
/// BouncyCastle's SP800-108 counter-mode and SP800-56A concatenation KDF generators.
/// </summary>
public sealed class KdfTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Name = [0x00, 0x0b, .. Enumerable.Repeat((byte)0x11, 32)];

    [Fact]
    public void KDFa_matches_the_known_answer_for_a_STORAGE_key()
    {
        byte[] key = Kdf.KDFa(HashAlgorithmName.SHA256, Key, "STORAGE", Name, [], 128);
        Assert.Equal("4b6977df7782a6d0312cc5f537456667", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void KDFa_matches_the_known_answer_for_an_INTEGRITY_key()
    {
        byte[] key = Kdf.KDFa(HashAlgorithmName.SHA256, Key, "INTEGRITY", [], [], 256);
        Assert.Equal("bacf689f634ece301e1f1b15b072d9c87db6a69585db42b1a0cb8f73ebe2692e", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void KDFa_spanning_several_blocks_with_bits_not_a_multiple_of_8_masks_the_leading_bits()
    {
        byte[] key = Kdf.KDFa(HashAlgorithmName.SHA1, Key, "STORAGE", Name, [], 300);
        Assert.Equal(38, key.Length);
        Assert.Equal("03b44f5747a7fa688642623f88b7a19449f71572d53a877f98879ff226707b6e63068ead2e28", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void KDFa_of_fewer_than_8_bits_keeps_only_the_low_bits()
    {
        byte[] key = Kdf.KDFa(HashAlgorithmName.SHA256, Key, "STORAGE", Name, [0x01, 0x02], 7);
        Assert.Equal("0d", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void KDFa_label_with_its_terminator_already_present_is_the_same_label()
    {
        Assert.Equal(
            Kdf.KDFa(HashAlgorithmName.SHA256, Key, "STORAGE", Name, [], 128),
            Kdf.KDFa(HashAlgorithmName.SHA256, Key, "STORAGE\0", Name, [], 128));
    }

    [Fact]
    public void KDFe_matches_the_known_answer_for_an_IDENTITY_seed()
    {
        byte[] seed = Kdf.KDFe(HashAlgorithmName.SHA256, Fill(0x22, 32), "IDENTITY", Fill(0x33, 32), Fill(0x44, 32), 256);
        Assert.Equal("f59da144d928b82a7aceb16c1dbc3c5b0588ef575d1baefaade7131ba5f2c6a5", Convert.ToHexStringLower(seed));
    }

    [Fact]
    public void KDFe_spanning_several_blocks_with_bits_not_a_multiple_of_8_masks_the_leading_bits()
    {
        byte[] seed = Kdf.KDFe(HashAlgorithmName.SHA384, Fill(0x22, 48), "IDENTITY", Fill(0x33, 48), Fill(0x44, 48), 517);
        Assert.Equal(
            "076fb6010fb8fed02afc60ccd48d86c98317315508b4144e7ab35396516c011466e217194b21be47e57e3ddc3743f950124af19a59222b3e64e7ca9873f1f5e381",
            Convert.ToHexStringLower(seed));
    }

    [Theory]
    [InlineData(256), InlineData(512), InlineData(1000), InlineData(13)]
    public void KDFa_agrees_with_BouncyCastle_SP800_108_counter_mode(int bits)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32), u = RandomNumberGenerator.GetBytes(34), v = RandomNumberGenerator.GetBytes(20);
        byte[] suffix = [.. Encoding.ASCII.GetBytes("INTEGRITY"), 0, .. u, .. v, .. BigEndian((uint)bits)];
        var generator = new KdfCounterBytesGenerator(new HMac(new Sha256Digest()));
        generator.Init(new KdfCounterParameters(key, [], suffix, 32));
        byte[] expected = new byte[(bits + 7) / 8];
        generator.GenerateBytes(expected, 0, expected.Length);
        Mask(expected, bits);

        Assert.Equal(expected, Kdf.KDFa(HashAlgorithmName.SHA256, key, "INTEGRITY", u, v, bits));
    }

    [Theory]
    [InlineData(256), InlineData(777)]
    public void KDFe_agrees_with_BouncyCastle_concatenation_KDF(int bits)
    {
        byte[] z = RandomNumberGenerator.GetBytes(32), u = RandomNumberGenerator.GetBytes(32), v = RandomNumberGenerator.GetBytes(32);
        var generator = new ConcatenationKdfGenerator(new Sha256Digest());
        generator.Init(new KdfParameters(z, [.. Encoding.ASCII.GetBytes("IDENTITY"), 0, .. u, .. v]));
        byte[] expected = new byte[(bits + 7) / 8];
        generator.GenerateBytes(expected, 0, expected.Length);
        Mask(expected, bits);

        Assert.Equal(expected, Kdf.KDFe(HashAlgorithmName.SHA256, z, "IDENTITY", u, v, bits));
    }

    [Fact]
    public void KDF_refuses_a_destination_of_the_wrong_size_and_a_label_with_an_embedded_zero()
    {
        Assert.Throws<ArgumentException>(() => Kdf.KDFa(HashAlgorithmName.SHA256, Key, "STORAGE", [], [], 128, new byte[15]));
        Assert.Throws<ArgumentException>(() => Kdf.KDFa(HashAlgorithmName.SHA256, Key, "STO\0RAGE", [], [], 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kdf.KDFe(HashAlgorithmName.SHA256, Key, "IDENTITY", [], [], 0));
    }

    private static byte[] Fill(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static void Mask(byte[] output, int bits)
    {
        if (bits % 8 != 0) output[0] &= (byte)((1 << (bits % 8)) - 1);
    }
}
