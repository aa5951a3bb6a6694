namespace IoTIdentity.Protocol.Audit;

/// <summary>
/// A signed statement that a tenant's audit log had <see cref="Size"/> entries and its newest one hashed to
/// <see cref="HeadHash"/> at <see cref="At"/> (<c>GET /api/v1/audit/checkpoint</c>). The key that signs it is not in the
/// service's store, so whoever can rewrite the store cannot make a checkpoint for the rewritten log: an export is
/// checked against a checkpoint with <see cref="OfflineAuditVerifier"/>.
/// </summary>
/// <param name="TenantId">Whose log.</param>
/// <param name="Size">How many entries the log had (0: empty, then <see cref="HeadHash"/> is the genesis hash).</param>
/// <param name="HeadHash">The hash of entry <see cref="Size"/>, 64 lowercase hex digits.</param>
/// <param name="At">When the service read that head.</param>
/// <param name="KeyId">Which checkpoint key signed it.</param>
/// <param name="Signature">ECDSA P-256 with SHA-256 over <see cref="AuditCheckpoints.SignedBytes"/>, DER, base64.</param>
public sealed record AuditCheckpoint(string TenantId, long Size, string HeadHash, DateTimeOffset At, string KeyId, string Signature);
