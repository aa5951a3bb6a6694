namespace IoTIdentity.Protocol.Ownership;

/// <summary>The bytes are not an ownership document (bad JSON, missing fields, undecodable binary fields).</summary>
public sealed class OwnershipFormatException : FormatException
{
    /// <summary>A format error with its reason.</summary>
    public OwnershipFormatException(string message) : base(message)
    {
    }

    /// <summary>A format error caused by <paramref name="inner"/>.</summary>
    public OwnershipFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
