namespace IoTIdentity.Protocol.Audit;

/// <summary>What <see cref="OfflineAuditVerifier"/> found wrong with an export, in the order it checks.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<AuditTampering>))]
public enum AuditTampering
{
    /// <summary>The export agrees with the checkpoint.</summary>
    None,

    /// <summary>The checkpoint's signature does not verify with the checkpoint key: it proves nothing.</summary>
    BadSignature,

    /// <summary>The checkpoint was signed by another key id than the key given.</summary>
    UnknownKey,

    /// <summary>An entry belongs to another tenant than the checkpoint.</summary>
    WrongTenant,

    /// <summary>An entry appears out of sequence order (it or an earlier one was moved).</summary>
    Reordered,

    /// <summary>A sequence number is missing from the export: an entry was dropped.</summary>
    Dropped,

    /// <summary>An entry does not link to the hash of the entry before it.</summary>
    LinkBroken,

    /// <summary>An entry's contents do not hash to the hash it carries: it was altered.</summary>
    EntryAltered,

    /// <summary>The export ends before the checkpoint's size: its tail was cut off.</summary>
    Truncated,

    /// <summary>The entry at the checkpoint's size does not hash to the checkpoint's head although the chain up to it
    /// links: entries up to there were rewritten and re-hashed (a rewritten suffix, or a dropped or reordered entry
    /// renumbered to hide it).</summary>
    HeadMismatch,
}
