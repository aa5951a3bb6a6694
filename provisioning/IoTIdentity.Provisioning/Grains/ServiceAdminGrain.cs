using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// The service administrator's key when it is not configured (key "service"): created once by the dev bootstrap,
/// stored only as the SHA-256 of the whole key string.
/// </summary>
public interface IServiceAdminGrain : IGrainWithStringKey
{
    /// <summary>Creates the key if there is none and returns it (shown once); null if one already exists.</summary>
    Task<string?> CreateKeyIfNoneAsync();

    /// <summary>Whether <paramref name="keyHash"/> is the stored key's hash.</summary>
    Task<bool> VerifyAsync(byte[] keyHash);
}

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

/// <summary>The durable state of <see cref="ServiceAdminGrain"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ServiceAdminState
{
    [Id(0)] public byte[]? KeyHash { get; init; }
}

/// <summary>Service administrator keys: <c>iotid-admin.{secret}</c>, a 256-bit base64url secret; identified by the SHA-256 of the whole string.</summary>
public static class ServiceAdminKeys
{
    /// <summary>The prefix every service administrator key starts with.</summary>
    public const string Prefix = "iotid-admin.";

    /// <summary>A new key.</summary>
    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The SHA-256 of the whole key string (UTF-8): what configuration and storage hold.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
