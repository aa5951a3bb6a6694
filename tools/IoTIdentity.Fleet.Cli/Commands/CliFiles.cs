using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// The files commands read and write. A file that cannot be read is a usage error before anything is sent; an output
/// file is written whole or not at all (a temporary file renamed into place) and never overwrites one without --force.
/// </summary>
internal static class CliFiles
{
    public static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read {what} '{path}': {e.Message}");
        }
    }

    /// <summary>Every certificate in the PEM files, one PEM string each; a file without one is a usage error.</summary>
    public static List<string> ReadCertificatesPem(IEnumerable<string> paths)
    {
        var certificates = new List<string>();
        foreach (var path in paths)
        {
            var collection = new X509Certificate2Collection();
            try
            {
                collection.ImportFromPem(ReadText(path, "certificate file"));
            }
            catch (CryptographicException e)
            {
                throw new UsageException($"'{path}' does not hold PEM certificates: {e.Message}");
            }
            if (collection.Count == 0) throw new UsageException($"'{path}' holds no PEM certificate");
            certificates.AddRange(collection.Select(c => c.ExportCertificatePem()));
            foreach (var c in collection) c.Dispose();
        }
        return certificates;
    }

    /// <summary>Refuses, before any request, an output path that exists (without --force) or whose folder does not.</summary>
    public static void CheckWritable(string path, bool force)
    {
        if (File.Exists(path) && !force) throw new UsageException($"'{path}' exists; pass --force to replace it");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new UsageException($"folder '{folder}' does not exist");
    }

    /// <summary>Writes <paramref name="path"/> through a temporary file beside it, renamed into place only when <paramref name="write"/> finished.</summary>
    public static async Task WriteAsync(string path, bool force, Func<Stream, Task> write)
    {
        CheckWritable(path, force);
        var temporary = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                await write(stream);
            File.Move(temporary, path, overwrite: force);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>A JSON file read as <typeparamref name="T"/>; unreadable or not that shape: a usage error naming the file.</summary>
    public static T ReadJson<T>(string path, string what, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        var text = ReadText(path, what);
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(text, type) ?? throw new UsageException($"'{path}' is not a {what}");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UsageException($"'{path}' is not a {what}: {e.Message}");
        }
    }
}
