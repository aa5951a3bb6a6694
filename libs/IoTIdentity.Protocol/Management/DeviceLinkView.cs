namespace IoTIdentity.Protocol.Management;

/// <summary>Another device id of the same TPM (its other EK), in <see cref="DeviceDetails.Links"/>.</summary>
/// <param name="DeviceId">The other device id.</param>
/// <param name="Basis"><c>ek-certificates</c> (both EK certificates name the same TPM serial) or <c>operator</c> (linked by hand).</param>
public sealed record DeviceLinkView(string DeviceId, string Basis);
