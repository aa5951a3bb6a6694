namespace IoTIdentity.Simulator.Scenarios;

/// <summary>Every <see cref="IFleetScenario"/> in this assembly, in name order.</summary>
public static class ScenarioCatalog
{
    /// <summary>The scenarios.</summary>
    public static IReadOnlyList<IFleetScenario> All { get; } = typeof(IFleetScenario).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IFleetScenario).IsAssignableFrom(t))
        .Select(t => (IFleetScenario)Activator.CreateInstance(t)!)
        .OrderBy(s => s.Name, StringComparer.Ordinal)
        .ToList();
}
