namespace IoTIdentity.Provisioning.Storage;

/// <summary>A state document as read from the store.</summary>
/// <param name="Data">The document's bytes, exactly as written.</param>
/// <param name="ETag">An opaque version tag; pass it to the next write or delete of the document.</param>
public sealed record StoredState(byte[] Data, string ETag);
