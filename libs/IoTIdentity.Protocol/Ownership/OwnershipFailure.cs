namespace IoTIdentity.Protocol.Ownership;

/// <summary>Why an ownership chain did not verify: one reason per check of <see cref="OwnershipChainVerifier"/>.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<OwnershipFailure>))]
public enum OwnershipFailure
{
    /// <summary>The document has no entries.</summary>
    Empty,
    /// <summary>An entry names another device than the document.</summary>
    WrongDevice,
    /// <summary>An entry's sequence is not its position (an entry was removed, inserted or reordered).</summary>
    SequenceGap,
    /// <summary>An entry's previous hash is not the hash of the entry before it (or the first entry has one).</summary>
    BrokenHashLink,
    /// <summary>An entry's owner is not the owner the previous entry handed the device to.</summary>
    OwnerMismatch,
    /// <summary>A transfer entry hands the device to the owner it already has (or a later entry lacks a next owner).</summary>
    InvalidNextOwner,
    /// <summary>An entry is signed by someone other than its owner (entries are signed by the previous owner).</summary>
    SignerNotOwner,
    /// <summary>No ownership key is known (trusted or embedded) for the entry's signer.</summary>
    UnknownSignerKey,
    /// <summary>The embedded key of the signer is not an EC P-256 public key in PEM.</summary>
    InvalidOwnerKey,
    /// <summary>The signature does not verify with the signer's key over the entry's signed bytes.</summary>
    BadSignature,
    /// <summary>An entry is dated before the entry it follows.</summary>
    TimeReversed,
}
