namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <content>Unique claims: the <c>claims</c> table, whose primary key (scope, value) is the uniqueness.</content>
public sealed partial class SqliteProvisioningStore
{
    private const int MaxClaimAttempts = 64;

    /// <inheritdoc/>
    public async Task<bool> TryClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        StoreLimits.CheckId(owner);
        return await WithWriterAsync("claim a value", session =>
        {
            // Insert-if-absent, then read who holds it. Only another process can release the claim in between;
            // then the read finds nothing and we try again.
            for (var attempt = 1; attempt <= MaxClaimAttempts; attempt++)
            {
                session.Command(
                    "INSERT INTO claims (scope, value, owner) VALUES ($scope, $value, $owner) ON CONFLICT DO NOTHING;",
                    ("$scope", scope), ("$value", value), ("$owner", owner)).ExecuteNonQuery();
                if (ReadOwner(session, scope, value) is { } holder)
                {
                    return string.Equals(holder, owner, StringComparison.Ordinal);
                }
            }

            throw new StoreUnavailableException(
                $"SQLite store '{DatabasePath}' could not claim '{scope}/{value}': it was claimed and released " +
                $"{MaxClaimAttempts} times in a row by another process.");
        }, cancellationToken).ConfigureAwait(false);
    }

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

    private static string? ReadOwner(SqliteSession session, string scope, string value) =>
        session.Command(
            "SELECT owner FROM claims WHERE scope = $scope AND value = $value;",
            ("$scope", scope), ("$value", value)).ExecuteScalar() as string;
}
