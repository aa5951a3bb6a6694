namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A transfer operation's answer: the view, or the refusal (mapped once to HTTP problem details).</summary>
[GenerateSerializer, Immutable]
public sealed record TransferResult([property: Id(0)] TransferView? View, [property: Id(1)] Protocol.ProvisioningError? Error, [property: Id(2)] string? Detail = null)
{
    /// <summary>A refusal.</summary>
    public static TransferResult Refused(Protocol.ProvisioningError error, string? detail = null) => new(null, error, detail);
}
