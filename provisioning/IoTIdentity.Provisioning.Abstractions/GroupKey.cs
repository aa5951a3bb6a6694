namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// An enrolment group's identity: its tenant and its id within the tenant. Its text form, <c>{tenantId}/{groupId}</c>,
/// is the group grain's key and the directory's entry; tenant ids cannot contain '/', so the first '/' splits it.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct GroupKey([property: Id(0)] string TenantId, [property: Id(1)] string GroupId)
{
    /// <summary>The text form, <c>{tenantId}/{groupId}</c>.</summary>
    public override string ToString() => $"{TenantId}/{GroupId}";

    /// <summary>Reads the text form.</summary>
    /// <exception cref="FormatException"><paramref name="key"/> has no tenant or no group part.</exception>
    public static GroupKey Parse(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) throw new FormatException($"'{key}' is not a group key ({{tenantId}}/{{groupId}})");
        return new GroupKey(key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Whether the group belongs to <paramref name="tenantId"/>.</summary>
    public bool IsOf(string tenantId) => TenantId == tenantId;
}
