namespace IoTIdentity.Provisioning.Certificates;

/// <summary>Lifetimes for a generated tenant CA.</summary>
public sealed record TenantCaOptions
{
    /// <summary>The defaults: a 20-year root, a 5-year issuing CA, back-dated by an hour.</summary>
    public static TenantCaOptions Default { get; } = new();

    /// <summary>How long the root CA is valid from creation; default 20 years (7,305 days).</summary>
    public TimeSpan RootLifetime { get; init; } = TimeSpan.FromDays(7305);

    /// <summary>How long the issuing CA is valid from creation (never past the root); default 5 years (1,826 days).</summary>
    public TimeSpan IssuingLifetime { get; init; } = TimeSpan.FromDays(1826);

    /// <summary>How far both certificates' notBefore lies before creation, for clients whose clocks lag; default 1 hour.</summary>
    public TimeSpan Backdate { get; init; } = TimeSpan.FromHours(1);
}
