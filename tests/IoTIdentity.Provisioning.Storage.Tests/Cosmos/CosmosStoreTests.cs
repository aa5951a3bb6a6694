using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.TestKit;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>What the Cosmos backend does beyond the shared contract, against the real test server.</summary>
[Collection(CosmosServerCollection.Name)]
public sealed class CosmosStoreTests(CosmosServerFixture server)
{
    [Fact]
    public async Task Device_ids_with_characters_Cosmos_forbids_in_ids_round_trip_and_list_in_order()
    {
        using var store = await CosmosProvisioningStore.OpenAsync(server.Options());
        var tenant = $"tenant-{Guid.NewGuid():N}";
        string[] ids = ["a#1", "a%2F", "a/1", "a?1", "a\\1", "a~2F", "plain"];
        foreach (var id in ids)
        {
            await store.UpsertDeviceAsync(new DeviceRecord(tenant, id, "Active", null, null, null, true, DateTimeOffset.UnixEpoch));
        }

        foreach (var id in ids)
        {
            Assert.Equal(id, (await store.GetDeviceAsync(tenant, id))?.DeviceId);
        }

        var listed = await store.ListDevicesAsync(tenant, new DeviceQuery { PageSize = 4 });
        var rest = await store.ListDevicesAsync(tenant, new DeviceQuery { PageSize = 4, ContinuationToken = listed.ContinuationToken });
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Items.Concat(rest.Items).Select(d => d.DeviceId));
        Assert.Null(rest.ContinuationToken);
        Assert.True(await store.RemoveDeviceAsync(tenant, "a/1"));
        Assert.Null(await store.GetDeviceAsync(tenant, "a/1"));
        Assert.NotNull(await store.GetDeviceAsync(tenant, "a%2F"));
    }

    [Fact]
    public async Task Items_written_before_the_inventory_carried_groups_and_tags_are_listed_for_reindexing_until_upserted()
    {
        using var store = await CosmosProvisioningStore.OpenAsync(server.Options());
        var tenant = $"tenant-{Guid.NewGuid():N}";
        using (var client = CosmosProvisioningStoreTests.RawClient(server))
        {
            var devices = client.GetContainer(store.Database, "devices");
            foreach (var id in new[] { "d3", "d1", "d2" })
            {
                // the item as the build before groups, tags and presence wrote it
                var old = new Newtonsoft.Json.Linq.JObject
                {
                    ["id"] = id, ["pk"] = tenant, ["tenantId"] = tenant, ["deviceId"] = id, ["state"] = "Active", ["firmware"] = "1.0",
                    ["certificateSerial"] = null, ["certificateNotAfterTicks"] = null, ["compliant"] = true, ["updatedTicks"] = "0",
                };
                var created = await devices.CreateItemAsync(old, new PartitionKey(tenant));
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }
        }

        Assert.Equal(["d1", "d2", "d3"], await store.ListDevicesToReindexAsync(tenant, 10));
        Assert.Equal(["d1", "d2"], await store.ListDevicesToReindexAsync(tenant, 2));
        Assert.Empty((await store.ListDevicesAsync(tenant, new DeviceQuery { GroupId = "g" })).Items);

        var d2 = await store.GetDeviceAsync(tenant, "d2");
        Assert.Equal(new DeviceRecord(tenant, "d2", "Active", "1.0", null, null, true, new DateTimeOffset(0, TimeSpan.Zero)), d2);
        await store.UpsertDeviceAsync(d2! with { GroupId = "g", Tags = ["a"] });

        Assert.Equal(["d1", "d3"], await store.ListDevicesToReindexAsync(tenant, 10));
        Assert.Equal(["d2"], (await store.ListDevicesAsync(tenant, new DeviceQuery { GroupId = "g", Tag = "a" })).Items.Select(d => d.DeviceId));
    }

    [Fact]
    public async Task The_test_server_refuses_a_single_partition_query_without_the_cross_partition_header()
    {
        using var store = await CosmosProvisioningStore.OpenAsync(server.Options());
        var query = new QueryDefinition("SELECT * FROM c WHERE c.deviceId = 'x'");
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey("tenant"), EnableOptimisticDirectExecution = false };

        using (var bare = CosmosProvisioningStoreTests.RawClient(server, handlers: false))
        {
            using var iterator = bare.GetContainer(store.Database, "devices").GetItemQueryStreamIterator(query, null, options);
            using var refused = await iterator.ReadNextAsync();
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var client = CosmosProvisioningStoreTests.RawClient(server))
        {
            using var iterator = client.GetContainer(store.Database, "devices").GetItemQueryStreamIterator(query, null, options);
            using var answered = await iterator.ReadNextAsync();
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }
    }

    [Fact]
    public async Task A_self_signed_server_certificate_is_refused_unless_the_option_accepts_it()
    {
        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => CosmosProvisioningStore.OpenAsync(
            server.Options() with { AcceptAnyServerCertificate = false, RequestTimeout = TimeSpan.FromSeconds(5) }));

        Assert.Contains(server.Endpoint.ToString(), error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task An_account_nobody_listens_on_is_unavailable_and_names_the_endpoint()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var endpoint = new Uri($"https://127.0.0.1:{port}/");
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => CosmosProvisioningStore.OpenAsync(
            server.Options() with { Endpoint = endpoint, RequestTimeout = TimeSpan.FromSeconds(5) }));

        Assert.Contains(endpoint.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Appends_after_this_store_s_own_last_append_send_only_the_create()
    {
        var counter = new RequestCountingHandler();
        using var store = await CosmosProvisioningStore.OpenAsync(server.Options() with { Handlers = [counter] });
        var tenant = $"tenant-{Guid.NewGuid():N}";
        await store.AppendAuditAsync(tenant, Entry("device-0"));
        var sent = counter.Sent;

        for (var i = 1; i <= 10; i++)
            await store.AppendAuditAsync(tenant, Entry($"device-{i}"));

        // one create each; reading the head first would be a query each on top
        Assert.Equal(10, counter.Sent - sent);
        Assert.Equal(new AuditChainVerification(true, 11, null, AuditChainFault.None, null), await store.VerifyAuditChainAsync(tenant));
    }

    [Fact]
    public async Task Two_stores_appending_in_turn_and_racing_to_one_tenant_s_log_form_one_gapless_chain()
    {
        // two silos: each one's remembered head goes stale whenever the other appends
        using var first = await CosmosProvisioningStore.OpenAsync(server.Options());
        using var second = await CosmosProvisioningStore.OpenAsync(server.Options());
        var tenant = $"tenant-{Guid.NewGuid():N}";

        for (var i = 0; i < 6; i++)
            Assert.Equal(i + 1, (await (i % 2 == 0 ? first : second).AppendAuditAsync(tenant, Entry($"device-{i}"))).Sequence);
        var raced = await Task.WhenAll(Enumerable.Range(6, 20).Select(i => (i % 2 == 0 ? first : second).AppendAuditAsync(tenant, Entry($"device-{i}"))));

        Assert.Equal(Enumerable.Range(7, 20).Select(i => (long)i), raced.Select(e => e.Sequence).Order());
        Assert.Equal(new AuditChainVerification(true, 26, null, AuditChainFault.None, null), await first.VerifyAuditChainAsync(tenant));
    }

    private static AuditEvent Entry(string subject) =>
        new() { Action = "device.register", Subject = subject, Outcome = "ok", Actor = "device", At = DateTimeOffset.UnixEpoch };

    [Fact]
    public async Task Throttling_is_retried_after_the_servers_retry_after_and_the_write_lands()
    {
        var throttle = new FaultInjectingHandler(HttpStatusCode.TooManyRequests, count: 2, retryAfterMs: "50");
        using var store = await CosmosProvisioningStore.OpenAsync(server.Options() with { MaxAttempts = 3, Handlers = [throttle] });
        var kind = $"kind-{Guid.NewGuid():N}";
        throttle.Armed = true;

        var etag = await store.WriteAsync(kind, "k", "x"u8.ToArray(), null);

        Assert.Equal(2, throttle.Injected);
        Assert.Equal(etag, (await store.ReadAsync(kind, "k"))?.ETag);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_lasting_outage_becomes_unavailable_after_the_attempt_budget_naming_container_and_operation(HttpStatusCode status)
    {
        var outage = new FaultInjectingHandler(status, count: int.MaxValue, retryAfterMs: status == HttpStatusCode.TooManyRequests ? "10" : null);
        using var store = await CosmosProvisioningStore.OpenAsync(server.Options() with
        {
            MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(10), Handlers = [outage],
        });

        outage.Armed = true;
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetClaimOwnerAsync("scope", "value"));

        Assert.Equal(3, outage.Injected);
        Assert.Contains("container 'iotidentity-tests/claims'", error.Message, StringComparison.Ordinal);
        Assert.Contains("operation 'read a claim'", error.Message, StringComparison.Ordinal);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
