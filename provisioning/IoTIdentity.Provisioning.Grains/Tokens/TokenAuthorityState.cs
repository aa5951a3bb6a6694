using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Tokens;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>The durable state of a tenant's token keys: every key not yet past its publication, newest last.</summary>
[GenerateSerializer, Immutable]
public sealed record TokenAuthorityState
{
    [Id(0)] public ImmutableList<TokenSigningKey> Keys { get; init; } = [];
}
