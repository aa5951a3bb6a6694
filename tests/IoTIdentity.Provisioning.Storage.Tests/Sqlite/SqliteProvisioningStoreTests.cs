using IoTIdentity.Provisioning.Storage.Sqlite;
using IoTIdentity.Provisioning.Storage.Tests.Contract;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Tests.Sqlite;

/// <summary>The contract suite against a fresh SQLite file per test.</summary>
public sealed class SqliteProvisioningStoreTests : ProvisioningStoreContract
{
    private readonly TemporaryDirectory _directory = new();

    protected override Task<IProvisioningStore> CreateStoreAsync() =>
        Task.FromResult<IProvisioningStore>(SqliteProvisioningStore.Open(new SqliteStoreOptions
        {
            DatabasePath = _directory.File($"{Guid.NewGuid():N}/store.db"),
        }));

    protected override async Task TamperAuditAsync(IProvisioningStore store, string tenantId, long sequence)
    {
        // An attacker with the file drops the append-only trigger and rewrites the outcome, keeping the hash.
        await using var connection = RawConnection(((SqliteProvisioningStore)store).DatabasePath);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER audit_no_update;
            UPDATE audit SET outcome = 'allowed' || ' (edited)' WHERE tenant_id = $tenant AND sequence = $sequence;
            """;
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$sequence", sequence);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>An unpooled connection to the file, bypassing the store.</summary>
    internal static SqliteConnection RawConnection(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }
}
