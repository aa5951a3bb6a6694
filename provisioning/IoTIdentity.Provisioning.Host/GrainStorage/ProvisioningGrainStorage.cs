using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Storage;
using Orleans.Serialization;
using Orleans.Storage;

namespace IoTIdentity.Provisioning.Host.GrainStorage;

/// <summary>
/// Orleans grain state over <see cref="IProvisioningStore"/>: one document per (state name + grain type, grain
/// key), written with the ETag read last, so a second activation of the same grain cannot overwrite the first's
/// transition — it gets <see cref="InconsistentStateException"/> instead. State is encoded with Orleans' own
/// serializer (version-tolerant via the [Id] attributes on the state records).
/// </summary>
public sealed class ProvisioningGrainStorage(IProvisioningStore store, Serializer serializer) : IGrainStorage
{
    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await store.ReadAsync(Kind(stateName, grainId), Key(grainId));
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = serializer.Deserialize<T>(stored.Data);
        grainState.ETag = stored.ETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = serializer.SerializeToArray(grainState.State);
        try
        {
            grainState.ETag = await store.WriteAsync(Kind(stateName, grainId), Key(grainId), data, grainState.ETag);
            grainState.RecordExists = true;
        }
        catch (StoreConcurrencyException e)
        {
            throw new InconsistentStateException(e.Message, grainState.ETag ?? "", "(changed)");
        }
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is null) return;
        try
        {
            await store.DeleteAsync(Kind(stateName, grainId), Key(grainId), grainState.ETag);
        }
        catch (StoreConcurrencyException e)
        {
            throw new InconsistentStateException(e.Message, grainState.ETag, "(changed)");
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private static string Kind(string stateName, GrainId grainId) => GrainStateKeys.Kind(stateName, grainId);

    private static string Key(GrainId grainId) => GrainStateKeys.Key(grainId);
}
