namespace IoTIdentity.Protocol.Ownership;

/// <summary>Why an ownership voucher was refused, in the order <see cref="OwnershipVouchers.Verify"/> checks.</summary>
public enum VoucherFailure
{
    /// <summary>The voucher holds.</summary>
    None,
    /// <summary>A field is missing or does not parse (ids, base64, PEM).</summary>
    Malformed,
    /// <summary>The voucher is for another device than the one it is presented for.</summary>
    WrongDevice,
    /// <summary>The voucher names another owner key than the presenting tenant's.</summary>
    WrongOwner,
    /// <summary>The signer's certificate does not chain to a root the tenant trusts (or is not current, or may not sign).</summary>
    UntrustedSigner,
    /// <summary>The signature is not the signer's over the voucher's bytes (forged or altered).</summary>
    BadSignature,
}
