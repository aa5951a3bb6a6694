using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace IoTIdentity.Provisioning.Host.Channel;

/// <summary>
/// Places a grain on the silo its key names (<see cref="SiloAddress.ToParsableString"/>), so a caller can reach a
/// service of one particular silo (its embedded MQTT broker) through an ordinary grain call.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static readonly SiloPinnedPlacement Instance = new();

    /// <inheritdoc/>
    public override bool IsUsingGrainDirectory => true;
}

/// <summary>Marks a grain class as placed by <see cref="SiloPinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);

/// <summary>
/// Activates the grain on the silo its key names; refuses (<see cref="SiloUnavailableException"/>) when that silo is not
/// an active member, rather than placing the grain somewhere it would act on the wrong broker.
/// </summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var silo = context.GetCompatibleSilos(target).FirstOrDefault(s => s.ToParsableString() == key);
        return silo is null
            ? Task.FromException<SiloAddress>(new SiloUnavailableException($"silo {key} is not an active member of the cluster"))
            : Task.FromResult(silo);
    }
}
