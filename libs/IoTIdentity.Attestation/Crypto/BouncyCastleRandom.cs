using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// Lets BouncyCastle draw its randomness (the OAEP seed) from the injected <see cref="RandomNumberGenerator"/>,
/// so tests can make it deterministic and nothing reaches for a process-wide generator behind our back.
/// </summary>
internal sealed class BouncyCastleRandom(RandomNumberGenerator source) : IRandomGenerator
{
    /// <summary>A BouncyCastle <see cref="SecureRandom"/> reading from <paramref name="source"/>.</summary>
    public static SecureRandom From(RandomNumberGenerator source) => new(new BouncyCastleRandom(source), 0);

    public void AddSeedMaterial(byte[] seed) { }

    public void AddSeedMaterial(ReadOnlySpan<byte> seed) { }

    public void AddSeedMaterial(long seed) { }

    public void NextBytes(byte[] bytes) => source.GetBytes(bytes);

    public void NextBytes(byte[] bytes, int start, int len) => source.GetBytes(bytes, start, len);

    public void NextBytes(Span<byte> bytes) => source.GetBytes(bytes);
}
