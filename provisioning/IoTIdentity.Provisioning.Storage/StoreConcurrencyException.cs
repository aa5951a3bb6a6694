namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// A conditional write lost: the item already existed on a create, or no longer carried the expected ETag on a
/// replace or delete. The grain layer turns it into Orleans' <c>InconsistentStateException</c>.
/// </summary>
public sealed class StoreConcurrencyException : Exception
{
    /// <summary>Creates the exception for an item.</summary>
    /// <param name="kind">The item's kind (for state documents) or container.</param>
    /// <param name="key">The item's key.</param>
    /// <param name="message">What was expected and what was found.</param>
    public StoreConcurrencyException(string kind, string key, string message)
        : base(message)
    {
        Kind = kind;
        Key = key;
    }

    /// <summary>The kind of the item whose write lost.</summary>
    public string Kind { get; }

    /// <summary>The key of the item whose write lost.</summary>
    public string Key { get; }
}
