using System.Security.Cryptography;
using IoTIdentity.Protocol.Audit;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Audit;

/// <summary>
/// Holds the checkpoint key (EC P-256) the host loaded from configuration — outside the store, so whoever can write
/// the store cannot sign a checkpoint for a log they rewrote — and signs checkpoints with it.
/// </summary>
public sealed class AuditCheckpointSigner(string keyId, ECDsa key) : IDisposable
{
    /// <summary>The public half, as published.</summary>
    public AuditCheckpointKey PublicKey { get; } = AuditCheckpoints.Describe(keyId, key);

    /// <summary>Signs that <paramref name="tenantId"/>'s log had <paramref name="size"/> entries ending in <paramref name="headHash"/> at <paramref name="at"/>.</summary>
    public AuditCheckpointRecord Sign(string tenantId, long size, string headHash, DateTimeOffset at)
    {
        var c = AuditCheckpoints.Sign(key, keyId, tenantId, size, headHash, at);
        return new AuditCheckpointRecord(c.TenantId, c.Size, c.HeadHash, c.At, c.KeyId, c.Signature);
    }

    /// <inheritdoc/>
    public void Dispose() => key.Dispose();
}
