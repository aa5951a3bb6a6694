namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A tenant's transfers, outgoing and incoming, newest last (key = tenantId).</summary>
public interface ITransferIndexGrain : IGrainWithStringKey
{
    /// <summary>Records a transfer the tenant is part of.</summary>
    Task AddAsync(TransferIndexEntry entry);

    /// <summary>The tenant's transfers in creation order.</summary>
    Task<IReadOnlyList<TransferIndexEntry>> ListAsync();
}
