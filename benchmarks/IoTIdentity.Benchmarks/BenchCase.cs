namespace IoTIdentity.Benchmarks;

/// <summary>One measured operation. <paramref name="Key"/> names it for the floor arithmetic.</summary>
public sealed record BenchCase(string Group, string Key, string Name, Action Run)
{
    public string Title => $"{Group}/{Name}";
}

/// <summary>
/// A composite case and the primitives it is made of, with how many times each occurs: the crypto floor it cannot
/// go below while it uses these primitives.
/// </summary>
internal sealed record Floor(string CompositeKey, IReadOnlyList<(string Key, int Count)> Parts);
