namespace IoTIdentity.Provisioning.Grains;

/// <summary>Names of the Orleans storage provider.</summary>
public static class ProvisioningStorage
{
    /// <summary>The grain storage provider backed by <see cref="Storage.IProvisioningStore"/>.</summary>
    public const string Name = "iotid";
}
