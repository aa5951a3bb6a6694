using System.Text.Json;
using IoTIdentity.Fleet.Cli.Commands;

namespace IoTIdentity.Fleet.Cli.Contexts;

/// <summary>
/// Named contexts (service URL and API key) in <c>contexts.json</c> under the user's configuration folder:
/// <c>$IOTID_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/iotid</c>, else <c>~/.config/iotid</c>. The file holds API keys, so
/// it is written owner-only (0600, its folder 0700) through a temporary file renamed into place; a file others can
/// read is used with a warning to fix its mode.
/// </summary>
internal sealed class ContextStore(CliConsole console)
{
    /// <summary>The file's path.</summary>
    public string Path => System.IO.Path.Combine(Folder, "contexts.json");

    private string Folder =>
        console.Environment("IOTID_CONFIG_DIR") is { Length: > 0 } configured ? configured
        : console.Environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? System.IO.Path.Combine(xdg, "iotid")
        : System.IO.Path.Combine(console.Environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "iotid");

    /// <summary>The saved contexts (none when the file does not exist yet).</summary>
    public ContextFile Read()
    {
        if (!File.Exists(Path)) return new ContextFile();
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            console.Error.WriteLine($"iotid: warning: {Path} holds API keys and others can read it; run chmod 600 '{Path}'");
        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllText(Path), ContextJson.Default.ContextFile) ?? new ContextFile();
            return file with { Contexts = new Dictionary<string, NamedContext>(file.Contexts, StringComparer.Ordinal) };
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the contexts file '{Path}': {e.Message}");
        }
    }

    /// <summary>Replaces the file with <paramref name="contexts"/>, owner-only.</summary>
    public void Write(ContextFile contexts)
    {
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Folder);
            else Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var temporary = $"{Path}.{Guid.NewGuid():N}.partial";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using (var stream = new FileStream(temporary, options))
                    JsonSerializer.Serialize(stream, contexts, ContextJson.Default.ContextFile);
                File.Move(temporary, Path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the contexts file '{Path}': {e.Message}");
        }
    }
}
