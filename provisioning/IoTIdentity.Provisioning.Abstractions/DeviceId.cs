using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// A device's id: the lowercase hex SHA-256 of its EK public area (<see cref="DeviceIds.FromEkPublic"/>), the device
/// grain's key. Only ids that pass the protocol's one rule (<see cref="DeviceIds.IsValid"/>) can be made.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct DeviceId
{
    private DeviceId(string value) => Value = value;

    /// <summary>The id's text.</summary>
    [Id(0)] public string Value { get; }

    /// <summary>Reads <paramref name="text"/> when it is a valid device id; false otherwise.</summary>
    public static bool TryParse(string? text, out DeviceId id)
    {
        id = DeviceIds.IsValid(text) ? new DeviceId(text!) : default;
        return id.Value is not null;
    }

    /// <summary>Reads <paramref name="text"/>, which must be a valid device id (a grain key, an id this service derived).</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not a valid device id.</exception>
    public static DeviceId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a device id");

    /// <summary>The id of the device whose EK public area (marshalled TPMT_PUBLIC) is <paramref name="ekPublic"/>.</summary>
    public static DeviceId FromEkPublic(ReadOnlySpan<byte> ekPublic) => new(DeviceIds.FromEkPublic(ekPublic));

    /// <inheritdoc/>
    public override string ToString() => Value;
}
