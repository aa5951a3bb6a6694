namespace IoTIdentity.Provisioning.Storage;

/// <summary>One link of a tenant's audit chain.</summary>
/// <param name="TenantId">The tenant whose log it is.</param>
/// <param name="Sequence">The position in the log: 1 for the first entry, then gapless.</param>
/// <param name="Event">The event, in canonical form (<see cref="AuditChain.Normalize"/>).</param>
/// <param name="PreviousHash">The previous entry's <see cref="Hash"/>, or <see cref="AuditChain.GenesisHash"/>
/// for entry 1; 64 lowercase hex digits.</param>
/// <param name="Hash">SHA-256 over the entry's canonical encoding (<see cref="AuditChain.ComputeHash"/>);
/// 64 lowercase hex digits.</param>
public sealed record AuditEntry(string TenantId, long Sequence, AuditEvent Event, string PreviousHash, string Hash);
