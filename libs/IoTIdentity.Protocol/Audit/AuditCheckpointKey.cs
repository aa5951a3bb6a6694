namespace IoTIdentity.Protocol.Audit;

/// <summary>The public half of the key that signs audit checkpoints (<c>GET /api/v1/audit/checkpoint-key</c>).</summary>
/// <param name="KeyId">The id checkpoints name.</param>
/// <param name="PublicKeyPem">The EC P-256 public key, SubjectPublicKeyInfo in PEM.</param>
/// <param name="Sha256">Hex SHA-256 of the DER SubjectPublicKeyInfo: compare it with the one the operator publishes.</param>
public sealed record AuditCheckpointKey(string KeyId, string PublicKeyPem, string Sha256);
