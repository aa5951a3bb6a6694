namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// One ownership transfer as a saga (key = transferId): created by the source over a set of its devices, accepted
/// by the target (or cancelled, or expired), then each device re-enrols for the target and the source is cut off.
/// Only the two tenants see it; to anyone else it does not exist.
/// </summary>
public interface ITransferGrain : IGrainWithStringKey
{
    /// <summary>Creates the transfer and holds its devices; refused NotFound if a device is not the source's, Conflict if one is held already.</summary>
    Task<TransferResult> CreateAsync(TransferRequest request);

    /// <summary>The transfer as <paramref name="tenantId"/> sees it (source or target), or null.</summary>
    Task<TransferView?> GetAsync(string tenantId);

    /// <summary>The target accepts, into <paramref name="groupId"/> or its groups as usual; the devices then move in batches.</summary>
    Task<TransferResult> AcceptAsync(string tenantId, string? groupId, string actor);

    /// <summary>Either side cancels a pending transfer; the devices are released unchanged.</summary>
    Task<TransferResult> CancelAsync(string tenantId, string actor);

    /// <summary>A device of the transfer re-enrolled for the target with <paramref name="serialNumber"/>.</summary>
    [Orleans.Concurrency.OneWay]
    Task DeviceReenrolledAsync(string deviceId, string serialNumber);

    /// <summary>Moves the next batch of accepted devices (the saga calls itself until none is left).</summary>
    [Orleans.Concurrency.OneWay]
    Task ProceedAsync();
}
