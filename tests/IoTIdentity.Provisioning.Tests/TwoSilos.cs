using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Two silos in one cluster, each with its embedded broker: the first a <see cref="ServiceFixture"/> of its own, the
/// second joining it (localhost clustering; one SQLite file and one dev KEK, so each opens the other's grain state).
/// </summary>
public sealed class TwoSilos : IAsyncLifetime
{
    /// <summary>The silo that formed the cluster.</summary>
    public ServiceFixture First { get; } = new();

    /// <summary>The silo that joined it; valid once initialized.</summary>
    public ServiceFixture Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        var primaryPort = First.App.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.Endpoint.Port;
        Second = ServiceFixture.With(new Dictionary<string, string?> { ["Provisioning:DataDirectory"] = First.DataDirectory },
            services => services.Configure<DevelopmentClusterMembershipOptions>(o => o.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, primaryPort)));
        await Second.InitializeAsync();
        var membership = First.App.Services.GetRequiredService<Orleans.Runtime.IClusterMembershipService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (membership.CurrentSnapshot.Members.Values.Count(m => m.Status == Orleans.Runtime.SiloStatus.Active) < 2)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the second silo did not join the cluster within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>Stops the second silo as a rolling restart does (gracefully: its broker tells its clients it is shutting down).</summary>
    public async Task StopSecondAsync()
    {
        await Second.StopAsync();
        _secondStopped = true;
    }

    private bool _secondStopped;

    public async Task DisposeAsync()
    {
        if (Second is not null && !_secondStopped) await Second.DisposeAsync();
        else if (Second is not null)
            try { Directory.Delete(Second.DataDirectory, recursive: true); } catch (IOException) { }
        await First.DisposeAsync();
    }
}
