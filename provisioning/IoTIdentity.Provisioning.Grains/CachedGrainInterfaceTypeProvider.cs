using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// Orleans' answer to "which <see cref="GrainInterfaceType"/> is this interface", computed once per interface. Every
/// <c>GetGrain&lt;T&gt;(key)</c> asks it: Orleans itself reads the interface's attributes by reflection and, without
/// a naming attribute, formats the type's name by convention, on every call. This provider gives the same answer
/// (the attribute provider, then the convention, through Orleans' own <see cref="GrainInterfaceTypeResolver"/>) and
/// keeps it. It is registered ahead of every other provider (<see cref="ProvisioningGrainServices"/>), so it answers
/// for all interfaces and the providers behind it are not asked.
/// </summary>
public sealed class CachedGrainInterfaceTypeProvider(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    private readonly GrainInterfaceTypeResolver _orleans = new([new AttributeGrainInterfaceTypeProvider(services)], services.GetRequiredService<TypeConverter>());
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();

    /// <inheritdoc/>
    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        grainInterfaceType = _known.GetOrAdd(type, static (t, orleans) => orleans.GetGrainInterfaceType(t), _orleans);
        return true;
    }

    /// <summary>Puts the provider first among the <see cref="IGrainInterfaceTypeProvider"/>s, before or after Orleans registers its own.</summary>
    internal static void Register(IServiceCollection services) =>
        services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, CachedGrainInterfaceTypeProvider>());
}
