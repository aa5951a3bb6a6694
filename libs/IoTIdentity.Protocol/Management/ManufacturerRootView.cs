namespace IoTIdentity.Protocol.Management;

/// <summary>A trusted TPM manufacturer root as a tenant lists it.</summary>
/// <param name="Thumbprint">The certificate's SHA-256 thumbprint, lowercase hex.</param>
/// <param name="Subject">Its subject name.</param>
/// <param name="NotAfter">When it expires.</param>
public sealed record ManufacturerRootView(string Thumbprint, string Subject, DateTimeOffset NotAfter);
