namespace IoTIdentity.Provisioning.Storage.Tests.Contract;

public abstract partial class ProvisioningStoreContract
{
    [Fact]
    public async Task Reading_a_missing_key_returns_null()
    {
        var store = await StoreAsync();

        Assert.Null(await store.ReadAsync(Unique("kind"), "absent"));
    }

    [Fact]
    public async Task A_written_state_reads_back_with_the_etag_the_write_returned()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");

        var etag = await store.WriteAsync(kind, "device-1", Bytes("state v1"), null);
        var read = await store.ReadAsync(kind, "device-1");

        Assert.NotNull(read);
        Assert.Equal(Bytes("state v1"), read.Data);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task Empty_state_round_trips()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");

        await store.WriteAsync(kind, "k", ReadOnlyMemory<byte>.Empty, null);

        Assert.Empty((await store.ReadAsync(kind, "k"))!.Data);
    }

    [Fact]
    public async Task Each_write_returns_a_new_etag_that_the_next_write_must_present()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");

        var first = await store.WriteAsync(kind, "k", Bytes("v1"), null);
        var second = await store.WriteAsync(kind, "k", Bytes("v2"), first);
        var third = await store.WriteAsync(kind, "k", Bytes("v3"), second);

        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
        Assert.Equal(Bytes("v3"), (await store.ReadAsync(kind, "k"))!.Data);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_is_a_concurrency_conflict()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        var stale = await store.WriteAsync(kind, "k", Bytes("v1"), null);
        var current = await store.WriteAsync(kind, "k", Bytes("v2"), stale);

        var conflict = await Assert.ThrowsAsync<StoreConcurrencyException>(
            () => store.WriteAsync(kind, "k", Bytes("lost update"), stale));

        Assert.Equal(kind, conflict.Kind);
        Assert.Equal("k", conflict.Key);
        var read = await store.ReadAsync(kind, "k");
        Assert.Equal(Bytes("v2"), read!.Data);
        Assert.Equal(current, read.ETag);
    }

    [Fact]
    public async Task Create_of_an_existing_key_is_a_concurrency_conflict()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        await store.WriteAsync(kind, "k", Bytes("first"), null);

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.WriteAsync(kind, "k", Bytes("second"), null));

        Assert.Equal(Bytes("first"), (await store.ReadAsync(kind, "k"))!.Data);
    }

    [Fact]
    public async Task Replacing_a_missing_key_is_a_concurrency_conflict()
    {
        var store = await StoreAsync();

        await Assert.ThrowsAsync<StoreConcurrencyException>(
            () => store.WriteAsync(Unique("kind"), "k", Bytes("v"), "some-etag"));
    }

    [Fact]
    public async Task Kinds_are_separate_namespaces()
    {
        var store = await StoreAsync();
        var a = Unique("kind-a");
        var b = Unique("kind-b");

        await store.WriteAsync(a, "same-key", Bytes("a"), null);
        await store.WriteAsync(b, "same-key", Bytes("b"), null);

        Assert.Equal(Bytes("a"), (await store.ReadAsync(a, "same-key"))!.Data);
        Assert.Equal(Bytes("b"), (await store.ReadAsync(b, "same-key"))!.Data);
    }

    [Fact]
    public async Task Delete_with_the_current_etag_removes_the_state()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        var etag = await store.WriteAsync(kind, "k", Bytes("v"), null);

        await store.DeleteAsync(kind, "k", etag);

        Assert.Null(await store.ReadAsync(kind, "k"));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_is_a_concurrency_conflict()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        var stale = await store.WriteAsync(kind, "k", Bytes("v1"), null);
        await store.WriteAsync(kind, "k", Bytes("v2"), stale);

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.DeleteAsync(kind, "k", stale));

        Assert.NotNull(await store.ReadAsync(kind, "k"));
    }

    [Fact]
    public async Task Delete_without_etag_is_a_no_op_when_absent_and_a_conflict_when_present()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");

        await store.DeleteAsync(kind, "k", null);
        await store.WriteAsync(kind, "k", Bytes("v"), null);

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.DeleteAsync(kind, "k", null));
        Assert.NotNull(await store.ReadAsync(kind, "k"));
    }

    [Fact]
    public async Task An_etag_from_before_a_delete_does_not_match_the_recreated_state()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        var old = await store.WriteAsync(kind, "k", Bytes("v1"), null);
        await store.DeleteAsync(kind, "k", old);
        await store.WriteAsync(kind, "k", Bytes("recreated"), null);

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.WriteAsync(kind, "k", Bytes("v2"), old));
    }

    [Fact]
    public async Task Concurrent_writes_with_one_etag_have_exactly_one_winner()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        var etag = await store.WriteAsync(kind, "k", Bytes("v0"), null);

        var outcomes = await RaceCatchingAsync(20, i => store.WriteAsync(kind, "k", Bytes($"writer {i}"), etag));

        var winners = outcomes.Where(o => o.Error is null).ToArray();
        Assert.Single(winners);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<StoreConcurrencyException>(o.Error));
        Assert.Equal(winners[0].Result, (await store.ReadAsync(kind, "k"))!.ETag);
    }

    [Fact]
    public async Task Oversized_state_is_refused()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");

        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => store.WriteAsync(kind, "k", new byte[StoreLimits.MaxStateBytes + 1], null));
        Assert.Null(await store.ReadAsync(kind, "k"));
    }

    [Fact]
    public async Task State_of_exactly_the_maximum_size_round_trips()
    {
        var store = await StoreAsync();
        var kind = Unique("kind");
        var data = new byte[StoreLimits.MaxStateBytes];
        new Random(42).NextBytes(data);

        await store.WriteAsync(kind, "k", data, null);

        Assert.Equal(data, (await store.ReadAsync(kind, "k"))!.Data);
    }
}
