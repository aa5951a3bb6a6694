using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A service's <c>/metrics</c> counts that service's work alone, and keeps counting when another service in the same
/// process stops (tests run many services in one process). Each host's meters come from its own
/// <c>IMeterFactory</c>, and its exporter listens to those only: listening by meter name instead counted every host's
/// measurements in every host, and one host disposing its meters stopped the metric in all of them
/// (open-telemetry/opentelemetry-dotnet#6412).
/// </summary>
public sealed class MetricsIsolationTests
{
    private const string Requests = "iotid_requests_total";
    private const string EndpointRequests = "iotid_mqtt_requests_total";
    private const string Commits = "iotid_sqlite_commits_total";
    private const string Register = "op=\"register\"";

    [Fact(Timeout = 180_000)]
    public async Task Each_service_exports_only_its_own_measurements_and_keeps_them_after_another_service_in_the_process_stops()
    {
        var a = new ServiceFixture();
        var b = new ServiceFixture();
        var bStopped = false;
        await Task.WhenAll(a.InitializeAsync(), b.InitializeAsync());
        try
        {
            await RefusedRegistersAsync(a, 3);
            await RefusedRegistersAsync(b, 1);

            await ExpectAsync(a, Requests, 3);
            await ExpectAsync(a, EndpointRequests, 3);
            await ExpectAsync(b, Requests, 1);
            await ExpectAsync(b, EndpointRequests, 1);
            var commitsOfA = await MetricsScrape.SumAsync(a.BaseAddress, Commits);
            Assert.True(commitsOfA > 0, "the store's commits are exported");

            await b.DisposeAsync();
            bStopped = true;
            await RefusedRegistersAsync(a, 2);

            await ExpectAsync(a, Requests, 5);
            await ExpectAsync(a, EndpointRequests, 5);
            // the refusals' audit may be written a little later (refusal windows), so the commits are read until they grow
            Assert.True(await ReadUntilAsync(() => MetricsScrape.ReadAsync(a.BaseAddress, Commits), n => n > commitsOfA) > commitsOfA,
                "the store's commits are still counted after the other service stopped");
        }
        finally
        {
            await a.DisposeAsync();
            if (!bStopped) await b.DisposeAsync();
        }
    }

    /// <summary><paramref name="count"/> unknown devices each send a register that is not JSON; each is refused and audited.</summary>
    private static async Task RefusedRegistersAsync(ServiceFixture service, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var client = await service.ConnectAsync(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            await Refusals.ExpectAsync(ProvisioningError.MalformedRequest, () => client.RequestRawAsync(Topics.Operations.Register, "not json"u8.ToArray()));
        }
    }

    /// <summary>Scrapes until <paramref name="metric"/>'s register series read <paramref name="expected"/> (the exporter caches a scrape briefly); fails with the last value.</summary>
    private static async Task ExpectAsync(ServiceFixture service, string metric, double expected) =>
        Assert.Equal(expected, await ReadUntilAsync(() => MetricsScrape.ReadAsync(service.BaseAddress, metric, Register), n => n == expected));

    /// <summary>Scrapes (every 0.5 s, for up to 10 s) until <paramref name="done"/> holds; returns the last value read.</summary>
    private static async Task<double> ReadUntilAsync(Func<Task<double>> read, Func<double, bool> done)
    {
        var value = await read();
        for (var attempt = 1; attempt < 20 && !done(value); attempt++)
        {
            await Task.Delay(500);
            value = await read();
        }
        return value;
    }
}
