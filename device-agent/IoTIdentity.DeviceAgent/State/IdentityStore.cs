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
///   current                   "gen-000042": the pointer, replaced atomically, written LAST
///   gen-000042/
///     identity.json           metadata + certificate chain (base64 DER)
///     certificate.pem         device certificate, then the issuing CA
///     device-key.pub/.priv    TPM2B_PUBLIC / TPM2B_PRIVATE of the device key (tpm2_load -u/-r)
///     device-key.tss2.pem     the same key as a "TSS2 PRIVATE KEY" (tpm2-openssl, tpm2-tss-engine)
///     ak.pub/.priv            the attestation key blobs
/// </code>
/// A generation is written as <c>gen-N.tmp</c> (every file fsynced, then the directory), renamed to <c>gen-N</c>,
/// the parent fsynced, and only then does <c>current</c> move to it (temp file, fsync, rename, fsync). A power cut
/// before the pointer's rename leaves the old generation current; after it, the new one. Generations the pointer
/// does not name are garbage: removed by the next write and on <see cref="Collect"/>. The old key is forgotten (its
/// generation deleted) only after the new pointer is durable.
/// </summary>
public sealed class IdentityStore(string directory, IIdentityProgress? progress = null)
{
    private const string Pointer = "current";
    private const string Prefix = "gen-";

    /// <summary>The state directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>The directory of the current generation, or null when there is no identity.</summary>
    public string? CurrentGenerationDirectory
    {
        get
        {
            var pointer = Path.Combine(Directory, Pointer);
            if (!File.Exists(pointer)) return null;
            var name = File.ReadAllText(pointer).Trim();
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
        System.IO.Directory.CreateDirectory(Directory);
        var number = Generations().Select(g => g.Number).DefaultIfEmpty(0).Max() + 1;
        var name = Prefix + number.ToString("D6", CultureInfo.InvariantCulture);
        var final = Path.Combine(Directory, name);
        var temporary = final + ".tmp";
        if (System.IO.Directory.Exists(temporary)) System.IO.Directory.Delete(temporary, recursive: true);
        System.IO.Directory.CreateDirectory(temporary);

        DurableFiles.WriteSynced(Path.Combine(temporary, "identity.json"), JsonSerializer.SerializeToUtf8Bytes(identity.Metadata, AgentJson.Default.IdentityMetadata));
        DurableFiles.WriteSynced(Path.Combine(temporary, "certificate.pem"), Encoding.ASCII.GetBytes(CertificatePem(identity.Metadata.CertificateChain)));
        WriteKey(temporary, "device-key", identity.DeviceKey);
        WriteKey(temporary, "ak", identity.AttestationKey);
        DurableFiles.WriteSynced(Path.Combine(temporary, "device-key.tss2.pem"), Encoding.ASCII.GetBytes(TssPrivateKey.ToPem(identity.DeviceKey)));
        DurableFiles.SyncDirectory(temporary);
        System.IO.Directory.Move(temporary, final);
        DurableFiles.SyncDirectory(Directory);
        progress?.Reached(IdentityCheckpoint.DuringStateWrite);

        DurableFiles.WriteAtomically(Path.Combine(Directory, Pointer), Encoding.ASCII.GetBytes(name + "\n"));
        Collect();
    }

    /// <summary>Forgets the identity: the pointer goes first (atomically), then every generation.</summary>
    public void Delete()
    {
        var pointer = Path.Combine(Directory, Pointer);
        if (File.Exists(pointer))
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
        DurableFiles.SyncDirectory(Directory);
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
