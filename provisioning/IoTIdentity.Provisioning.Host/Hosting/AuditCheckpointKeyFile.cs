using System.Security.Cryptography;
using IoTIdentity.Provisioning.Grains.Audit;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The key that signs audit checkpoints: an EC P-256 private key in PEM at <c>Provisioning:AuditSigning:KeyPath</c>
/// (with <c>:KeyId</c>), mounted like the key-encryption key and never stored in the database. Development mode without
/// one generates <c>dev-audit-checkpoint-key.pem</c> in the data directory (owner-only permissions) once.
/// </summary>
internal static class AuditCheckpointKeyFile
{
    public const string Section = "Provisioning:AuditSigning";
    public const string KeyPathKey = Section + ":KeyPath";

    public static AuditCheckpointSigner Load(IConfiguration configuration, string dataDirectory, bool development)
    {
        var path = configuration[KeyPathKey];
        var keyId = configuration[Section + ":KeyId"];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (!development) throw new InvalidOperationException($"{KeyPathKey} is not set");
            path = Path.Combine(dataDirectory, "dev-audit-checkpoint-key.pem");
            keyId ??= "dev-1";
            if (!File.Exists(path)) WriteNewKey(path);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256) throw new InvalidOperationException($"{KeyPathKey}: '{path}' holds a {key.KeySize}-bit key, not EC P-256");
            return new AuditCheckpointSigner(string.IsNullOrWhiteSpace(keyId) ? "1" : keyId, key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or IOException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{KeyPathKey}: '{path}' is not a readable EC P-256 private key in PEM ({e.Message})", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void WriteNewKey(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
