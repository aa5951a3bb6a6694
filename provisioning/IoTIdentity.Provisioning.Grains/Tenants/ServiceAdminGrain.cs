using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>Holds the stored service administrator key's hash.</summary>
public sealed class ServiceAdminGrain(
    [PersistentState("service-admin", ProvisioningStorage.Name)] IPersistentState<ServiceAdminState> state) : Grain, IServiceAdminGrain
{
    /// <summary>The single grain's key.</summary>
    public const string Key = "service";

    public async Task<string?> CreateKeyIfNoneAsync()
    {
        if (state.State.KeyHash is not null) return null;
        var key = ServiceAdminKeys.New();
        state.State = new ServiceAdminState { KeyHash = ServiceAdminKeys.Hash(key) };
        await state.WriteStateAsync();
        return key;
    }

    public Task<bool> VerifyAsync(byte[] keyHash) =>
        Task.FromResult(state.State.KeyHash is { } stored && CryptographicOperations.FixedTimeEquals(stored, keyHash));
}
