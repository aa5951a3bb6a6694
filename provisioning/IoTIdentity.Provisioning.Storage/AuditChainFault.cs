namespace IoTIdentity.Provisioning.Storage;

/// <summary>Why an audit chain does not verify, in the order <see cref="AuditChain"/> checks each entry.</summary>
public enum AuditChainFault
{
    /// <summary>The chain verified.</summary>
    None,

    /// <summary>An entry names another tenant than the log it was read from.</summary>
    WrongTenant,

    /// <summary>An entry's sequence number is not the previous one plus one (missing, repeated or out of order).</summary>
    SequenceGap,

    /// <summary>An entry's previous hash is not the hash of the entry before it (or the genesis hash for entry 1).</summary>
    PreviousHashMismatch,

    /// <summary>An entry's stored hash is not the hash of its contents: the entry was altered after it was appended.</summary>
    HashMismatch,
}
