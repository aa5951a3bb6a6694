namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A protocol step's answer: the reply message, or the refusal. The edge serializes either.</summary>
[GenerateSerializer, Immutable]
public sealed record ProtocolReply<T> where T : class
{
    /// <summary>The reply when the step succeeded.</summary>
    [Id(0)] public T? Message { get; init; }

    /// <summary>Why the step refused, when it did.</summary>
    [Id(1)] public Refusal? Refusal { get; init; }

    /// <summary>A successful reply.</summary>
    public static implicit operator ProtocolReply<T>(T message) => new() { Message = message };

    /// <summary>A refusal.</summary>
    public static implicit operator ProtocolReply<T>(Refusal refusal) => new() { Refusal = refusal };
}
