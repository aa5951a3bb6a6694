namespace IoTIdentity.Provisioning.Storage.Tests.Contract;

public abstract partial class ProvisioningStoreContract
{
    [Fact]
    public async Task A_device_reads_back_as_upserted_and_an_upsert_replaces_it()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var device = Device(tenant, "device-1") with
        {
            CertificateNotAfter = new DateTimeOffset(2027, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1234567),
            GroupId = "line-3", Tags = ["floor=2", "site:berlin"], Connected = true, Links = ["device-0", "device-2"],
            LastSeenAt = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.FromHours(1)).AddTicks(7),
        };

        await store.UpsertDeviceAsync(device);
        Assert.Equal(device, await store.GetDeviceAsync(tenant, "device-1"));

        var revoked = device with
        {
            State = "Revoked", Firmware = null, CertificateSerial = null, CertificateNotAfter = null, Compliant = false,
            UpdatedAt = device.UpdatedAt.AddMinutes(5), GroupId = null, Tags = [], LastSeenAt = null, Connected = false, Links = [],
        };
        await store.UpsertDeviceAsync(revoked);
        Assert.Equal(revoked, await store.GetDeviceAsync(tenant, "device-1"));
    }

    [Fact]
    public async Task A_removed_device_is_gone()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        await store.UpsertDeviceAsync(Device(tenant, "device-1"));

        Assert.True(await store.RemoveDeviceAsync(tenant, "device-1"));
        Assert.False(await store.RemoveDeviceAsync(tenant, "device-1"));
        Assert.Null(await store.GetDeviceAsync(tenant, "device-1"));
        Assert.Empty((await store.ListDevicesAsync(tenant, new DeviceQuery())).Items);
    }

    [Fact]
    public async Task Devices_page_in_stable_order_and_every_device_appears_once()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var ids = Enumerable.Range(0, 103).Select(i => $"device-{i:x3}").Append("Device-Z").Append("a").ToList();
        foreach (var id in ids.OrderBy(_ => Random.Shared.Next()))
        {
            await store.UpsertDeviceAsync(Device(tenant, id));
        }

        var seen = await ListAllAsync(store, tenant, new DeviceQuery { PageSize = 10 });

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task The_last_full_page_carries_no_continuation_token()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        for (var i = 0; i < 6; i++)
        {
            await store.UpsertDeviceAsync(Device(tenant, $"device-{i}"));
        }

        var first = await store.ListDevicesAsync(tenant, new DeviceQuery { PageSize = 3 });
        var second = await store.ListDevicesAsync(tenant, new DeviceQuery { PageSize = 3, ContinuationToken = first.ContinuationToken });

        Assert.NotNull(first.ContinuationToken);
        Assert.Equal(3, second.Items.Count);
        Assert.Null(second.ContinuationToken);
    }

    [Fact]
    public async Task Changes_during_a_walk_do_not_disturb_the_devices_that_stay()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var ids = Enumerable.Range(0, 30).Select(i => $"device-{i:d2}").ToList();
        foreach (var id in ids)
        {
            await store.UpsertDeviceAsync(Device(tenant, id));
        }

        var first = await store.ListDevicesAsync(tenant, new DeviceQuery { PageSize = 10 });
        await store.RemoveDeviceAsync(tenant, "device-05");
        await store.RemoveDeviceAsync(tenant, "device-20");
        await store.UpsertDeviceAsync(Device(tenant, "device-00a"));
        await store.UpsertDeviceAsync(Device(tenant, "device-25a"));
        var rest = await ListAllAsync(store, tenant, new DeviceQuery { PageSize = 10, ContinuationToken = first.ContinuationToken });

        var seen = first.Items.Select(d => d.DeviceId).Concat(rest).ToList();
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Superset(ids.Except(["device-20"]).ToHashSet(), seen.ToHashSet());
        Assert.DoesNotContain("device-20", seen);
        Assert.Contains("device-25a", seen);
    }

    [Fact]
    public async Task Paging_filters_by_state_and_compliance()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        string[] states = ["Active", "Revoked", "Disabled", "active"];
        var all = Enumerable.Range(0, 40)
            .Select(i => Device(tenant, $"device-{i:d2}", states[i % states.Length], compliant: i % 3 != 0))
            .ToList();
        foreach (var device in all)
        {
            await store.UpsertDeviceAsync(device);
        }

        string[] Expected(Func<DeviceRecord, bool> filter) => all.Where(filter).Select(d => d.DeviceId).ToArray();

        Assert.Equal(Expected(d => d.State == "Active"),
            await ListAllAsync(store, tenant, new DeviceQuery { State = "Active", PageSize = 3 }));
        Assert.Equal(Expected(d => !d.Compliant),
            await ListAllAsync(store, tenant, new DeviceQuery { Compliant = false, PageSize = 4 }));
        Assert.Equal(Expected(d => d.State == "Active" && d.Compliant),
            await ListAllAsync(store, tenant, new DeviceQuery { State = "Active", Compliant = true, PageSize = 2 }));
        Assert.Empty(await ListAllAsync(store, tenant, new DeviceQuery { State = "Transferring" }));
    }

    [Fact]
    public async Task Paging_filters_by_group_tag_and_id_prefix_alone_and_together()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var other = Unique("tenant");
        string?[] groups = ["line-1", "line-2", null];
        string[][] tags = [[], ["site:berlin"], ["floor=2", "site:berlin"], ["site:berlin2"], ["floor=2"]];
        var all = Enumerable.Range(0, 45)
            .Select(i => Device(tenant, $"{(i % 2 == 0 ? "ab" : "ac")}{i:d2}") with { GroupId = groups[i % 3], Tags = tags[i % 5] })
            .ToList();
        foreach (var device in all)
        {
            await store.UpsertDeviceAsync(device);
            await store.UpsertDeviceAsync(device with { TenantId = other, GroupId = "line-1", Tags = ["site:berlin"] });
        }

        string[] Expected(Func<DeviceRecord, bool> filter) => all.Where(filter).Select(d => d.DeviceId).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Expected(d => d.GroupId == "line-1"),
            await ListAllAsync(store, tenant, new DeviceQuery { GroupId = "line-1", PageSize = 4 }));
        Assert.Equal(Expected(d => d.Tags.Contains("site:berlin")),
            await ListAllAsync(store, tenant, new DeviceQuery { Tag = "site:berlin", PageSize = 3 }));
        Assert.Equal(Expected(d => d.DeviceId.StartsWith("ac", StringComparison.Ordinal)),
            await ListAllAsync(store, tenant, new DeviceQuery { DeviceIdPrefix = "ac", PageSize = 5 }));
        Assert.Equal(Expected(d => d.GroupId == "line-2" && d.Tags.Contains("floor=2") && d.DeviceId.StartsWith("ab", StringComparison.Ordinal)),
            await ListAllAsync(store, tenant, new DeviceQuery { GroupId = "line-2", Tag = "floor=2", DeviceIdPrefix = "ab", PageSize = 1 }));
        Assert.Empty(await ListAllAsync(store, tenant, new DeviceQuery { Tag = "site" }));
        Assert.Empty(await ListAllAsync(store, tenant, new DeviceQuery { GroupId = "line" }));
        Assert.Empty(await ListAllAsync(store, tenant, new DeviceQuery { DeviceIdPrefix = "abc" }));
    }

    [Fact]
    public async Task Tags_out_of_order_duplicated_or_too_long_are_refused()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        IReadOnlyList<string>[] bad =
        [
            ["b", "a"], ["a", "a"], [""], [new string('t', StoreLimits.MaxTagLength + 1)],
            Enumerable.Range(0, StoreLimits.MaxTags + 1).Select(i => $"t{i:d3}").ToArray(),
        ];

        foreach (var tags in bad)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertDeviceAsync(Device(tenant, "device-1") with { Tags = tags }));
        }

        Assert.Null(await store.GetDeviceAsync(tenant, "device-1"));
    }

    [Fact]
    public async Task Links_out_of_order_duplicated_too_many_or_not_ids_are_refused()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        IReadOnlyList<string>[] bad =
        [
            ["b", "a"], ["a", "a"], [""], [new string('d', 257)],
            Enumerable.Range(0, StoreLimits.MaxLinks + 1).Select(i => $"d{i:d3}").ToArray(),
        ];

        foreach (var links in bad)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertDeviceAsync(Device(tenant, "device-1") with { Links = links }));
        }

        Assert.Null(await store.GetDeviceAsync(tenant, "device-1"));
    }

    [Fact]
    public async Task A_garbage_continuation_token_is_refused()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        var other = Unique("tenant");
        for (var i = 0; i < 3; i++)
        {
            await store.UpsertDeviceAsync(Device(tenant, $"device-{i}"));
            await store.UpsertDeviceAsync(Device(other, $"device-{i}"));
        }

        var valid = (await store.ListDevicesAsync(tenant, new DeviceQuery { PageSize = 1 })).ContinuationToken!;
        var fromOtherTenant = (await store.ListDevicesAsync(other, new DeviceQuery { PageSize = 1 })).ContinuationToken!;
        string[] garbage =
        [
            "not a token!", "", "AAAA", Convert.ToBase64String(new byte[40]), valid[..^3], valid + "AAAA",
            fromOtherTenant, new string('A', 5000),
        ];

        foreach (var token in garbage)
        {
            var refused = await Assert.ThrowsAsync<InvalidContinuationTokenException>(
                () => store.ListDevicesAsync(tenant, new DeviceQuery { ContinuationToken = token }));
            Assert.IsAssignableFrom<ArgumentException>(refused);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(StoreLimits.MaxPageSize + 1)]
    public async Task A_page_size_outside_1_to_500_is_refused(int pageSize)
    {
        var store = await StoreAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => store.ListDevicesAsync(Unique("tenant"), new DeviceQuery { PageSize = pageSize }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(StoreLimits.MaxPageSize + 1)]
    public async Task Listing_devices_to_reindex_refuses_a_count_outside_1_to_500_and_a_bad_tenant(int maxCount)
    {
        var store = await StoreAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListDevicesToReindexAsync(Unique("tenant"), maxCount));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListDevicesToReindexAsync("", 10));
    }

    [Fact]
    public async Task A_device_this_build_writes_is_never_listed_for_reindexing()
    {
        var store = await StoreAsync();
        var tenant = Unique("tenant");
        await store.UpsertDeviceAsync(Device(tenant, "device-1"));
        await store.UpsertDeviceAsync(Device(tenant, "device-2") with { GroupId = "g", Tags = ["a"] });
        await store.UpsertDeviceAsync(Device(tenant, "device-1") with { State = "Revoked" });

        Assert.Empty(await store.ListDevicesToReindexAsync(tenant, StoreLimits.MaxPageSize));
        Assert.Empty(await store.ListDevicesToReindexAsync(Unique("tenant"), 1));
    }

    [Fact]
    public async Task Tenants_do_not_see_each_others_devices_or_audit()
    {
        var store = await StoreAsync();
        var a = Unique("tenant");
        var b = Unique("tenant");
        await store.UpsertDeviceAsync(Device(a, "shared-id"));
        await store.UpsertDeviceAsync(Device(a, "only-a"));
        await store.UpsertDeviceAsync(Device(b, "shared-id") with { State = "Revoked" });
        await store.AppendAuditAsync(a, Event("enrol", "only-a"));
        await store.AppendAuditAsync(a, Event("enrol", "shared-id"));

        Assert.Equal(["shared-id"], await ListAllAsync(store, b, new DeviceQuery()));
        Assert.Null(await store.GetDeviceAsync(b, "only-a"));
        Assert.Equal("Active", (await store.GetDeviceAsync(a, "shared-id"))!.State);
        Assert.True(await store.RemoveDeviceAsync(b, "shared-id"));
        Assert.NotNull(await store.GetDeviceAsync(a, "shared-id"));

        Assert.Empty(await store.ReadAuditAsync(b, 1, 100));
        var first = await store.AppendAuditAsync(b, Event("enrol", "shared-id"));
        Assert.Equal(1, first.Sequence);
        Assert.Equal(AuditChain.GenesisHash, first.PreviousHash);
        Assert.Equal(2, (await store.ReadAuditAsync(a, 1, 100)).Count);
    }

    private static async Task<List<string>> ListAllAsync(IProvisioningStore store, string tenant, DeviceQuery query)
    {
        var ids = new List<string>();
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 1000, "the walk does not end");
            var page = await store.ListDevicesAsync(tenant, query);
            Assert.True(page.Items.Count <= query.PageSize);
            Assert.All(page.Items, d => Assert.Equal(tenant, d.TenantId));
            ids.AddRange(page.Items.Select(d => d.DeviceId));
            if (page.ContinuationToken is null)
            {
                return ids;
            }

            Assert.NotEmpty(page.Items);
            query = query with { ContinuationToken = page.ContinuationToken };
        }
    }
}
