using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The key-encryption key for CA private keys: from configuration ("Provisioning:KeyEncryption", with the current
/// key and older ones), or — for the zero-config start only — a random one generated once into the data
/// directory (owner-only permissions) so a restart can still decrypt. Production deployments configure their own.
/// </summary>
internal static class DevKeyEncryptionKey
{
    public const string Section = "Provisioning:KeyEncryption";

    public static KeyEncryptionKeyRingOptions LoadOrCreate(KeyEncryptionKeyRingOptions? configured, string dataDirectory, out bool generated)
    {
        generated = false;
        if (configured is { Current.Key: { Length: > 0 } }) return configured;
        var path = Path.Combine(dataDirectory, "dev-kek.json");
        if (File.Exists(path))
            return JsonSerializer.Deserialize<KeyEncryptionKeyRingOptions>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} is not a key ring");
        var options = new KeyEncryptionKeyRingOptions
        {
            Current = new KeyEncryptionKeyOptions { KeyId = "dev-1", Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
        };
        Directory.CreateDirectory(dataDirectory);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(options));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
        generated = true;
        return options;
    }
}
