using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary><c>Storage:Sqlite:*</c>: what the service is configured with is what the store it opens runs with.</summary>
public sealed class SqliteStorageSettingsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("iotid-sqlite-settings-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Microsoft.AspNetCore.Builder.WebApplication Build(string? cacheMegabytes) =>
        ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Provisioning:DataDirectory"] = _data,
            ["Provisioning:Mode"] = "Development",
            [SqliteStorageConfiguration.CacheMegabytesKey] = cacheMegabytes,
        }));

    [Fact]
    public async Task The_configured_page_cache_is_the_cache_of_the_store_the_service_opens()
    {
        await using var app = Build("48");

        var store = Assert.IsType<SqliteProvisioningStore>(app.Services.GetRequiredService<IProvisioningStore>());

        // cache_size in KiB is negative: -48 MiB
        Assert.Equal(-48L * 1024, await store.ReadWriterPragmaAsync("cache_size"));
        Assert.Equal(Path.Combine(_data, "iotidentity.db"), store.DatabasePath);
    }

    [Fact]
    public async Task Without_the_setting_the_store_keeps_SQLite_s_default_cache()
    {
        await using var app = Build(null);

        var store = Assert.IsType<SqliteProvisioningStore>(app.Services.GetRequiredService<IProvisioningStore>());

        Assert.Equal(-2L * 1024, await store.ReadWriterPragmaAsync("cache_size"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4097")]
    [InlineData("-5")]
    [InlineData("1GB")]
    [InlineData("")]
    public void A_page_cache_that_is_not_1_to_4096_MiB_is_refused_when_the_host_is_built_and_names_the_setting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(value));

        Assert.Equal($"Storage:Sqlite:CacheMegabytes '{value}' is not a whole number of MiB from 1 to 4096 (SQLite's page cache per connection).", error.Message);
        Assert.False(File.Exists(Path.Combine(_data, "iotidentity.db")));
    }
}
