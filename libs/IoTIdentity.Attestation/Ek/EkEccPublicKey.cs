using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Ek;

/// <summary>An ECC EK public key on a named NIST curve.</summary>
/// <param name="Curve">The named curve (P-256, P-384 or P-521).</param>
/// <param name="X">The x-coordinate, big-endian, at the curve's field size.</param>
/// <param name="Y">The y-coordinate, big-endian, at the curve's field size.</param>
public sealed record EkEccPublicKey(ECCurve Curve, byte[] X, byte[] Y) : EkPublicKey;
