namespace IoTIdentity.Protocol.Management;

/// <summary>One of the tenant's accepted ownership vouchers, as <c>GET /api/v1/ownership-vouchers</c> lists it.</summary>
/// <param name="DeviceId">The device the voucher covers.</param>
/// <param name="AcceptedAt">When the service verified and recorded it.</param>
public sealed record OwnershipVoucherView(string DeviceId, DateTimeOffset? AcceptedAt);
