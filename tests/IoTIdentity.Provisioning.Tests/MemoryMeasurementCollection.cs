namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Tests that print the managed heap a number of grains holds: run alone, after the parallel ones, so no other test's
/// allocations or disposals move the heap between their two readings.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    /// <summary>The name the measuring test classes join with <c>[Collection(MemoryMeasurementCollection.Name)]</c>.</summary>
    public const string Name = "memory measurement";
}
