namespace IoTIdentity.Attestation.Ek;

/// <summary>The EK public key from an EK certificate: <see cref="EkRsaPublicKey"/> or <see cref="EkEccPublicKey"/>.</summary>
public abstract record EkPublicKey
{
    private protected EkPublicKey()
    {
    }
}
