using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.State;

/// <summary>
/// The identity in the state directory, one complete generation at a time:
/// <code>
/// state/
///   current -> gen-000042     the pointer: a symbolic link, replaced atomically, written LAST; so
///                             current/cert.pem, current/chain.pem, current/key.tss2.pem stay valid paths
///   gen-000042/
///     identity.json           metadata + certificate chain (base64 DER)
///     cert.pem                the device certificate
///     chain.pem               the issuing CA certificate(s)
///     certificate.pem         both: the device certificate, then the issuing CA
///     key.tss2.pem            the device key as a "TSS2 PRIVATE KEY" (tpm2-openssl, tpm2-tss-engine)
///     device-key.pub/.priv    TPM2B_PUBLIC / TPM2B_PRIVATE of the device key (tpm2_load -u/-r)
///     ak.pub/.priv            the attestation key blobs
/// </code>
/// A generation is written as <c>gen-N.tmp</c> (every file fsynced, then the directory), renamed to <c>gen-N</c>,
/// the parent fsynced, and only then does <c>current</c> move to it (new link <c>current.tmp</c>, rename over
/// <c>current</c>, fsync the directory). A power cut
/// before the pointer's rename leaves the old generation current; after it, the new one. Generations the pointer
/// does not name are garbage: removed by the next write and on <see cref="Collect"/>. The old key is forgotten (its
/// generation deleted) only after the new pointer is durable.
/// </summary>
public sealed class IdentityStore(string directory, IIdentityProgress? progress = null)
{
    private const string Pointer = "current";
    private const string Prefix = "gen-";

    /// <summary>The device certificate (PEM).</summary>
    public const string CertificateFile = "cert.pem";

    /// <summary>The issuing CA certificate(s) (PEM).</summary>
    public const string ChainFile = "chain.pem";

    /// <summary>The device certificate, then the issuing CA(s) (PEM).</summary>
    public const string FullChainFile = "certificate.pem";

    /// <summary>The device key as a TSS2 PRIVATE KEY (PEM).</summary>
    public const string KeyFile = "key.tss2.pem";

    /// <summary>The state directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>
    /// <paramref name="file"/> of the current identity through the <c>current</c> link: a path that stays valid
    /// across rotations (for applications, hooks and <c>status</c>).
    /// </summary>
    public string StablePath(string file) => Path.Combine(Directory, Pointer, file);

