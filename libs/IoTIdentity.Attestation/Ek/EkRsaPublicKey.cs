namespace IoTIdentity.Attestation.Ek;

/// <summary>An RSA EK public key.</summary>
/// <param name="Modulus">The modulus, big-endian unsigned, without leading zero octets.</param>
/// <param name="Exponent">The public exponent, big-endian unsigned.</param>
public sealed record EkRsaPublicKey(byte[] Modulus, byte[] Exponent) : EkPublicKey;
