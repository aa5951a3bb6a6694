using System.Text.Json;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The runtime settings the service ships with (its <c>iotid-service.runtimeconfig.json</c>), each measured as a
/// lever on its CPU per enrolment (BENCHMARKS.md, "Service levers"): no profile-guided tiering, no thread-pool spinning,
/// call counting for tier-up from the first call. And the load generator's (<c>iotid-sim.runtimeconfig.json</c>): no
/// thread-pool spinning either, measured as a lever on its CPU per enrolment.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties(string program = "iotid-service", string project = "provisioning/IoTIdentity.Provisioning.Host")
    {
        var path = Path.Combine(AppContext.BaseDirectory, $"{program}.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing: build {project}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void The_service_runs_without_profile_guided_tiering()
    {
        Assert.False(ConfigProperties().GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    [Fact]
    public void The_service_thread_pool_does_not_spin_before_blocking()
    {
        Assert.Equal(0, ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public void The_service_counts_calls_for_tier_up_without_a_delay()
    {
        Assert.Equal(0, ConfigProperties().GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
    }

    [Fact]
    public void The_load_generator_thread_pool_does_not_spin_before_blocking()
    {
        Assert.Equal(0, ConfigProperties("iotid-sim", "simulator/IoTIdentity.Simulator").GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