    /// <summary>The directory of the current generation, or null when there is no identity.</summary>
    public string? CurrentGenerationDirectory
    {
        get
        {
            var pointer = Path.Combine(Directory, Pointer);
            var info = new FileInfo(pointer);
            string name;
            if (info.LinkTarget is { } target) name = target;
            else if (info.Exists) name = File.ReadAllText(pointer).Trim();   // a text pointer, as older agents wrote it
            else return null;
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal))
                throw new InvalidDataException($"{pointer} does not name a generation");
            return Path.Combine(Directory, name);
        }
    }

    /// <summary>Reads the current identity, or null when the device has none.</summary>
    public StoredIdentity? Load()
    {
        var generation = CurrentGenerationDirectory;
        if (generation is null) return null;
        var metadata = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(generation, "identity.json")), AgentJson.Default.IdentityMetadata)
            ?? throw new InvalidDataException("empty identity.json");
        return new StoredIdentity(metadata, ReadKey(generation, "device-key"), ReadKey(generation, "ak"));
    }

    /// <summary>Makes <paramref name="identity"/> the current one, durably, then forgets every older generation.</summary>
    public void Save(StoredIdentity identity)
    {
        DurableFiles.CreatePrivateDirectory(Directory);
        var number = Generations().Select(g => g.Number).DefaultIfEmpty(0).Max() + 1;
        var name = Prefix + number.ToString("D6", CultureInfo.InvariantCulture);
        var final = Path.Combine(Directory, name);
        var temporary = final + ".tmp";
        if (System.IO.Directory.Exists(temporary)) System.IO.Directory.Delete(temporary, recursive: true);
        System.IO.Directory.CreateDirectory(temporary);

        DurableFiles.WriteSynced(Path.Combine(temporary, "identity.json"), JsonSerializer.SerializeToUtf8Bytes(identity.Metadata, AgentJson.Default.IdentityMetadata));
        var chain = identity.Metadata.CertificateChain;
        DurableFiles.WriteSynced(Path.Combine(temporary, CertificateFile), Encoding.ASCII.GetBytes(CertificatePem(chain.Take(1))));
        DurableFiles.WriteSynced(Path.Combine(temporary, ChainFile), Encoding.ASCII.GetBytes(CertificatePem(chain.Skip(1))));
        DurableFiles.WriteSynced(Path.Combine(temporary, FullChainFile), Encoding.ASCII.GetBytes(CertificatePem(chain)));
        WriteKey(temporary, "device-key", identity.DeviceKey);
        WriteKey(temporary, "ak", identity.AttestationKey);
        DurableFiles.WriteSynced(Path.Combine(temporary, KeyFile), Encoding.ASCII.GetBytes(TssPrivateKey.ToPem(identity.DeviceKey)));
        DurableFiles.SyncDirectory(temporary);
        System.IO.Directory.Move(temporary, final);
        DurableFiles.SyncDirectory(Directory);
        progress?.Reached(IdentityCheckpoint.DuringStateWrite);

        var link = Path.Combine(Directory, Pointer + ".tmp");
        DeleteLink(link);
        File.CreateSymbolicLink(link, name);
        DurableFiles.Rename(link, Path.Combine(Directory, Pointer));
        DurableFiles.SyncDirectory(Directory);
        Collect();
    }

    /// <summary>
    /// Rewrites an identity that an older agent stored under a text pointer as a new generation behind the
    /// <c>current</c> link (with the stable file names); nothing when the pointer is already a link or absent.
    /// </summary>
    public void Upgrade()
    {
        var pointer = new FileInfo(Path.Combine(Directory, Pointer));
        if (pointer.LinkTarget is null && pointer.Exists && Load() is { } identity) Save(identity);
    }

    /// <summary>Forgets the identity: the pointer goes first (atomically), then every generation.</summary>
    public void Delete()
    {
        var pointer = Path.Combine(Directory, Pointer);
        if (DeleteLink(pointer) || File.Exists(pointer))
        {
            File.Delete(pointer);
            DurableFiles.SyncDirectory(Directory);
        }
        Collect();
    }

    /// <summary>Removes generations the pointer does not name (torn or superseded) and stray temporary files.</summary>
    public void Collect()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        var current = CurrentGenerationDirectory;
        foreach (var path in System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*"))
            if (!string.Equals(Path.GetFullPath(path), current is null ? null : Path.GetFullPath(current), StringComparison.Ordinal))
                System.IO.Directory.Delete(path, recursive: true);
        foreach (var stray in System.IO.Directory.EnumerateFiles(Directory, "*.tmp")) File.Delete(stray);
        DeleteLink(Path.Combine(Directory, Pointer + ".tmp"));
        DurableFiles.SyncDirectory(Directory);
    }

    /// <summary>Removes <paramref name="path"/> if it is a symbolic link; whether it was.</summary>
    private static bool DeleteLink(string path)
    {
        if (new FileInfo(path).LinkTarget is null) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>The certificate chain as PEM, device certificate first.</summary>
    public static string CertificatePem(IEnumerable<byte[]> chain) =>
        string.Concat(chain.Select(der => new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der)) + "\n"));

    private IEnumerable<(int Number, string Path)> Generations() =>
        System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*")
            .Select(p => (Name: Path.GetFileName(p), Path: p))
            .Select(g => (Ok: int.TryParse(g.Name.AsSpan(Prefix.Length).TrimEnd(".tmp"), NumberStyles.None, CultureInfo.InvariantCulture, out var n), Number: n, g.Path))
            .Where(g => g.Ok)
            .Select(g => (g.Number, g.Path));

    private static void WriteKey(string directory, string name, TpmKeyBlobs key)
    {
        DurableFiles.WriteSynced(Path.Combine(directory, name + ".pub"), TpmMarshal.ToBytes(key.Public));
        DurableFiles.WriteSynced(Path.Combine(directory, name + ".priv"), TpmMarshal.ToBytes(key.Private));
    }

    private static TpmKeyBlobs ReadKey(string directory, string name) => new(
        TpmMarshal.FromBytes<Tpm2b<TpmtPublic>>(File.ReadAllBytes(Path.Combine(directory, name + ".pub"))),
        TpmMarshal.FromBytes<Tpm2bPrivate>(File.ReadAllBytes(Path.Combine(directory, name + ".priv"))));
}
