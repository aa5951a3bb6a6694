namespace IoTIdentity.Provisioning.Storage.Tests.Contract;

/// <summary>
/// A device change (<see cref="IProvisioningStore.WriteDeviceChangeAsync"/>): what its single writes would write, in
/// their order; a claim another owner holds writes nothing; a lost ETag race writes no audit entry and no inventory row.
/// </summary>
public abstract partial class ProvisioningStoreContract
{
    private sealed record ChangeNames(string Kind, string Key, string Tenant, string Scope);

    private static ChangeNames NewChange() => new(Unique("device.device"), Unique("d"), Unique("t"), Unique("serial"));

    private static DeviceChange Change(ChangeNames names, string data, string? etag, string? serial = null, int n = 0) =>
        new(names.Kind, names.Key, Bytes(data), etag)
        {
            Claim = serial is null ? null : new StoreClaim(names.Scope, serial, names.Key),
            Audit = (names.Tenant, Event("attest", names.Key, n)),
            Inventory = Device(names.Tenant, names.Key) with { CertificateSerial = serial },
        };

    [Fact]
    public async Task A_device_change_writes_its_claim_state_audit_entry_and_inventory_row()
    {
        var store = await StoreAsync();
        var names = NewChange();

        var first = await store.WriteDeviceChangeAsync(Change(names, "first", null, "serial-1"));
        var second = await store.WriteDeviceChangeAsync(Change(names, "second", first.ETag, "serial-2", n: 1));

        Assert.True(first.Claimed);
        Assert.True(second.Claimed);
        var stored = await store.ReadAsync(names.Kind, names.Key);
        Assert.Equal(Bytes("second"), stored!.Data);
        Assert.Equal(second.ETag, stored.ETag);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(names.Key, await store.GetClaimOwnerAsync(names.Scope, "serial-1"));
        Assert.Equal(names.Key, await store.GetClaimOwnerAsync(names.Scope, "serial-2"));
        Assert.Equal("serial-2", (await store.GetDeviceAsync(names.Tenant, names.Key))!.CertificateSerial);
        var log = await store.ReadAuditAsync(names.Tenant, 1, 10);
        Assert.Equal([first.Audit!.Sequence, second.Audit!.Sequence], log.Select(e => e.Sequence));
        Assert.Equal(log.Select(e => e.Hash), new[] { first.Audit, second.Audit }.Select(e => e!.Hash));
        Assert.True((await store.VerifyAuditChainAsync(names.Tenant)).IsValid);
    }

    [Fact]
    public async Task A_device_change_without_claim_audit_or_inventory_writes_only_the_state()
    {
        var store = await StoreAsync();
        var names = NewChange();

        var written = await store.WriteDeviceChangeAsync(new DeviceChange(names.Kind, names.Key, Bytes("only"), null));

        Assert.True(written.Claimed);
        Assert.Null(written.Audit);
        Assert.Equal(written.ETag, (await store.ReadAsync(names.Kind, names.Key))!.ETag);
        Assert.Null(await store.GetDeviceAsync(names.Tenant, names.Key));
        Assert.Empty(await store.ReadAuditAsync(names.Tenant, 1, 10));
    }

    [Fact]
    public async Task A_device_change_whose_serial_another_device_holds_writes_nothing()
    {
        var store = await StoreAsync();
        var names = NewChange();
        var before = await store.WriteDeviceChangeAsync(Change(names, "before", null));
        Assert.True(await store.TryClaimAsync(names.Scope, "taken", "another-device"));

        var written = await store.WriteDeviceChangeAsync(Change(names, "after", before.ETag, "taken", n: 1));

        Assert.Same(DeviceChangeWritten.ClaimTaken, written);
        Assert.Equal("another-device", await store.GetClaimOwnerAsync(names.Scope, "taken"));
        Assert.Equal(before.ETag, (await store.ReadAsync(names.Kind, names.Key))!.ETag);
        Assert.Null((await store.GetDeviceAsync(names.Tenant, names.Key))!.CertificateSerial);
        Assert.Single(await store.ReadAuditAsync(names.Tenant, 1, 10));
    }

    [Theory]
    [InlineData(null)]          // a create of a document that exists
    [InlineData("stale")]       // a replace with an ETag it no longer carries
    public async Task A_device_change_that_lost_its_ETag_race_writes_no_state_audit_entry_or_inventory_row(string? etag)
    {
        var store = await StoreAsync();
        var names = NewChange();
        var before = await store.WriteDeviceChangeAsync(Change(names, "before", null));

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.WriteDeviceChangeAsync(Change(names, "after", etag, "serial-1", n: 1)));

        var stored = await store.ReadAsync(names.Kind, names.Key);
        Assert.Equal(before.ETag, stored!.ETag);
        Assert.Equal(Bytes("before"), stored.Data);
        Assert.Null((await store.GetDeviceAsync(names.Tenant, names.Key))!.CertificateSerial);
        Assert.Single(await store.ReadAuditAsync(names.Tenant, 1, 10));
    }

    [Fact]
    public async Task A_device_change_with_oversized_state_is_refused_and_writes_nothing()
    {
        var store = await StoreAsync();
        var names = NewChange();
        var change = Change(names, "", null, "serial-1") with { Data = new byte[StoreLimits.MaxStateBytes + 1] };

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.WriteDeviceChangeAsync(change));

        Assert.Null(await store.ReadAsync(names.Kind, names.Key));
        Assert.Null(await store.GetDeviceAsync(names.Tenant, names.Key));
        Assert.Empty(await store.ReadAuditAsync(names.Tenant, 1, 10));
    }
}
