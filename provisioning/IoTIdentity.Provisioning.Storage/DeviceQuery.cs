namespace IoTIdentity.Provisioning.Storage;

/// <summary>Filters and paging for <see cref="IProvisioningStore.ListDevicesAsync"/>; every filter given must hold.</summary>
public sealed record DeviceQuery
{
    /// <summary>Only devices in exactly this state (case-sensitive); <see langword="null"/> for any.</summary>
    public string? State { get; init; }

    /// <summary>Only compliant (<see langword="true"/>) or non-compliant devices; <see langword="null"/> for both.</summary>
    public bool? Compliant { get; init; }

    /// <summary>Only devices of exactly this enrolment group; <see langword="null"/> for any.</summary>
    public string? GroupId { get; init; }

    /// <summary>Only devices carrying exactly this tag; <see langword="null"/> for any.</summary>
    public string? Tag { get; init; }

    /// <summary>Only devices whose id starts with this (ordinal); <see langword="null"/> for any.</summary>
    public string? DeviceIdPrefix { get; init; }

    /// <summary>The largest number of devices on the page: 1–<see cref="StoreLimits.MaxPageSize"/>, default 100.</summary>
    public int PageSize { get; init; } = StoreLimits.DefaultPageSize;

    /// <summary>The previous page's <see cref="DevicePage.ContinuationToken"/>; <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}
