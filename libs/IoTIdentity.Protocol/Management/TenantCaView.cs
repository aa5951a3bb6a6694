namespace IoTIdentity.Protocol.Management;

/// <summary>The tenant's certificate authority: its root and every issuing CA it keeps, the current one first.</summary>
/// <param name="RootCertificatePem">The root every device certificate of the tenant chains to.</param>
/// <param name="IssuingCas">The current issuing CA, then retired ones whose certificates may still be current.</param>
public sealed record TenantCaView(string RootCertificatePem, IReadOnlyList<IssuingCaView> IssuingCas);
