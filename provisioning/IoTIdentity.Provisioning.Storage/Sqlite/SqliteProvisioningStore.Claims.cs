namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <content>Unique claims: the <c>claims</c> table, whose primary key (scope, value) is the uniqueness.</content>
public sealed partial class SqliteProvisioningStore
{
    /// <inheritdoc/>
    public Task<bool> TryClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default) =>
        WithBatchAsync("claim a value", batch => batch.TryClaim(scope, value, owner), cancellationToken);

    /// <inheritdoc/>
    public async Task<bool> ReleaseClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        StoreLimits.CheckId(owner);
        return await WithWriterAsync("release a claim", session => session.Command(
            "DELETE FROM claims WHERE scope = $scope AND value = $value AND owner = $owner;",
            ("$scope", scope), ("$value", value), ("$owner", owner)).ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<string?> GetClaimOwnerAsync(string scope, string value, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        return await WithReaderAsync("read a claim", session => ReadOwner(session, scope, value), cancellationToken)
            .ConfigureAwait(false);
    }

    internal static string? ReadOwner(SqliteSession session, string scope, string value) =>
        session.Command(
            "SELECT owner FROM claims WHERE scope = $scope AND value = $value;",
            ("$scope", scope), ("$value", value)).ExecuteScalar() as string;
}
