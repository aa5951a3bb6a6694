using System.Runtime.InteropServices;

namespace IoTIdentity.DeviceAgent.State;

/// <summary>
/// The POSIX recipe for writes that survive a power cut: write a temporary file, fsync it, rename it over the target,
/// fsync the directory (so the rename itself is on disk).
/// </summary>
internal static partial class DurableFiles
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically and durably.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + ".tmp";
        WriteSynced(temporary, content);
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Writes a new file and fsyncs it (no rename: for files inside a directory that is renamed as a whole).</summary>
    public static void WriteSynced(string path, ReadOnlySpan<byte> content)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// rename(2): moves <paramref name="source"/> over <paramref name="destination"/> in one step, whatever either is
    /// (a symbolic link to a directory included, which <see cref="File.Move(string, string, bool)"/> refuses).
    /// </summary>
    public static void Rename(string source, string destination)
    {
        if (RenameNative(source, destination) != 0)
            throw new IOException($"cannot rename {source} to {destination} (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Creates <paramref name="directory"/> (and missing parents) readable only by this user (0700) if absent.</summary>
    public static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>fsyncs a directory, making the creations, renames and deletions in it durable. No-op off Unix.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"cannot open {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string source, string destination);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
