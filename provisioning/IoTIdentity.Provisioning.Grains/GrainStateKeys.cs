namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// The store document a grain's persistent state lives in: kind "{grain type}.{state name}", key the grain's key.
/// The grain storage reads and writes by these; a grain that writes its state through the store directly (the device
/// grain, with its audit entry and inventory row) names the same document.
/// </summary>
public static class GrainStateKeys
{
    /// <summary>The document kind of <paramref name="stateName"/> of <paramref name="grainId"/>'s grain type.</summary>
    public static string Kind(string stateName, GrainId grainId) => $"{grainId.Type}.{stateName}";

    /// <summary>The document key of <paramref name="grainId"/>.</summary>
    public static string Key(GrainId grainId) => grainId.Key.ToString()!;
}
