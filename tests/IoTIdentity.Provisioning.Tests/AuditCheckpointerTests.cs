using System.Security.Cryptography;
using IoTIdentity.Protocol.Audit;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Audit;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The service checkpoints every tenant's audit log on its own, on the configured interval, with the configured key;
/// a log that did not move gets no new checkpoint.
/// </summary>
public sealed class AuditCheckpointerTests : IAsyncLifetime
{
    private readonly ServiceFixture _service = ServiceFixture.With(new Dictionary<string, string?>
    {
        ["Provisioning:AuditSigning:CheckpointInterval"] = "00:00:00.200",
    });

    public Task InitializeAsync() => _service.InitializeAsync();

    public Task DisposeAsync() => _service.DisposeAsync();

    private async Task<AuditCheckpointRecord> WaitForCheckpointAsync(string tenantId, long size)
    {
        var grain = _service.Grains.GetGrain<IAuditCheckpointGrain>(tenantId);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await grain.GetAtAsync(DateTimeOffset.MaxValue) is { } checkpoint && checkpoint.Size >= size) return checkpoint;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no checkpoint of {tenantId} with {size} entries appeared");
    }

    [Fact]
    public async Task Every_tenants_log_is_checkpointed_without_being_asked_and_the_signature_verifies_with_the_published_key()
    {
        var tenant = await _service.CreateTenantAsync($"ckpt-{Guid.NewGuid():N}"[..16], []);
        var entry = await _service.Store.AppendAuditAsync(tenant.TenantId, new AuditEvent { Action = "revoke", Subject = "d", Outcome = "allowed", Actor = "api", At = DateTimeOffset.UtcNow });

        var checkpoint = await WaitForCheckpointAsync(tenant.TenantId, entry.Sequence);

        Assert.Equal(entry.Hash, checkpoint.HeadHash);
        var published = _service.App.Services.GetRequiredService<AuditCheckpointSigner>().PublicKey;
        using var key = ECDsa.Create();
        key.ImportFromPem(published.PublicKeyPem);
        Assert.True(AuditCheckpoints.HasValidSignature(
            new AuditCheckpoint(checkpoint.TenantId, checkpoint.Size, checkpoint.HeadHash, checkpoint.At, checkpoint.KeyId, checkpoint.Signature), key));
        await Task.Delay(600);
        Assert.Equal(checkpoint, await _service.Grains.GetGrain<IAuditCheckpointGrain>(tenant.TenantId).GetAtAsync(DateTimeOffset.MaxValue));
    }
}
