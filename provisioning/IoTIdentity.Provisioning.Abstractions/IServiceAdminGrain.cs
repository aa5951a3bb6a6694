namespace IoTIdentity.Provisioning.Abstractions;

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
