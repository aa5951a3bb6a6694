namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>The containers of the store's database. Every container is partitioned on <c>/pk</c>.</summary>
internal static class CosmosContainerNames
{
    public const string State = "state";
    public const string Claims = "claims";
    public const string Devices = "devices";
    public const string Audit = "audit";
    public const string PartitionKeyPath = "/pk";

    public static readonly string[] All = [State, Claims, Devices, Audit];
}
