namespace IoTIdentity.Provisioning.Storage.Tests.Contract;

public abstract partial class ProvisioningStoreContract
{
    [Fact]
    public async Task An_unclaimed_value_has_no_owner()
    {
        var store = await StoreAsync();

        Assert.Null(await store.GetClaimOwnerAsync(Unique("ek"), "fingerprint"));
    }

    [Fact]
    public async Task A_claim_is_granted_and_regranted_to_its_owner()
    {
        var store = await StoreAsync();
        var scope = Unique("ek");

        Assert.True(await store.TryClaimAsync(scope, "fingerprint", "device-1"));
        Assert.True(await store.TryClaimAsync(scope, "fingerprint", "device-1"));
        Assert.Equal("device-1", await store.GetClaimOwnerAsync(scope, "fingerprint"));
    }

    [Fact]
    public async Task A_claim_owned_by_another_owner_is_refused()
    {
        var store = await StoreAsync();
        var scope = Unique("ek");
        await store.TryClaimAsync(scope, "fingerprint", "device-1");

        Assert.False(await store.TryClaimAsync(scope, "fingerprint", "device-2"));
        Assert.Equal("device-1", await store.GetClaimOwnerAsync(scope, "fingerprint"));
    }

    [Fact]
    public async Task Releasing_someone_elses_claim_changes_nothing()
    {
        var store = await StoreAsync();
        var scope = Unique("ek");
        await store.TryClaimAsync(scope, "fingerprint", "device-1");

        Assert.False(await store.ReleaseClaimAsync(scope, "fingerprint", "device-2"));
        Assert.Equal("device-1", await store.GetClaimOwnerAsync(scope, "fingerprint"));
    }

    [Fact]
    public async Task A_released_claim_can_be_taken_by_another_owner()
    {
        var store = await StoreAsync();
        var scope = Unique("ek");
        await store.TryClaimAsync(scope, "fingerprint", "device-1");

        Assert.True(await store.ReleaseClaimAsync(scope, "fingerprint", "device-1"));
        Assert.False(await store.ReleaseClaimAsync(scope, "fingerprint", "device-1"));
        Assert.True(await store.TryClaimAsync(scope, "fingerprint", "device-2"));
        Assert.Equal("device-2", await store.GetClaimOwnerAsync(scope, "fingerprint"));
    }

    [Fact]
    public async Task Claim_scopes_are_separate()
    {
        var store = await StoreAsync();
        var serials = Unique("serial");
        var eks = Unique("ek");

        Assert.True(await store.TryClaimAsync(serials, "0a1b", "device-1"));
        Assert.True(await store.TryClaimAsync(eks, "0a1b", "device-2"));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_value_have_exactly_one_winner()
    {
        var store = await StoreAsync();
        var scope = Unique("serial");

        var granted = await RaceAsync(20, i => store.TryClaimAsync(scope, "4f2e", $"device-{i}"));

        var winner = Assert.Single(Enumerable.Range(0, 20), i => granted[i]);
        Assert.Equal($"device-{winner}", await store.GetClaimOwnerAsync(scope, "4f2e"));
    }
}
