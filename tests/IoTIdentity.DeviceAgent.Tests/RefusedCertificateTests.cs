using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The daemon against a service that refuses every device certificate at CONNECT (as a broker whose trust store lacks
/// the tenant's CA would): each refusal makes it replace its identity — it could receive neither renewals nor commands —
/// at once the first time, and with a growing delay while the new certificates are refused too, never in a tight loop.
/// </summary>
public sealed partial class RefusedCertificateTests(RefusedCertificateTests.RefusingService service) : IClassFixture<RefusedCertificateTests.RefusingService>
{
    /// <summary>The service with a certificate verifier that refuses every certificate.</summary>
    public sealed class RefusingService : IAsyncLifetime
    {
        public ServiceFixture Fixture { get; } = ServiceFixture.With(new Dictionary<string, string?>(),
            services => services.Replace(ServiceDescriptor.Singleton<IDeviceCertificateVerifier>(new RefuseAll())));

        public Task InitializeAsync() => Fixture.InitializeAsync();

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    private sealed class RefuseAll : IDeviceCertificateVerifier
    {
        public ValueTask<DeviceCertificateVerdict> VerifyAsync(X509Certificate2 certificate, CancellationToken cancellationToken) =>
            ValueTask.FromResult(DeviceCertificateVerdict.Refused("this test's service trusts no certificate"));
    }

    [Fact]
    public async Task A_daemon_whose_every_certificate_is_refused_replaces_it_at_once_then_with_a_growing_delay()
    {
        await using var device = await AgentHarness.StartAsync(service.Fixture, TimeSpan.FromMinutes(10));
        var log = new ListLogger<AgentDaemon>();
        var daemon = new AgentDaemon(device.NewAgent(), new CommandVerifier(), log);
        await daemon.StartAsync(CancellationToken.None);
        List<TimeSpan> delays;
        try
        {
            await AgentHarness.EventuallyAsync(() => Task.FromResult(Replacements(log).Count >= 4), TimeSpan.FromMinutes(2),
                () => $"four replacements; the daemon logged:\n{string.Join("\n", log.Lines)}");
        }
        finally
        {
            await daemon.StopAsync(CancellationToken.None);
        }
        delays = Replacements(log);

        // the first refusal is acted on at once; the ones after a replacement wait (backoff: RetryInitial 300 ms, max 2 s)
        Assert.Equal(TimeSpan.Zero, delays[0]);
        Assert.All(delays.Skip(1), d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), device.Options.RetryMax));
        Assert.True(delays[3] >= delays[1], string.Join(", ", delays));
        // replacements enrolled the device again (new certificates; one may instead meet the per-device rate limit and be
        // retried, so not every logged replacement is a certificate yet)
        var view = await device.ServiceViewAsync();
        Assert.NotNull(view);
        Assert.True(view.PastSerials.Count >= 2, $"{view.PastSerials.Count} past serials");
        Assert.Equal(device.Store.Load()!.Metadata.SerialNumber, view.CertificateSerial);
    }

    private static List<TimeSpan> Replacements(ListLogger<AgentDaemon> log) =>
        log.Lines.Select(l => ReplacingIn().Match(l)).Where(m => m.Success)
            .Select(m => TimeSpan.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"opens no authenticated session.*; replacing it in (\S+)$")]
    private static partial Regex ReplacingIn();
}
