using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.Extensions.Configuration;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The service reads its configuration files once: watching them for changes would watch the working directory's
/// whole tree, where the SQLite data directory lives by default, and wake a thread on every commit.
/// </summary>
public sealed class ConfigurationReloadTests
{
    private static IReadOnlyList<FileConfigurationSource> FileSources(params string[] args)
    {
        var data = Directory.CreateTempSubdirectory("iotid-reload-").FullName;
        try
        {
            using var app = ProvisioningHost.Build(["--dev", "--Provisioning:DataDirectory", data, .. args]);
            return ((IConfigurationBuilder)app.Configuration).Sources.OfType<FileConfigurationSource>().ToList();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void No_configuration_file_is_watched_for_changes()
    {
        var sources = FileSources();

        Assert.Contains(sources, s => s.Path == "appsettings.json");
        Assert.All(sources, s => Assert.False(s.ReloadOnChange, $"{s.Path} is watched"));
    }

    [Fact]
    public void An_operator_can_still_turn_reloading_on()
    {
        var sources = FileSources("--hostBuilder:reloadConfigOnChange=true");

        Assert.Contains(sources, s => s.Path == "appsettings.json" && s.ReloadOnChange);
    }
}
